// A fleet upgrade outlives the worker pacing it: the run is paced by a job in the durable work queue,
// so a run whose worker died is taken over by another worker once the job's lease runs out, and
// carries on from its last saved step without upgrading a store twice; a run handed back on shutdown
// is resumed at once; a halted run stays halted.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterError } from '../../src/cluster/port.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { startTestPlatform, waitFor, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

const admin: Actor = { userId: 'ops', email: 'ops@example.com', role: 'admin', via: 'token' };

describe.each(ENGINES)('fleet upgrades paced through the work queue, on %s', (engine) => {
  let test: TestDatabase;
  const platforms: Platform[] = [];
  /** Lets a dead worker's step end, so that its platform can stop even when a test failed. */
  let releaseTheDead: (() => void) | undefined;

  afterEach(async () => {
    releaseTheDead?.();
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

  async function stop(platform: Platform): Promise<void> {
    platforms.splice(platforms.indexOf(platform), 1);
    await platform.stop();
  }

  async function readyStores(platform: Platform, names: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const name of names) {
      const { store } = await platform.commands.create(
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
      30_000,
    );

  /** The job pacing a run, if there is one. */
  const fleetJob = (runId: string) =>
    test.database.db
      .selectFrom('work_queue')
      .select(['kind', 'lease_owner'])
      .where('fleet_upgrade_id', '=', runId)
      .executeTakeFirst();

  const revisions = (platform: Platform, ids: string[]) =>
    Promise.all(ids.map(async (id) => (await platform.queries.get(id)).revision));

  it('is taken over by another worker once the lease of a killed one runs out, and upgrades every store once', async () => {
    test = await createTestDatabase(engine);
    const cluster = new MemoryCluster();
    const leaseMs = 2000;
    const lease = { LEASE_DURATION: `${leaseMs}ms` };
    const first = await start(cluster, 'replica-a', lease);
    const ids = await readyStores(first, ['Killed A', 'Killed B', 'Killed C', 'Killed D']);
    const [, , , d] = ids as [string, string, string, string];
    // replica-a dies while it asks for D's upgrade, in the middle of a step of the run's job: the job
    // is leased to it, and D's upgrade was not asked for.
    let dying!: () => void;
    const gone = new Promise<void>((resolve) => {
      dying = resolve;
    });
    releaseTheDead = dying;
    let reached!: () => void;
    const atD = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const upgrade = first.commands.upgrade.bind(first.commands);
    vi.spyOn(first.commands, 'upgrade').mockImplementation(async (id, values) => {
      if (id !== d) return upgrade(id, values);
      reached();
      await gone;
      throw new Error('replica-a is gone');
    });
    const run = await first.fleet.start(admin, { concurrency: 2 });
    await atD;
    first.worker.kill();
    const killedAt = Date.now();
    expect(await fleetJob(run.id)).toEqual({ kind: 'fleet-upgrade', lease_owner: 'replica-a' });

    const second = await start(cluster, 'replica-b', lease);
    const storesRepository = new StoresRepository(test.database.db);
    await waitFor(
      async () => ((await storesRepository.get(d))?.generation ?? 0) > 1,
      "D's upgrade to be asked for",
      15_000,
      10,
    );
    // Not before the killed worker's lease ran out (it renewed the lease up to its last heartbeat).
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(leaseMs - 500);
    const done = await finished(second, run.id);
    expect(done).toMatchObject({
      state: 'succeeded',
      message: 'All 4 stores upgraded.',
      failedStoreId: null,
    });
    expect(done.upgradedIds).toEqual(ids);
    expect(await revisions(second, ids)).toEqual([2, 2, 2, 2]);
    expect(await fleetJob(run.id)).toBeUndefined();
    // D's upgrade was asked for once (one generation more), by replica-b.
    expect((await storesRepository.get(d))?.generation).toBe(2);

    // The dead worker's step ends now: its lease is gone, so what it would write is refused.
    dying();
    await stop(first);
    expect(await second.fleet.get(run.id)).toMatchObject({ state: 'succeeded', upgradedIds: ids });
    expect(await revisions(second, ids)).toEqual([2, 2, 2, 2]);
  });

  it('hands the run back on shutdown; the next replica resumes it and the run succeeds', async () => {
    test = await createTestDatabase(engine);
    const cluster = new MemoryCluster();
    const first = await start(cluster, 'replica-a');
    const ids = await readyStores(first, ['Handed A', 'Handed B', 'Handed C']);
    const gate = cluster.blockOn('installRelease');
    const run = await first.fleet.start(admin, { concurrency: 1 });
    await gate.reached;
    await stop(first);
    expect(await first.fleet.get(run.id)).toMatchObject({ state: 'running' });
    expect(await fleetJob(run.id)).toEqual({ kind: 'fleet-upgrade', lease_owner: null });

    gate.open();
    const second = await start(cluster, 'replica-b');
    const done = await finished(second, run.id);
    expect(done).toMatchObject({ state: 'succeeded', upgradedIds: ids });
    expect(await revisions(second, ids)).toEqual([2, 2, 2]);
  });

  it('leaves a halted run halted: its job is gone, and no replica carries it on', async () => {
    test = await createTestDatabase(engine);
    const cluster = new MemoryCluster();
    const first = await start(cluster, 'replica-a', { MAX_PROVISION_RETRIES: '0' });
    const ids = await readyStores(first, ['Halted A', 'Halted B', 'Halted C']);
    const [a, broken, c] = ids as [string, string, string];
    cluster.failOn(
      'installRelease',
      new ClusterError('ChartRejected', 'values rejected', { retryable: false }),
      1,
      (target) => target.storeId === broken,
    );
    const run = await first.fleet.start(admin, { storeIds: ids, concurrency: 1 });
    const halted = await finished(first, run.id);
    expect(halted).toMatchObject({ state: 'halted', failedStoreId: broken, upgradedIds: [a] });
    expect(halted.message).toMatch(
      /^Halted: Halted B did not upgrade \(Step "upgrade" failed: values rejected\)/,
    );
    expect(await fleetJob(run.id)).toBeUndefined();

    await stop(first);
    const second = await start(cluster, 'replica-b');
    // Long enough for several pacing steps, had the run been left with a job.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await second.fleet.get(run.id)).toEqual(halted);
    expect(await fleetJob(run.id)).toBeUndefined();
    expect(await second.queries.get(c)).toMatchObject({ state: 'Ready', revision: 1 });
  });
});
