// Kill-at-each-step for the plans that create a store: a worker dies in the middle of each step of
// `provision` and `provision-from-backup`, another one takes the job over once its lease runs out and
// finishes it once, with the payload (the backup to restore) the first one was given. The steps are
// read from the lifecycle table, so a step added to a plan is covered or the test says which call
// it lacks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIFECYCLE, type Step } from '@storefleet/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { BackupsRepository } from '../../src/db/backups-repository.ts';
import type { Database } from '../../src/db/database.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { startTestPlatform, waitForState } from '../support/harness.ts';
import { type ClusterOperation, MemoryCluster } from '../support/memory-cluster.ts';

const owner = { ownerId: 'owner-1' };

/** The cluster call each step of the two plans makes, to block a worker in the middle of it. */
const STEP_CALLS: Record<string, ClusterOperation> = {
  namespace: 'ensureNamespace',
  secrets: 'ensureSecrets',
  release: 'installRelease',
  ready: 'waitUntilReady',
  'app-stop': 'scaleDown',
  'data-restore': 'restoreData',
  'app-start': 'rerunSetup',
  'app-ready': 'waitUntilReady',
};
// A Medusa store keeps no files, and there is no ingress to ask here: the real node proves these.
const NO_CLUSTER_CALL: readonly string[] = ['files-restore', 'serving'];

const PLANS = ['provision', 'provision-from-backup'] as const;
const killCases = PLANS.flatMap((operation) =>
  LIFECYCLE[operation].steps
    .filter((step) => !NO_CLUSTER_CALL.includes(step))
    .map((step) => [operation, step] as const),
);

/** How many earlier steps of the plan make the same cluster call: those calls are let through. */
function earlierCalls(operation: (typeof PLANS)[number], step: string): number {
  const steps: readonly string[] = LIFECYCLE[operation].steps;
  return steps.slice(0, steps.indexOf(step)).filter((earlier) => STEP_CALLS[earlier] === STEP_CALLS[step])
    .length;
}

describe.each(ENGINES)('creating a store survives a worker killed at any step, on %s', (engine) => {
  let test: TestDatabase;
  let database: Database;
  let cluster: MemoryCluster;
  let backupDir: string;
  const platforms: Platform[] = [];

  const start = async (db: Database, workerId: string, overrides: Record<string, string> = {}) => {
    const platform = await startTestPlatform(db, cluster, { BACKUP_DIR: backupDir, ...overrides }, workerId);
    platforms.push(platform);
    return platform;
  };

  beforeEach(async () => {
    test = await createTestDatabase(engine);
    database = test.database;
    cluster = new MemoryCluster();
    backupDir = mkdtempSync(join(tmpdir(), 'storefleet-backups-'));
  });
  afterEach(async () => {
    for (const platform of platforms.splice(0)) await platform.stop();
    await test.close();
    rmSync(backupDir, { recursive: true, force: true });
  });

  it.each(killCases)(
    '%s: a worker killed during step "%s" leaves work another one finishes',
    async (operation, step) => {
      const call = STEP_CALLS[step] ?? expect.unreachable(`no cluster call for step ${step}`);
      let fromBackup: string | undefined;
      if (operation === 'provision-from-backup') {
        const first = await start(database, 'first');
        const { store: source } = await first.stores.create({ name: 'Source Shop', engine: 'medusa' }, owner);
        const ready = await waitForState(database, source.id, 'Ready');
        cluster.data.set(ready.namespace, 'the first order');
        const backup = await first.stores.operations.backup(ready);
        await waitForState(database, source.id, 'Ready');
        expect((await new BackupsRepository(database.db).get(backup.id))?.status).toBe('succeeded');
        fromBackup = backup.id;
        await first.stop();
      }

      let gate = cluster.blockOn(call);
      const doomed = await start(database, 'doomed', { LEASE_DURATION: '600ms' });
      const { store } = await doomed.stores.create(
        { name: `Kill ${step}`, engine: 'medusa', ...(fromBackup ? { fromBackup } : {}) },
        owner,
      );
      for (let passed = 0; passed < earlierCalls(operation, step); passed++) {
        await gate.reached;
        // Synchronously: the next call of this kind blocks again, this one goes on.
        cluster.clearBehaviour(call);
        const through = gate;
        gate = cluster.blockOn(call);
        through.open();
      }
      await gate.reached;
      // Killed in the step meant: the steps before it are done, this one is under way.
      const steps: readonly string[] = LIFECYCLE[operation].steps;
      const timings = (await new StoresRepository(database.db).get(store.id))?.stepTimings[operation] ?? {};
      const finished = Object.keys(timings).filter((name) => timings[name as Step]?.finishedAt);
      expect(finished.sort()).toEqual(steps.slice(0, steps.indexOf(step)).sort());
      expect(timings[step as Step]).toMatchObject({ finishedAt: null });
      doomed.worker.kill();
      cluster.clearBehaviour(call);

      await start(await test.openAnother(), 'survivor');
      const ready = await waitForState(database, store.id, 'Ready');
      expect(ready.attempts).toBe(2);
      expect(cluster.overlaps).toBe(0);
      expect(cluster.releases.get(ready.release)).toBe(1);
      expect(Object.keys(ready.stepTimings[operation] ?? {}).sort()).toEqual(
        [...LIFECYCLE[operation].steps].sort(),
      );
      const activity = await new ActivityRepository(database.db).list({ storeId: store.id, limit: 100 });
      expect(activity.filter((entry) => entry.type === 'store.ready')).toHaveLength(1);
      if (operation === 'provision-from-backup') {
        expect(cluster.data.get(ready.namespace)).toBe('the first order');
        expect(ready.conditions.find((c) => c.type === 'Restored')).toMatchObject({ status: 'True' });
        expect(activity.find((entry) => entry.type === 'store.ready')?.details).toMatchObject({
          backupId: fromBackup,
        });
      }
    },
  );
});
