import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startTestPlatform, waitFor, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

describe('the health of Ready stores', () => {
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

  it('watches a store once it is Ready and applies what the watch sees at once, without a resync', async () => {
    const { store } = await platform.commands.create(
      { name: 'Live Shop', engine: 'woocommerce' },
      { ownerId: 'o' },
    );
    await waitForState(test.database, store.id, 'Ready');
    await waitFor(
      async () => platform.monitor.watchedStores().includes(store.id),
      'a watch on the Ready store',
    );

    await cluster.workloads.observe(store.namespace, [
      {
        type: 'DatabaseReady',
        status: 'False',
        reason: 'Unschedulable',
        message: 'Database db: 0/1 ready. Pod db-0 cannot be scheduled: 0/3 nodes are available.',
      },
      { type: 'AppReady', status: 'True', reason: 'AppReady', message: 'The store app is ready.' },
      {
        type: 'StoreConfigured',
        status: 'True',
        reason: 'SetupJobCompleted',
        message: 'The setup job completed.',
      },
    ]);
    const degraded = await platform.queries.get(store.id);
    expect(degraded.state).toBe('Ready');
    expect(degraded.conditions.find((c) => c.type === 'DatabaseReady')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
    });

    // A new reason without a new status is recorded too, but is not a health change.
    await cluster.workloads.observe(store.namespace, [
      {
        type: 'DatabaseReady',
        status: 'False',
        reason: 'CrashLoopBackOff',
        message: 'Database db: 0/1 ready. Pod db-0, container mariadb: CrashLoopBackOff.',
      },
    ]);
    expect(
      (await platform.queries.get(store.id)).conditions.find((c) => c.type === 'DatabaseReady')?.reason,
    ).toBe('CrashLoopBackOff');
    await cluster.workloads.observe(store.namespace, undefined);
    expect((await platform.queries.get(store.id)).conditions.every((c) => c.status === 'True')).toBe(true);
    const activity = await new ActivityRepository(test.database.db).list({ storeId: store.id, limit: 10 });
    expect(activity.filter((a) => a.type === 'store.health_changed').map((a) => a.message)).toEqual([
      'DatabaseReady is True: DatabaseReady observed in memory',
      'DatabaseReady is False: Database db: 0/1 ready. Pod db-0 cannot be scheduled: 0/3 nodes are available.',
    ]);

    await platform.commands.delete(store.id);
    await waitForState(test.database, store.id, 'Deleted');
    await waitFor(async () => !platform.monitor.watchedStores().includes(store.id), 'the watch to stop');
    expect(cluster.workloads.watches.has(store.namespace)).toBe(false);
  });

  it('the periodic resync catches a change no watch reported', async () => {
    const { store } = await platform.commands.create(
      { name: 'Watched Shop', engine: 'woocommerce' },
      { ownerId: 'o' },
    );
    await waitForState(test.database, store.id, 'Ready');
    expect(await platform.monitor.resync()).toBe(0);

    // Set without telling the watchers: only the resync can see this.
    cluster.workloads.observations.set(store.namespace, [
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
    const degraded = await platform.queries.get(store.id);
    expect(degraded.state).toBe('Ready');
    expect(degraded.conditions.find((c) => c.type === 'AppReady')).toMatchObject({
      status: 'False',
      reason: 'Starting',
    });

    cluster.workloads.observations.delete(store.namespace);
    expect(await platform.monitor.resync()).toBe(1);
    const healed = await platform.queries.get(store.id);
    expect(healed.conditions.every((c) => c.status === 'True')).toBe(true);
    const activity = await new ActivityRepository(test.database.db).list({ storeId: store.id, limit: 10 });
    expect(activity.filter((a) => a.type === 'store.health_changed').map((a) => a.message)).toEqual([
      'AppReady is True: AppReady observed in memory',
      'AppReady is False: App store-watched-shop-app: 0/1 ready.',
    ]);
  });
});
