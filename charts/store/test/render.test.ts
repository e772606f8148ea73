// Golden renders (values in, manifests out) and the values the chart must refuse.
// Regenerate the golden files after an intended change: UPDATE_GOLDEN=1 npx vitest run charts/store
// (*.yaml.golden, not *.yaml: they hold helm's output byte for byte, which a YAML formatter would change.)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHART,
  find,
  OPTIONS_CASE,
  orchestratorValues,
  type RenderInput,
  render,
  renderError,
  renderText,
  SCENARIOS,
  VALUES_LOCAL,
} from './support/chart.ts';

const GOLDEN = join(CHART, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

const goldenCases: Record<string, RenderInput> = {
  // What the orchestrator installs on a laptop cluster and on the test control plane.
  local: SCENARIOS.local,
  // Production: TLS through cert-manager, bigger requests, a storage class, 2 replicas, a PDB.
  prod: SCENARIOS.prod,
  // A plain `helm install` with the defaults: WooCommerce downloaded, host from the release name.
  defaults: { release: 'demo', namespace: 'demo' },
  // Every optional switch the other cases leave alone.
  options: OPTIONS_CASE,
};

describe('golden renders', { timeout: 30_000 }, () => {
  for (const [name, input] of Object.entries(goldenCases)) {
    it(`renders the ${name} case as in golden/${name}.yaml.golden`, () => {
      const file = join(GOLDEN, `${name}.yaml.golden`);
      const actual = renderText(input);
      if (update || !existsSync(file)) {
        if (!update) throw new Error(`${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(file, actual);
      }
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });
  }
});

describe('values the chart refuses', { timeout: 30_000 }, () => {
  const local = (values: Record<string, unknown>): RenderInput => ({
    files: [VALUES_LOCAL],
    values: { ...orchestratorValues('cube-shop'), ...values },
  });
  const cases: [string, RenderInput, RegExp[]][] = [
    [
      'the medusa engine (not built yet)',
      local({ engine: 'medusa' }),
      [/engine "medusa" is not available yet/],
    ],
    ['an unknown engine', local({ engine: 'shopify' }), [/\/engine/, /value must be one of/]],
    [
      'a volume size that is not a quantity',
      local({ persistence: { size: 'a lot' } }),
      [/\/persistence\/size/, /does not match pattern/],
    ],
    ['an unknown key', local({ app: { replica: 2 } }), [/additional properties 'replica' not allowed/]],
    ['too many replicas', local({ app: { replicas: 6 } }), [/\/app\/replicas/, /maximum/]],
    ['no replicas', local({ app: { replicas: 0 } }), [/\/app\/replicas/, /minimum/]],
    ['a privileged port', local({ app: { containerPort: 80 } }), [/\/app\/containerPort/, /minimum/]],
    ['an unknown WooCommerce source', local({ woocommerce: { source: 'git' } }), [/\/woocommerce\/source/]],
    ['a quota that is not a string', local({ quota: { hard: { pods: 20 } } }), [/\/quota\/hard\/pods/]],
    [
      'resources without limits',
      local({ database: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: null } } }),
      [/\/database\/resources/, /missing property 'limits'/],
    ],
    [
      'a malformed host',
      local({ ingress: { className: 'traefik', host: 'Not A Host' } }),
      [/\/ingress\/host/],
    ],
    [
      'downloads with internet egress denied',
      local({ woocommerce: { source: 'download' } }),
      [/woocommerce.source=download needs networkPolicy.allowInternetEgress=true/],
    ],
    [
      'TLS without a certificate source',
      local({ ingress: { className: 'traefik', host: 'cube-shop.localhost', tls: { enabled: true } } }),
      [/ingress.tls.enabled needs ingress.tls.secretName/],
    ],
  ];
  for (const [what, input, messages] of cases) {
    it(`refuses ${what}`, () => {
      const error = renderError(input);
      for (const message of messages) expect(error).toMatch(message);
    });
  }
});

describe('the setup Job name', { timeout: 30_000 }, () => {
  const jobName = (values: Record<string, unknown>) =>
    find(render({ files: [VALUES_LOCAL], values: { ...orchestratorValues('cube-shop'), ...values } }), 'Job')
      .metadata.name;

  it('stays the same when only the site changes (an upgrade leaves the completed Job alone)', () => {
    expect(jobName({ app: { replicas: 3 } })).toBe(jobName({}));
  });

  it('changes with what the setup does, so a changed setup runs as a new Job', () => {
    const base = jobName({});
    expect(base).toMatch(/^store-cube-shop-setup-[0-9a-f]{8}$/);
    expect(jobName({ woocommerce: { version: '11.2.0' } })).not.toBe(base);
    expect(jobName({ ingress: { className: 'traefik', host: 'shop.example.test' } })).not.toBe(base);
  });
});

describe('the generated Secret (secret.create)', { timeout: 30_000 }, () => {
  it('holds every key the orchestrator writes, with random passwords', () => {
    const objects = render({ release: 'demo', namespace: 'demo', values: { secret: { create: true } } });
    const secret = find(objects, 'Secret', 'store-credentials');
    const data = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );
    expect(Object.keys(data).sort()).toEqual(
      [
        'admin-email',
        'admin-password',
        'admin-username',
        'auth-key',
        'auth-salt',
        'database-password',
        'database-root-password',
        'logged-in-key',
        'logged-in-salt',
        'nonce-key',
        'nonce-salt',
        'secure-auth-key',
        'secure-auth-salt',
      ].sort(),
    );
    expect(data['admin-username']).toBe('storeadmin');
    expect(data['admin-email']).toBe('admin@demo.localhost');
    expect(data['admin-password']).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(data['auth-key']).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  it('is not rendered when the orchestrator provides it', () => {
    const objects = render(SCENARIOS.local);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});
