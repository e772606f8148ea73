// The platform chart's SMTP relay: the orchestrator's SMTP_* environment, its password from your
// Secret (never in the ConfigMap), and the combinations that cannot work refused at render time.
import { describe, expect, it } from 'vitest';
import { type Container, find, type Manifest, render, renderError } from './support/chart.ts';

const configOf = (objects: Manifest[]) =>
  objects.find((o) => o.kind === 'ConfigMap' && o.data?.BACKUP_DIR !== undefined)?.data ?? {};
const orchestrator = (objects: Manifest[]): Container =>
  find(objects, 'Deployment').spec.template.spec.containers[0];

describe('store e-mail in the platform chart', { timeout: 60_000 }, () => {
  it('sets no relay by default: stores send nothing', () => {
    const config = configOf(render({}));
    expect(config.SMTP_HOST).toBeUndefined();
    expect(config.MAIL_FROM).toBe('orders@{host}');
    expect(orchestrator(render({})).env?.some((env) => env.name === 'SMTP_PASSWORD') ?? false).toBe(false);
  });

  it('passes the relay to the orchestrator, the password only as a reference to your Secret', () => {
    const objects = render({
      values: {
        smtp: {
          host: 'smtp.example.com',
          port: 465,
          encryption: 'ssl',
          user: 'relay',
          existingSecret: 'relay-password',
          from: 'shop+{slug}@mail.example.com',
          syncInterval: '30s',
        },
      },
    });
    expect(configOf(objects)).toMatchObject({
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '465',
      SMTP_ENCRYPTION: 'ssl',
      SMTP_USER: 'relay',
      MAIL_FROM: 'shop+{slug}@mail.example.com',
      MAIL_SYNC_INTERVAL: '30s',
    });
    expect(configOf(objects).SMTP_PASSWORD).toBeUndefined();
    expect(orchestrator(objects).env).toContainEqual({
      name: 'SMTP_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'relay-password', key: 'smtp-password' } },
    });
  });

  it('refuses a password Secret without a user, and values the orchestrator would refuse', () => {
    expect(
      renderError({ values: { smtp: { host: 'smtp.example.com', existingSecret: 'relay-password' } } }),
    ).toMatch(/smtp.existingSecret needs smtp.user/);
    expect(renderError({ values: { smtp: { host: 'smtp.example.com', encryption: 'starttls' } } })).toMatch(
      /encryption/,
    );
    expect(renderError({ values: { smtp: { from: 'Orders <orders@x>' } } })).toMatch(/from/);
  });
});
