// The namespace guardrails fit the store they guard: at the most replicas the schema allows, during a
// rolling update, with the setup Job running, the store stays within its ResourceQuota and LimitRange.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART, type Container, find, type Manifest, podSpecOf, render, SCENARIOS } from './support/chart.ts';
import { millicores, quantity } from './support/quantity.ts';

const MAX_REPLICAS: number = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')).properties
  .app.properties.replicas.maximum;

interface Usage {
  'requests.cpu': number;
  'requests.memory': number;
  'limits.cpu': number;
  'limits.memory': number;
}

const measure = {
  'requests.cpu': (c: Container) => millicores(c.resources?.requests?.cpu ?? '0'),
  'requests.memory': (c: Container) => quantity(c.resources?.requests?.memory ?? '0'),
  'limits.cpu': (c: Container) => millicores(c.resources?.limits?.cpu ?? '0'),
  'limits.memory': (c: Container) => quantity(c.resources?.limits?.memory ?? '0'),
};

/** What one pod of a workload counts against a quota: its containers, or its largest init container. */
function podUsage(workload: Manifest): Usage {
  const pod = podSpecOf(workload);
  const usage = {} as Usage;
  for (const [key, of] of Object.entries(measure) as [keyof Usage, (c: Container) => number][]) {
    const running = (pod.containers as Container[]).reduce((sum, c) => sum + of(c), 0);
    const init = Math.max(0, ...((pod.initContainers ?? []) as Container[]).map(of));
    usage[key] = Math.max(running, init);
  }
  return usage;
}

function add(total: Usage, usage: Usage, times = 1): Usage {
  const result = { ...total };
  for (const key of Object.keys(usage) as (keyof Usage)[]) result[key] += usage[key] * times;
  return result;
}

const zero: Usage = { 'requests.cpu': 0, 'requests.memory': 0, 'limits.cpu': 0, 'limits.memory': 0 };

for (const scenario of ['local', 'prod'] as const) {
  describe(`the ${scenario} guardrails`, () => {
    const objects = render(SCENARIOS[scenario]);
    const hard: Record<string, string> = find(objects, 'ResourceQuota').spec.hard;
    const app = podUsage(find(objects, 'Deployment'));
    const database = podUsage(find(objects, 'StatefulSet'));
    const setup = podUsage(find(objects, 'Job'));
    const cron = podUsage(find(objects, 'CronJob'));

    it(`hold ${MAX_REPLICAS} site replicas plus a surge pod, the database, the setup Job and a WP-Cron run`, () => {
      const peak = add(add(add(add(zero, app, MAX_REPLICAS + 1), database), setup), cron);
      expect(peak['requests.cpu']).toBeLessThanOrEqual(millicores(hard['requests.cpu']!));
      expect(peak['limits.cpu']).toBeLessThanOrEqual(millicores(hard['limits.cpu']!));
      expect(peak['requests.memory']).toBeLessThanOrEqual(quantity(hard['requests.memory']!));
      expect(peak['limits.memory']).toBeLessThanOrEqual(quantity(hard['limits.memory']!));
      expect(MAX_REPLICAS + 4).toBeLessThanOrEqual(Number(hard.pods));
    });

    it('hold both volumes', () => {
      const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
      const storage = claims.reduce((sum, c) => sum + quantity(c.spec.resources.requests.storage), 0);
      expect(storage).toBeLessThanOrEqual(quantity(hard['requests.storage']!));
      expect(claims.length).toBeLessThanOrEqual(Number(hard.persistentvolumeclaims));
    });

    it('let every container of the store within the LimitRange maximum', () => {
      const max = find(objects, 'LimitRange').spec.limits[0].max;
      for (const workload of objects.filter((o) =>
        ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind),
      )) {
        const pod = podSpecOf(workload);
        for (const c of [...(pod.initContainers ?? []), ...pod.containers] as Container[]) {
          expect(measure['limits.cpu'](c), c.name).toBeLessThanOrEqual(millicores(max.cpu));
          expect(measure['limits.memory'](c), c.name).toBeLessThanOrEqual(quantity(max.memory));
        }
      }
    });

    it('make a 600Mi memory quota too small for one store (the orchestrator test of quota rejections relies on it)', () => {
      const store = add(add(add(zero, app), database), setup);
      expect(store['requests.memory']).toBeGreaterThan(quantity('600Mi'));
      expect(store['limits.memory']).toBeGreaterThan(quantity('600Mi'));
    });
  });
}
