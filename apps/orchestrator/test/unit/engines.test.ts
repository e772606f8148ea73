// The engine modules: what each derives from a store, and where this cluster can run it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChartInput } from '../../src/engines/engine.ts';
import {
  type ClusterNodes,
  decideEngine,
  describeEngine,
  engineModule,
  engineModules,
} from '../../src/engines/registry.ts';

const ENGINES = engineModules().map((module) => module.name);

const LABEL = { key: 'storefleet.io/node', value: 'real' };
const input: ChartInput = {
  storeId: 'id-1',
  slug: 'acme',
  name: 'Acme',
  owner: 'owner-1',
  secretName: 'store-credentials',
  ingressClass: 'traefik',
  host: 'acme.localhost',
  storageClass: undefined,
  values: {},
};
const realNode = (images: string[]): ClusterNodes => ({
  simulated: true,
  realNode: { name: 'storefleet-node', label: LABEL, images },
});

describe('the engine registry', () => {
  it('has the built-in engines, each with its chart, and refuses a name it does not know', () => {
    expect(ENGINES).toEqual(['woocommerce', 'medusa']);
    for (const module of engineModules()) {
      expect(engineModule(module.name)).toBe(module);
      expect(existsSync(join(module.chart, 'Chart.yaml'))).toBe(true);
    }
    expect(() => engineModule('shopfront')).toThrow(/There is no engine "shopfront" here/);
  });
});

describe('where an engine runs', () => {
  it('runs on the real node when the node holds every image, and the values put its pods there', () => {
    const decision = decideEngine(
      engineModule('medusa'),
      realNode([...engineModule('medusa').images.refs]),
      'auto',
    );
    expect(decision.availability).toMatchObject({
      engine: 'medusa',
      available: true,
      pods: 'real',
      reason: null,
    });
    expect(engineModule('medusa').values(input, decision.placement)).toMatchObject({
      nodeSelector: { 'storefleet.io/node': 'real' },
      tolerations: [{ key: 'storefleet.io/node', operator: 'Equal', value: 'real', effect: 'NoSchedule' }],
    });
  });

  it('is unavailable, naming the missing images and why, when the real node lacks them', () => {
    const decision = decideEngine(
      engineModule('woocommerce'),
      realNode(['storefleet.local/medusa:2.21.2']),
      'auto',
    );
    expect(decision.availability.available).toBe(false);
    expect(decision.availability.reason).toContain('storefleet-node lacks storefleet/wordpress:');
    expect(decision.availability.reason).toContain('from the internet');
    const partly = decideEngine(engineModule('medusa'), realNode(['storefleet.local/postgres:15']), 'auto');
    expect(partly.availability.reason).toMatch(/lacks storefleet\.local\/medusa:2\.21\.2;/);
  });

  it('keeps every store on the simulated nodes when the policy says so, with no placement', () => {
    for (const engine of ENGINES) {
      const decision = decideEngine(engineModule(engine), realNode([]), 'simulated');
      expect(decision.availability).toEqual(
        describeEngine(engineModule(engine), { available: true, pods: 'simulated', reason: null }),
      );
      expect(engineModule(engine).values(input, decision.placement)).not.toHaveProperty('nodeSelector');
    }
  });

  it('offers every engine on a cluster of real nodes without the local real node (k3d, k3s)', () => {
    for (const engine of ENGINES)
      expect(
        decideEngine(engineModule(engine), { simulated: false, realNode: undefined }, 'auto').availability,
      ).toMatchObject({ engine, available: true, pods: 'real', reason: null });
  });
});

describe('what an engine derives from a store', () => {
  it('generates the secrets its chart reads, different every time', () => {
    const medusa = engineModule('medusa').secrets('acme');
    expect(Object.keys(medusa)).toEqual(
      expect.arrayContaining([
        'admin-email',
        'admin-password',
        'database-password',
        'jwt-secret',
        'cookie-secret',
      ]),
    );
    expect(engineModule('medusa').secrets('acme')['jwt-secret']).not.toBe(medusa['jwt-secret']);
    expect(Object.keys(engineModule('woocommerce').secrets('acme'))).toEqual(
      expect.arrayContaining(['auth-key', 'nonce-salt', 'database-root-password']),
    );
  });

  it("maps the merchant's replicas into each chart and back", () => {
    for (const engine of ENGINES) {
      const module = engineModule(engine);
      const values = module.values({ ...input, values: { replicas: 2 } }, { kind: 'anywhere' });
      expect(module.storeValuesFrom(values)).toEqual({ replicas: 2 });
      expect(module.storeValuesFrom(module.values(input, { kind: 'anywhere' }))).toEqual({});
    }
  });
});
