import { LIFECYCLE, type Step } from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { BackupsRepository } from '../../src/db/backups-repository.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import { ENGINES } from '../support/databases.ts';
import { waitForState } from '../support/harness.ts';
import type { ClusterOperation } from '../support/memory-cluster.ts';
import { platformBed } from '../support/platform-bed.ts';

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
// A Medusa store keeps no files, and there is no ingress to ask here: the real node proves these. A
// backup on the volume is not read back by a Job (s3-backups.test.ts runs the verify Job of a bucket's).
const NO_CLUSTER_CALL: readonly string[] = ['files-restore', 'serving', 'backup-verify'];

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
  const bed = platformBed(engine);

  it.each(killCases)(
    '%s: a worker killed during step "%s" leaves work another one finishes',
    async (operation, step) => {
      const call = STEP_CALLS[step] ?? expect.unreachable(`no cluster call for step ${step}`);
      let fromBackup: string | undefined;
      if (operation === 'provision-from-backup') {
        const first = await bed.start({}, bed.database, 'first');
        const { store: source } = await first.commands.create(
          { name: 'Source Shop', engine: 'medusa' },
          owner,
        );
        const ready = await waitForState(bed.database, source.id, 'Ready');
        bed.cluster.data.contents.set(ready.namespace, 'the first order');
        const backup = await first.operations.backup(ready);
        await waitForState(bed.database, source.id, 'Ready');
        expect((await new BackupsRepository(bed.database.db).get(backup.id))?.status).toBe('succeeded');
        fromBackup = backup.id;
        await first.stop();
      }

      let gate = bed.cluster.blockOn(call);
      const doomed = await bed.start({ LEASE_DURATION: '600ms' }, bed.database, 'doomed');
      const { store } = await doomed.commands.create(
        { name: `Kill ${step}`, engine: 'medusa', ...(fromBackup ? { fromBackup } : {}) },
        owner,
      );
      for (let passed = 0; passed < earlierCalls(operation, step); passed++) {
        await gate.reached;
        // Synchronously: the next call of this kind blocks again, this one goes on.
        bed.cluster.clearBehaviour(call);
        const through = gate;
        gate = bed.cluster.blockOn(call);
        through.open();
      }
      await gate.reached;
      // Killed in the step meant: the steps before it are done, this one is under way.
      const steps: readonly string[] = LIFECYCLE[operation].steps;
      const timings =
        (await new StoresRepository(bed.database.db).get(store.id))?.stepTimings[operation] ?? {};
      const finished = Object.keys(timings).filter((name) => timings[name as Step]?.finishedAt);
      expect(finished.sort()).toEqual(steps.slice(0, steps.indexOf(step)).sort());
      expect(timings[step as Step]).toMatchObject({ finishedAt: null });
      doomed.worker.kill();
      bed.cluster.clearBehaviour(call);

      await bed.start({}, await bed.test.openAnother(), 'survivor');
      const ready = await waitForState(bed.database, store.id, 'Ready');
      expect(ready.attempts).toBe(2);
      expect(bed.cluster.overlaps).toBe(0);
      expect(bed.cluster.releases.current.get(ready.release)).toBe(1);
      expect(Object.keys(ready.stepTimings[operation] ?? {}).sort()).toEqual(
        [...LIFECYCLE[operation].steps].sort(),
      );
      const activity = await new ActivityRepository(bed.database.db).list({ storeId: store.id, limit: 100 });
      expect(activity.filter((entry) => entry.type === 'store.ready')).toHaveLength(1);
      if (operation === 'provision-from-backup') {
        expect(bed.cluster.data.contents.get(ready.namespace)).toBe('the first order');
        expect(ready.conditions.find((c) => c.type === 'Restored')).toMatchObject({ status: 'True' });
        expect(activity.find((entry) => entry.type === 'store.ready')?.details).toMatchObject({
          backupId: fromBackup,
        });
      }
    },
  );
});
