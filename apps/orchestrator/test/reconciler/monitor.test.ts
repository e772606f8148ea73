import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startTestPlatform, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

describe('the periodic resync of Ready stores', () => {
  let test: TestDatabase;
  let platform: Platform;
  let cluster: MemoryCluster;

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    cluster = new MemoryCluster();
    platform = await startTestPlatform(test.database, cluster, { RESYNC_INTERVAL: '1h' });
  });
  afterAll(async () => {
    await platform.stop();
    await test.close();
  });

  it('marks a condition False when the workload goes away, and True again when it is back', async () => {
    const { store } = await platform.stores.create(
      { name: 'Watched Shop', engine: 'woocommerce' },
      { ownerId: 'o' },
    );
    await waitForState(test.database, store.id, 'Ready');
    expect(await platform.monitor.resync()).toBe(0);

    cluster.observations.set(store.namespace, [
      { type: 'DatabaseReady', status: 'True', reason: 'DatabaseReady', message: 'The database is ready.' },
      {
        type: 'AppReady',
        status: 'False',
        reason: 'Starting',
        message: 'App store-watched-shop-app: 0/1 ready.',
      },
      {
        type: 'StoreConfigured',
        status: 'True',
        reason: 'SetupJobCompleted',
        message: 'The setup job completed.',
      },
    ]);
    expect(await platform.monitor.resync()).toBe(1);
    const degraded = await platform.stores.get(store.id);
    expect(degraded.state).toBe('Ready');
    expect(degraded.conditions.find((c) => c.type === 'AppReady')).toMatchObject({
      status: 'False',
      reason: 'Starting',
    });

    cluster.observations.delete(store.namespace);
    expect(await platform.monitor.resync()).toBe(1);
    const healed = await platform.stores.get(store.id);
    expect(healed.conditions.every((c) => c.status === 'True')).toBe(true);
    const activity = await new ActivityRepository(test.database.db).list({ storeId: store.id, limit: 10 });
    expect(activity.filter((a) => a.type === 'store.health_changed').map((a) => a.message)).toEqual([
      'AppReady is True: AppReady observed in memory',
      'AppReady is False: App store-watched-shop-app: 0/1 ready.',
    ]);
  });
});
