// Both store charts take the platform's SMTP relay exactly as the orchestrator passes it (its own
// storeValues, from SMTP_* as loadConfig reads them): the relay in the senders' environment, the
// password from the store-smtp Secret the orchestrator writes, the store's sender address, and the
// store's own name (the sender name Medusa's e-mail shows).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../apps/orchestrator/src/config.ts';
import { smtpRelay } from '../../../apps/orchestrator/src/mail/mail-config.ts';
import { chartRenderer, type Manifest } from '../../test-support/helm-chart.ts';
import { orchestratorValuesFor } from '../../test-support/orchestrator-values.ts';

const CHARTS = join(import.meta.dirname, '..', '..');
const relay = smtpRelay(
  loadConfig({
    SMTP_HOST: 'smtp.example.net',
    SMTP_PORT: '465',
    SMTP_ENCRYPTION: 'ssl',
    SMTP_USER: 'relay',
    SMTP_PASSWORD: 'never-rendered',
  }),
);

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
const containersOf = (objects: Manifest[]): any[] =>
  objects
    .filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind))
    // biome-ignore lint/suspicious/noExplicitAny: as above
    .flatMap((o: any) => o.spec.template.spec.containers);
// biome-ignore lint/suspicious/noExplicitAny: as above
const envOf = (container: any): Record<string, unknown> =>
  Object.fromEntries(
    // biome-ignore lint/suspicious/noExplicitAny: as above
    (container.env ?? []).map((env: any) => [env.name, env.value ?? env.valueFrom]),
  );

describe.each([
  { engine: 'medusa', chart: 'medusa', senders: ['medusa'] },
  { engine: 'woocommerce', chart: 'store', senders: ['wordpress'] },
])("the $engine chart with the platform's relay", { timeout: 60_000 }, ({ engine, chart, senders }) => {
  const { render } = chartRenderer(join(CHARTS, chart), {
    release: 'store-cube-shop',
    namespace: 'store-cube-shop',
  });
  const values = orchestratorValuesFor(engine, 'cube-shop', {
    baseDomain: 'stores.example.com',
    name: 'Cube & Co',
    ...(relay ? { smtp: relay } : {}),
  });

  it('sends through the relay with the password from store-smtp, as orders@<store host>', () => {
    const objects = render({ files: [join(CHARTS, chart, 'values-prod.yaml')], values });
    const sending = containersOf(objects).filter((container) => senders.includes(container.name));
    expect(sending.length).toBeGreaterThan(0);
    for (const container of sending) {
      expect(envOf(container), container.name).toMatchObject({
        SMTP_HOST: 'smtp.example.net',
        SMTP_PORT: '465',
        SMTP_USER: 'relay',
        SMTP_PASSWORD: { secretKeyRef: { name: 'store-smtp', key: 'smtp-password' } },
      });
    }
    expect(JSON.stringify(objects)).not.toContain('never-rendered');
    expect(JSON.stringify(objects)).toContain('orders@cube-shop.stores.example.com');
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(JSON.stringify(policies)).toContain('465');
  });
});

describe('the store name', { timeout: 60_000 }, () => {
  it("reaches Medusa's setup as the owner wrote it", () => {
    const { render } = chartRenderer(join(CHARTS, 'medusa'), {
      release: 'store-cube-shop',
      namespace: 'store-cube-shop',
    });
    const objects = render({ values: orchestratorValuesFor('medusa', 'cube-shop', { name: 'Cube & Co' }) });
    const job = objects.find((o) => o.kind === 'Job');
    // biome-ignore lint/suspicious/noExplicitAny: as above
    expect(envOf((job as any).spec.template.spec.containers[0]).STORE_NAME).toBe('Cube & Co');
  });
});
