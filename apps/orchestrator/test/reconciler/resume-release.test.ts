// A worker that dies mid-operation leaves the release for the next one to find: deployed for this
// generation (it waits, not helm upgrade --install again), or locked in pending-* (it unlocks first).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { startTestPlatform, waitFor, waitForState } from '../support/harness.ts';
import { type ClusterOperation, MemoryCluster } from '../support/memory-cluster.ts';

const owner = { ownerId: 'owner-1' };

describe.each(ENGINES)('resuming release work on %s', (engine) => {
  let test: TestDatabase;
  let database: Database;
  let cluster: MemoryCluster;
  const platforms: Platform[] = [];

  const start = async (overrides: Record<string, string>, db: Database, workerId: string) => {
    const platform = await startTestPlatform(db, cluster, overrides, workerId);
    platforms.push(platform);
    return platform;
  };

  /** Runs `request` on a worker that dies once it reaches `operation`; a survivor takes the job over. */
  const crashAt = async (operation: ClusterOperation, request: (doomed: Platform) => Promise<void>) => {
    const gate = cluster.blockOn(operation);
    const doomed = await start({ LEASE_DURATION: '600ms' }, database, 'doomed');
    await request(doomed);
    await gate.reached;
    doomed.worker.kill();
    cluster.clearBehaviour(operation);
    return doomed;
  };

  /** A store provisioned to Ready by a platform that then shuts down cleanly. */
  const readyStore = async (name: string) => {
    const first = await start({}, database, 'first');
    const { store } = await first.commands.create({ name, engine: 'woocommerce' }, owner);
    await waitForState(database, store.id, 'Ready');
    await first.stop();
    platforms.splice(0);
    return store;
  };

  const installs = () => cluster.calls.filter((call) => call.operation === 'installRelease').length;

  beforeEach(async () => {
    test = await createTestDatabase(engine);
    database = test.database;
    cluster = new MemoryCluster();
  });
  afterEach(async () => {
    for (const platform of platforms.splice(0)) await platform.stop();
    await test.close();
  });

  it('a store provisioned once shows one Helm revision after a crash while waiting for readiness', async () => {
    let id = '';
    await crashAt('waitUntilReady', async (doomed) => {
      id = (await doomed.commands.create({ name: 'Once Only', engine: 'woocommerce' }, owner)).store.id;
    });
    expect(installs()).toBe(1);

    await start({}, await test.openAnother(), 'survivor');
    const ready = await waitForState(database, id, 'Ready');
    expect(ready).toMatchObject({ attempts: 2, revision: 1, generation: 1, observedGeneration: 1 });
    expect(installs()).toBe(1);
    expect(cluster.releases.revisions.get('store-once-only')).toHaveLength(1);
    expect(cluster.overlaps).toBe(0);
  });

  // The orchestrator killed while helm installs: helm goes on by itself. Whether it has finished by the
  // time another worker takes the job over (the crash came before the result was recorded) or is still
  // running then, the release names the generation it was made for: one revision, never an upgrade.
  it.each([
    ['finished before the take-over', true],
    ['still running at the take-over', false],
  ])('an install whose helm outlives its worker (%s) ends as one revision', async (_, finishedFirst) => {
    cluster.releases.helmOutlivesWorker = true;
    const gate = cluster.blockOn('installRelease');
    const doomed = await start({ LEASE_DURATION: '600ms' }, database, 'doomed');
    const { store } = await doomed.commands.create({ name: 'Orphan Helm', engine: 'woocommerce' }, owner);
    await gate.reached;
    doomed.worker.kill();
    if (finishedFirst) {
      gate.open();
      await waitFor(
        async () => cluster.releases.current.get('store-orphan-helm') === 1 && !cluster.releases.locked.size,
        'helm',
      );
    }
    await start({}, await test.openAnother(), 'survivor');
    if (!finishedFirst) {
      // The survivor finds the release pending-install, fresh: it waits for helm instead of unlocking.
      await waitFor(
        async () => cluster.calls.filter((c) => c.operation === 'installRelease').length === 1,
        'one',
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(cluster.calls.filter((c) => c.operation === 'uninstallRelease')).toHaveLength(0);
      gate.open();
    }
    const ready = await waitForState(database, store.id, 'Ready', 20_000);
    expect(ready).toMatchObject({ revision: 1, generation: 1, observedGeneration: 1 });
    expect(cluster.releases.revisions.get('store-orphan-helm')?.map((r) => r.description)).toEqual([
      'Storefleet generation 1',
    ]);
    expect(installs()).toBe(1);
    expect(cluster.calls.filter((c) => c.operation === 'uninstallRelease')).toHaveLength(0);
  });

  it('an upgrade interrupted while waiting for readiness is not deployed twice', async () => {
    const store = await readyStore('Upgrade Once');

    await crashAt('waitUntilReady', async (doomed) => {
      await doomed.commands.upgrade(store.id, { replicas: 2 });
    });
    await start({}, await test.openAnother(), 'survivor');
    const ready = await waitForState(database, store.id, 'Ready');
    expect(ready).toMatchObject({
      revision: 2,
      values: { replicas: 2 },
      generation: 2,
      observedGeneration: 2,
    });
    expect(installs()).toBe(2);
    expect(cluster.releases.revisions.get('store-upgrade-once')).toHaveLength(2);
  });

  it('unlocks a release left pending-install by uninstalling it, then installs', async () => {
    let id = '';
    await crashAt('installRelease', async (doomed) => {
      id = (await doomed.commands.create({ name: 'Locked Shop', engine: 'woocommerce' }, owner)).store.id;
    });
    cluster.releases.interrupt('store-locked-shop', 'pending-install');

    await start({}, await test.openAnother(), 'survivor');
    const ready = await waitForState(database, id, 'Ready');
    expect(ready.revision).toBe(1);
    const survivorCalls = cluster.calls.map((call) => call.operation).slice(-3);
    expect(survivorCalls).toEqual(['uninstallRelease', 'installRelease', 'waitUntilReady']);
    expect(cluster.releases.locked.size).toBe(0);
  });

  it('unlocks a release left pending-upgrade by rolling back to the last deployed revision', async () => {
    const store = await readyStore('Stuck Upgrade');

    await crashAt('installRelease', async (doomed) => {
      await doomed.commands.upgrade(store.id, { replicas: 3 });
    });
    cluster.releases.interrupt('store-stuck-upgrade', 'pending-upgrade');

    await start({}, await test.openAnother(), 'survivor');
    const ready = await waitForState(database, store.id, 'Ready');
    const rollbacks = cluster.calls.filter((call) => call.operation === 'rollbackRelease');
    expect(rollbacks).toHaveLength(1);
    // 1 deployed, 2 left pending, 3 the unlocking rollback to 1, 4 the upgrade asked for.
    expect(ready).toMatchObject({ revision: 4, values: { replicas: 3 } });
    expect(cluster.releases.locked.size).toBe(0);
  });
});
