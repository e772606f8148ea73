import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/port.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, startTestPlatform, waitFor } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

describe('fleet upgrades', () => {
  let test: TestDatabase;
  let platform: Platform;
  let cluster: MemoryCluster;
  let admin: Record<string, string>;
  let merchant: Record<string, string>;
  const ids: string[] = [];

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    cluster = new MemoryCluster();
    platform = await startTestPlatform(test.database, cluster, { MAX_PROVISION_RETRIES: '0' });
    admin = (await signedIn(platform, 'ops@example.com')).headers;
    merchant = (await signedIn(platform, 'shop@example.com')).headers;
    for (const name of ['Fleet A', 'Fleet B', 'Fleet C', 'Fleet D', 'Fleet E']) {
      ids.push(
        (
          await platform.app.inject({
            method: 'POST',
            url: '/api/stores',
            headers: merchant,
            payload: { name, engine: 'woocommerce' },
          })
        ).json().id,
      );
    }
    for (const id of ids) {
      await waitFor(async () => (await platform.queries.get(id)).state === 'Ready', `${id} Ready`);
    }
  });
  afterAll(async () => {
    await platform.stop();
    await test.close();
  });

  const start = (payload: object, headers = admin) =>
    platform.app.inject({ method: 'POST', url: '/api/fleet/upgrade', headers, payload });
  const finished = (id: string) =>
    waitFor(async () => {
      const run = (
        await platform.app.inject({ method: 'GET', url: `/api/fleet/upgrade/${id}`, headers: admin })
      ).json();
      return run.state === 'running' ? undefined : run;
    }, 'the fleet upgrade to finish');

  it('is for admins only', async () => {
    expect((await start({}, merchant)).statusCode).toBe(403);
  });

  it('upgrades every Ready store, never more than `concurrency` at a time', async () => {
    cluster.stepDelayMs = 20;
    cluster.maxConcurrentProvisioning = 0;
    const response = await start({ concurrency: 2 });
    expect(response.statusCode).toBe(202);
    const run = await finished(response.json().id);
    cluster.stepDelayMs = 0;
    expect(run).toMatchObject({ state: 'succeeded', failedStoreId: null, message: 'All 5 stores upgraded.' });
    expect(new Set(run.upgradedIds)).toEqual(new Set(ids));
    for (const id of ids) expect((await platform.queries.get(id)).revision).toBe(2);
    expect(cluster.maxConcurrentProvisioning).toBe(2);
  });

  it('halts at the first store that fails, leaving the stores after it untouched', async () => {
    const broken = ids[2] as string;
    cluster.failOn(
      'installRelease',
      new ClusterError('ChartRejected', 'values rejected', { retryable: false }),
      1,
      (target) => target.storeId === broken,
    );
    const run = await finished((await start({ storeIds: ids, concurrency: 1 })).json().id);
    expect(run).toMatchObject({ state: 'halted', failedStoreId: broken });
    expect(run.upgradedIds).toEqual(ids.slice(0, 2));
    expect(run.message).toMatch(
      /^Halted: Fleet C did not upgrade \(Step "upgrade" failed: values rejected\); 2 of 5 upgraded/,
    );
    expect((await platform.queries.get(ids[3] as string)).revision).toBe(2);
    expect((await platform.queries.get(ids[4] as string)).revision).toBe(2);
    // The run's activity entry is written just after the run is marked halted.
    await waitFor(async () => {
      const activity = (
        await platform.app.inject({ method: 'GET', url: '/api/activity?limit=100', headers: admin })
      ).json().items;
      return activity.some(
        (a: { type: string; message: string }) => a.type === 'fleet.upgrade' && a.message.includes('halted'),
      );
    }, 'the fleet.upgrade activity entry saying the run halted');
  });

  it('refuses stores that are not Ready', async () => {
    const response = await start({ storeIds: [ids[2]] });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('STORE_NOT_READY');
    expect(response.json().error.message).toMatch(/Fleet C is Failed; only Ready stores can be upgraded/);
  });
});
