// E-mail through the platform's SMTP relay: the server and the worker get the SMTP_* environment the
// store's notification provider reads (images/medusa/app/src/mail/settings.ts), and may reach the
// relay's port; nothing of it without smtp.enabled.
import { describe, expect, it } from 'vitest';
import {
  CHART,
  envOf,
  find,
  helm,
  type Manifest,
  podSpecOf,
  type RenderInput,
  render,
  renderError,
  SCENARIOS,
  selects,
  valueArgs,
  workloadOf,
} from './support/chart.ts';

const smtp = {
  enabled: true,
  host: 'relay.storefleet.example',
  port: 2525,
  encryption: 'none',
  user: 'cube-shop',
  existingSecret: 'smtp',
};
const withSmtp = (base: RenderInput, values: Record<string, unknown> = smtp): RenderInput => ({
  ...base,
  values: { ...base.values, smtp: values },
});
const envOfComponent = (objects: Manifest[], component: string) =>
  envOf(podSpecOf(workloadOf(objects, component)).containers[0]);
const SMTP_VARS = ['SMTP_HOST', 'SMTP_PORT', 'SMTP_ENCRYPTION', 'SMTP_USER', 'SMTP_PASSWORD', 'MAIL_FROM'];

describe('e-mail', { timeout: 30_000 }, () => {
  it('is off by default: no SMTP environment and no policy to the relay', () => {
    const objects = render(SCENARIOS.prod);
    for (const component of ['app', 'worker', 'setup']) {
      const names = Object.keys(envOfComponent(objects, component));
      expect(
        names.filter((name) => SMTP_VARS.includes(name)),
        component,
      ).toEqual([]);
    }
    expect(objects.filter((o) => o.metadata.name === 'store-cube-shop-smtp')).toEqual([]);
  });

  it('gives the server, the worker and the setup the relay, its password from the Secret, and the sender', () => {
    const objects = render(withSmtp(SCENARIOS.prod));
    for (const component of ['app', 'worker']) {
      expect(envOfComponent(objects, component), component).toMatchObject({
        SMTP_HOST: 'relay.storefleet.example',
        SMTP_PORT: '2525',
        SMTP_ENCRYPTION: 'none',
        SMTP_USER: 'cube-shop',
        SMTP_PASSWORD: { secretKeyRef: { name: 'smtp', key: 'smtp-password' } },
        MAIL_FROM: 'orders@cube-shop.stores.example.com',
      });
    }
    // The setup sends nothing, but boots Medusa beside the server with the same providers: one without
    // the SMTP provider would record it as gone, and the server's e-mail would stop.
    const smtpOf = (component: string) =>
      Object.entries(envOfComponent(objects, component)).filter(([name]) => SMTP_VARS.includes(name));
    expect(smtpOf('setup')).toEqual(smtpOf('app'));
    expect(smtpOf('setup')).toHaveLength(SMTP_VARS.length);
  });

  it('sends from smtp.from when set, and without a user has no password', () => {
    const objects = render(
      withSmtp(SCENARIOS.local, { enabled: true, host: 'mail.local', from: 'shop@cube.example' }),
    );
    const env = envOfComponent(objects, 'app');
    expect(env).toMatchObject({
      SMTP_HOST: 'mail.local',
      SMTP_PORT: '587',
      SMTP_ENCRYPTION: 'tls',
      SMTP_USER: '',
      MAIL_FROM: 'shop@cube.example',
    });
    expect(env.SMTP_PASSWORD).toBeUndefined();
  });

  it("lets only the server and the worker reach the relay's port, on any address", () => {
    const objects = render(withSmtp(SCENARIOS.prod));
    const policy = find(objects, 'NetworkPolicy', 'store-cube-shop-smtp');
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    expect(policy.spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 2525 }] }]);
    const selected = ['app', 'worker', 'setup', 'storefront', 'database', 'redis'].filter((component) =>
      selects(policy.spec.podSelector, workloadOf(objects, component).spec.template.metadata.labels),
    );
    expect(selected).toEqual(['app', 'worker']);
  });

  it('refuses smtp.enabled without a host', () => {
    expect(renderError(withSmtp(SCENARIOS.local, { enabled: true }))).toMatch(/smtp.enabled needs smtp.host/);
  });

  it('refuses an encryption other than tls, ssl or none', () => {
    expect(renderError(withSmtp(SCENARIOS.local, { ...smtp, encryption: 'starttls' }))).toMatch(
      /\/smtp\/encryption/,
    );
  });

  it('says in the notes whether the store sends e-mail', () => {
    const notes = (input: RenderInput) => {
      const result = helm(['install', 'store-cube-shop', CHART, '--dry-run=client', ...valueArgs(input)]);
      expect(result.status, result.stderr).toBe(0);
      return result.stdout;
    };
    expect(notes(SCENARIOS.local)).toMatch(/smtp.enabled=false: the store sends no e-mail/);
    expect(notes(withSmtp(SCENARIOS.local))).toMatch(/goes through relay.storefleet.example:2525/);
  });
});
