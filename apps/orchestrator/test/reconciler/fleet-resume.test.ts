// A fleet upgrade outlives the replica pacing it: a run whose pacer died or shut down is taken over
// by another replica, which carries on from the last saved batch without upgrading a store twice.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { startTestPlatform, waitFor, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

const admin: Actor = { userId: 'ops', email: 'ops@example.com', role: 'admin', via: 'token' };

describe.each(ENGINES)('fleet upgrades that lose their pacer, on %s', (engine) => {
  let test: TestDatabase;
  const platforms: Platform[] = [];

  afterEach(async () => {
    for (const platform of platforms.splice(0)) await platform.stop();
    await test.close();
  });

  async function start(
    cluster: MemoryCluster,
    workerId: string,
    overrides: Record<string, string> = {},
  ): Promise<Platform> {
    const platform = await startTestPlatform(test.database, cluster, overrides, workerId);
    platforms.push(platform);
    return platform;
  }

  async function readyStores(platform: Platform, names: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const name of names) {
      const { store } = await platform.stores.create(
        { name, engine: 'woocommerce' },
        { ownerId: 'merchant' },
      );
      ids.push(store.id);
    }
    for (const id of ids) await waitForState(test.database, id, 'Ready');
    return ids;
  }

  const finished = (platform: Platform, id: string) =>
    waitFor(
      async () => {
        const run = await platform.fleet.get(id);
        return run.state === 'running' ? undefined : run;
      },
      'the fleet upgrade to finish',
      20_000,
    );

  const leaseOwner = async (runId: string) =>
    (
      await test.database.db
        .selectFrom('fleet_upgrades')
        .select('lease_owner')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow()
    ).lease_owner;

  /** The row a pacer that died after its first batch leaves behind. */
  async function orphanedRun(database: Database, storeIds: string[], upgraded: string[]): Promise<string> {
    const id = randomUUID();
    await database.db
      .insertInto('fleet_upgrades')
      .values({
        id,
        state: 'running',
        store_ids: JSON.stringify(storeIds),
        upgraded_ids: JSON.stringify(upgraded),
        concurrency: 2,
        message: `${upgraded.length} of ${storeIds.length} upgraded.`,
        created_by: admin.email,
        created_at: new Date(),
        lease_owner: 'replica-that-died',
        lease_expires_at: new Date(Date.now() - 1000),
      })
      .execute();
    return id;
  }

  it('carries on a run whose pacer died, waiting for the upgrade it left in flight instead of repeating it', async () => {
    test = await createTestDatabase(engine);
    const cluster = new MemoryCluster();
    const first = await start(cluster, 'replica-a');
    const ids = await readyStores(first, ['Orphan A', 'Orphan B', 'Orphan C', 'Orphan D']);
    const [a, b, c, d] = ids as [string, string, string, string];
    // The dead pacer had upgraded A and B, and queued C's upgrade before it died.
    for (const id of [a, b]) {
      await first.stores.upgrade(id, {});
      await waitFor(async () => (await first.stores.get(id)).revision === 2 || undefined, `${id} upgraded`);
    }
    await waitForState(test.database, b, 'Ready');
    const gate = cluster.blockOn('installRelease');
    await first.stores.upgrade(c, {});
    await gate.reached;
    await first.stop();
    platforms.splice(0);
    const runId = await orphanedRun(test.database, ids, [a, b]);

    const second = await start(cluster, 'replica-b');
    // Only once the new pacer has looked at the batch (it reads C, then asks for D's upgrade) may C's
    // upgrade finish: otherwise C would be Ready again and rightly upgraded a second time.
    await waitFor(async () => (await leaseOwner(runId)) === 'replica-b', 'replica-b to take the run over');
    await waitForState(test.database, d, 'Upgrading');
    gate.open();
    const run = await finished(second, runId);
    expect(run).toMatchObject({ state: 'succeeded', message: 'All 4 stores upgraded.' });
    expect(run.upgradedIds).toEqual([a, b, c, d]);
    const revisions = await Promise.all(ids.map(async (id) => (await second.stores.get(id)).revision));
    expect(revisions).toEqual([2, 2, 2, 2]);
    const row = await test.database.db
      .selectFrom('fleet_upgrades')
      .select(['lease_owner', 'lease_expires_at'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ lease_owner: null, lease_expires_at: null });
  });

  it('hands its runs back on shutdown; the next replica resumes them and the run succeeds', async () => {
    test = await createTestDatabase(engine);
    const cluster = new MemoryCluster();
    const first = await start(cluster, 'replica-a');
    const ids = await readyStores(first, ['Handed A', 'Handed B', 'Handed C']);
    const gate = cluster.blockOn('installRelease');
    const run = await first.fleet.start(admin, { concurrency: 1 });
    await gate.reached;
    await first.stop();
    platforms.splice(0);
    const paused = await test.database.db
      .selectFrom('fleet_upgrades')
      .select(['state', 'lease_owner'])
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(paused).toEqual({ state: 'running', lease_owner: null });

    gate.open();
    const second = await start(cluster, 'replica-b');
    const done = await finished(second, run.id);
    expect(done).toMatchObject({ state: 'succeeded', upgradedIds: ids });
    for (const id of ids) expect((await second.stores.get(id)).revision).toBe(2);
  });

  it('lets exactly one of two replicas take over an orphaned run', async () => {
    test = await createTestDatabase(engine);
    const cluster = new MemoryCluster();
    // A lease far longer than the test: the replicas look for orphans on their own only at start-up
    // and then once per lease period, so only the explicit calls below can adopt the run.
    const a = await start(cluster, 'replica-a', { LEASE_DURATION: '10s' });
    const b = await start(cluster, 'replica-b', { LEASE_DURATION: '10s' });
    const ids = await readyStores(a, ['Contested A']);
    cluster.blockOn('installRelease');
    const runId = await orphanedRun(test.database, ids, []);
    const [byA, byB] = await Promise.all([a.fleet.adoptOrphans(), b.fleet.adoptOrphans()]);
    expect([...byA, ...byB]).toEqual([runId]);
    const holder = byA.length > 0 ? 'replica-a' : 'replica-b';
    expect(await leaseOwner(runId)).toBe(holder);

    // The holder renews its lease (every third of it) while it paces the run, and while the lease
    // holds, neither replica finds anything to take: the run stays with its holder.
    const leaseExpiry = async () =>
      (
        await test.database.db
          .selectFrom('fleet_upgrades')
          .select('lease_expires_at')
          .where('id', '=', runId)
          .executeTakeFirstOrThrow()
      ).lease_expires_at?.getTime() ?? 0;
    const claimed = await leaseExpiry();
    await waitFor(async () => (await leaseExpiry()) > claimed, 'the holder to renew its lease', 10_000, 100);
    expect(await a.fleet.adoptOrphans()).toEqual([]);
    expect(await b.fleet.adoptOrphans()).toEqual([]);
    expect(await leaseOwner(runId)).toBe(holder);
  });
});
