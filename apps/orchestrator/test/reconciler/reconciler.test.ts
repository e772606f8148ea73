import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/port.ts';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import type { Database } from '../../src/db/database.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import { createTestDatabase, ENGINES } from '../support/databases.ts';
import { startTestPlatform, waitFor, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';
import { platformBed } from '../support/platform-bed.ts';

const owner = { ownerId: 'owner-1' };

describe.each(ENGINES)('reconciler on %s', (engine) => {
  const bed = platformBed(engine);
  const { start } = bed;

  it('provisions a store to Ready with every condition true, timings and activity recorded', async () => {
    const platform = await start();
    const { store } = await platform.commands.create({ name: 'Happy Path', engine: 'woocommerce' }, owner);
    const ready = await waitForState(bed.database, store.id, 'Ready');

    expect(ready.conditions.map((c) => [c.type, c.status])).toEqual([
      ['NamespaceReady', 'True'],
      ['SecretsReady', 'True'],
      ['ReleaseDeployed', 'True'],
      ['DatabaseReady', 'True'],
      ['AppReady', 'True'],
      ['StoreConfigured', 'True'],
    ]);
    const timings = ready.stepTimings.provision ?? {};
    const stepsInOrder = Object.entries(timings)
      .sort(([, a], [, b]) => a.startedAt.localeCompare(b.startedAt))
      .map(([step]) => step);
    expect(stepsInOrder).toEqual(['namespace', 'secrets', 'release', 'ready', 'serving']);
    expect(Object.keys(ready.stepTimings)).toEqual(['provision']);
    for (const timing of Object.values(timings)) {
      expect(timing.finishedAt).not.toBeNull();
      expect(timing.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(ready).toMatchObject({ revision: 1, attempts: 1, failure: null });
    expect(ready.readyAt).not.toBeNull();
    expect(bed.cluster.namespaces.existing.has('store-happy-path')).toBe(true);
    expect(bed.cluster.releases.current.get('store-happy-path')).toBe(1);
    // The store.ready entry is written just after the store turns Ready.
    const activities = new ActivityRepository(bed.database.db);
    const activity = await waitFor(async () => {
      const entries = await activities.list({ storeId: store.id, limit: 20 });
      return entries.some((a) => a.type === 'store.ready') ? entries : undefined;
    }, 'the store.ready activity');
    expect(activity.map((a) => a.type).reverse()).toEqual([
      'store.created',
      'store.provisioning',
      'store.ready',
    ]);
    await waitFor(async () => (await jobCount(bed.database)) === 0, 'the queue to drain');
  });

  it('never lets two workers work the same store at once, and finishes every store', async () => {
    bed.cluster.stepDelayMs = 15;
    const a = await start(
      { MAX_CONCURRENT_PROVISIONS: '20', WORKER_CONCURRENCY: '4' },
      bed.database,
      'replica-a',
    );
    await start(
      { MAX_CONCURRENT_PROVISIONS: '20', WORKER_CONCURRENCY: '4' },
      await bed.test.openAnother(),
      'replica-b',
    );
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push((await a.commands.create({ name: `Parallel ${i}`, engine: 'woocommerce' }, owner)).store.id);
    for (const id of ids) await waitForState(bed.database, id, 'Ready', 30_000);
    expect(bed.cluster.overlaps).toBe(0);
    expect(bed.cluster.maxConcurrentProvisioning).toBeGreaterThan(1);
    expect(bed.cluster.releases.current.size).toBe(12);
    expect([...bed.cluster.releases.current.values()].every((revision) => revision === 1)).toBe(true);
  });

  it('bounds provisioning by MAX_CONCURRENT_PROVISIONS across replicas', async () => {
    bed.cluster.stepDelayMs = 30;
    const overrides = { MAX_CONCURRENT_PROVISIONS: '2', WORKER_CONCURRENCY: '4' };
    const a = await start(overrides, bed.database, 'replica-a');
    await start(overrides, await bed.test.openAnother(), 'replica-b');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push((await a.commands.create({ name: `Bounded ${i}`, engine: 'woocommerce' }, owner)).store.id);
    for (const id of ids) await waitForState(bed.database, id, 'Ready', 30_000);
    expect(bed.cluster.maxConcurrentProvisioning).toBe(2);
  });

  it('lets another worker finish the work of a worker killed mid-step', async () => {
    const gate = bed.cluster.blockOn('installRelease');
    // A short lease: the survivor takes the job over once it runs out.
    const doomed = await start({ LEASE_DURATION: '600ms' }, bed.database, 'doomed');
    const { store } = await doomed.commands.create({ name: 'Crash Test', engine: 'woocommerce' }, owner);
    await gate.reached;
    doomed.worker.kill();
    bed.cluster.clearBehaviour('installRelease');

    await start({}, await bed.test.openAnother(), 'survivor');
    const ready = await waitForState(bed.database, store.id, 'Ready');
    expect(ready.attempts).toBe(2);
    expect(bed.cluster.releases.current.get('store-crash-test')).toBe(1);
    expect(bed.cluster.overlaps).toBe(0);
  });

  it('fails an attempt whose step hangs past PROVISION_TIMEOUT, then retries and succeeds', async () => {
    bed.cluster.hangOn('waitUntilReady', 1);
    // Long enough for the whole second attempt on a busy machine; the first one hangs until it runs out.
    const platform = await start({ PROVISION_TIMEOUT: '2s' });
    const { store } = await platform.commands.create({ name: 'Slow Poke', engine: 'woocommerce' }, owner);
    const ready = await waitForState(bed.database, store.id, 'Ready');
    expect(ready.attempts).toBe(2);
    const activity = await new ActivityRepository(bed.database.db).list({ storeId: store.id, limit: 20 });
    const retry = activity.find((a) => a.type === 'store.retry_scheduled');
    expect(retry?.message).toMatch(
      /^Attempt 1 of 3 failed at step "ready": Could not wait for the database, the app and the setup job within 2s \(PROVISION_TIMEOUT\)\. Retrying in \d+ms\.$/,
    );
  });

  it('marks the store Failed with the step and the cause in words after the last retry', async () => {
    bed.cluster.failOn(
      'installRelease',
      new ClusterError(
        'HelmFailed',
        "helm install failed: values don't meet the specifications of the schema",
        {
          retryable: true,
        },
      ),
    );
    const platform = await start({ MAX_PROVISION_RETRIES: '2' });
    const { store } = await platform.commands.create({ name: 'Doomed Shop', engine: 'woocommerce' }, owner);
    const failed = await waitForState(bed.database, store.id, 'Failed');
    expect(failed.attempts).toBe(3);
    expect(failed.failure).toEqual({
      operation: 'provision',
      step: 'release',
      reason: 'HelmFailed',
      message:
        'Step "release" failed: helm install failed: values don\'t meet the specifications of the schema (gave up after 3 attempts)',
      retryable: true,
    });
    expect(failed.conditions.find((c) => c.type === 'ReleaseDeployed')).toMatchObject({
      status: 'False',
      reason: 'HelmFailed',
    });
    expect(bed.cluster.calls.filter((c) => c.operation === 'installRelease')).toHaveLength(3);

    bed.cluster.clearBehaviour('installRelease');
    await platform.commands.retry(store.id);
    const ready = await waitForState(bed.database, store.id, 'Ready');
    expect(ready.failure).toBeNull();
  });

  it("undoes the release change of a last attempt whose workloads never became ready, as helm's rollback-on-failure did", async () => {
    const platform = await start({ MAX_PROVISION_RETRIES: '1' });
    const never = new ClusterError('ImageMissing', 'App app: 0/1 ready. Pod app-0: ErrImageNeverPull.', {
      retryable: true,
      condition: 'AppReady',
    });

    // A first install: removed once the last attempt gives up.
    bed.cluster.failOn('waitUntilReady', never, 2);
    const { store } = await platform.commands.create({ name: 'Unready Shop', engine: 'woocommerce' }, owner);
    const failed = await waitForState(bed.database, store.id, 'Failed');
    expect(failed.failure).toMatchObject({ step: 'ready', reason: 'ImageMissing' });
    expect(failed.failure?.message).toMatch(/\(gave up after 2 attempts\) The release was uninstalled\.$/);
    expect(bed.cluster.calls.filter((c) => c.operation === 'installRelease')).toHaveLength(1);
    expect(bed.cluster.calls.filter((c) => c.operation === 'uninstallRelease')).toHaveLength(1);

    bed.cluster.clearBehaviour('waitUntilReady');
    await platform.commands.retry(store.id);
    const ready = await waitForState(bed.database, store.id, 'Ready');
    expect(ready.revision).toBe(1);

    // An upgrade: rolled back to the revision the store ran before it.
    bed.cluster.failOn('waitUntilReady', never, 2);
    await platform.commands.upgrade(store.id, { replicas: 2 });
    const upgradeFailed = await waitForState(bed.database, store.id, 'Failed');
    expect(upgradeFailed.failure).toMatchObject({ operation: 'upgrade', step: 'ready' });
    expect(upgradeFailed.failure?.message).toMatch(/The release was rolled back to revision 1\.$/);
    const rollbacks = bed.cluster.calls.filter((c) => c.operation === 'rollbackRelease');
    expect(rollbacks).toHaveLength(1);
    bed.cluster.clearBehaviour('waitUntilReady');
  });

  it('does not retry an error that cannot heal by itself', async () => {
    bed.cluster.failOn(
      'ensureSecrets',
      new ClusterError('Forbidden', 'secrets is forbidden for this account', { retryable: false }),
    );
    const platform = await start();
    const { store } = await platform.commands.create(
      { name: 'Forbidden Shop', engine: 'woocommerce' },
      owner,
    );
    const failed = await waitForState(bed.database, store.id, 'Failed');
    expect(failed.attempts).toBe(1);
    expect(failed.failure).toMatchObject({ step: 'secrets', reason: 'Forbidden', retryable: false });
  });

  it('lets a delete win over provisioning in progress and leaves nothing behind', async () => {
    const gate = bed.cluster.blockOn('waitUntilReady');
    const platform = await start();
    const { store } = await platform.commands.create({ name: 'Short Lived', engine: 'woocommerce' }, owner);
    await gate.reached;
    expect(bed.cluster.namespaces.existing.has('store-short-lived')).toBe(true);
    await platform.commands.delete(store.id);
    const deleted = await waitForState(bed.database, store.id, 'Deleted');
    expect(deleted.deletedAt).not.toBeNull();
    expect(bed.cluster.isEmptyFor(deleted)).toBe(true);
    await waitFor(async () => (await jobCount(bed.database)) === 0, 'the delete job to complete');
    expect(bed.cluster.overlaps).toBe(0);
  });

  it('deletes a queued store that never reached the cluster without calling it', async () => {
    const platform = await start({ WORKER_CONCURRENCY: '1' });
    await platform.worker.stop();
    const { store } = await platform.commands.create({ name: 'Never Started', engine: 'medusa' }, owner);
    await platform.commands.delete(store.id);
    await start();
    await waitForState(bed.database, store.id, 'Deleted');
    expect(bed.cluster.calls).toEqual([]);
  });

  it('resumes mid-flight stores on start-up', async () => {
    const first = await start({ LEASE_DURATION: '300ms' }, bed.database, 'first');
    const gate = bed.cluster.blockOn('ensureSecrets');
    const { store } = await first.commands.create({ name: 'Resumed Shop', engine: 'woocommerce' }, owner);
    await gate.reached;
    first.worker.kill();
    await bed.stop(first);
    bed.cluster.clearBehaviour('ensureSecrets');
    expect((await new StoresRepository(bed.database.db).get(store.id))?.state).toBe('Provisioning');

    await start({}, bed.database, 'second');
    await waitForState(bed.database, store.id, 'Ready');
  });

  it('queues work on start-up for a mid-flight store that has no job', async () => {
    const first = await start({ WORKER_CONCURRENCY: '1' });
    await first.worker.stop();
    const { store } = await first.commands.create({ name: 'Orphan Shop', engine: 'woocommerce' }, owner);
    await bed.database.db.deleteFrom('work_queue').execute();
    await start();
    await waitForState(bed.database, store.id, 'Ready');
  });
});

describe('with no cluster configured', () => {
  it('fails a new store at once with a reason saying what to do, and still deletes it', async () => {
    const test = await createTestDatabase('pglite');
    const cluster = new MemoryCluster({ configured: false });
    const platform = await startTestPlatform(test.database, cluster);
    try {
      const { store } = await platform.commands.create(
        { name: 'Nowhere Shop', engine: 'woocommerce' },
        owner,
      );
      const failed = await waitForState(test.database, store.id, 'Failed');
      expect(failed.failure).toMatchObject({
        reason: 'ClusterNotConfigured',
        retryable: false,
        step: 'namespace',
      });
      expect(failed.failure?.message).toMatch(/in-memory test cluster/);
      await platform.commands.delete(store.id);
      await waitForState(test.database, store.id, 'Deleted');
      expect(cluster.calls).toEqual([]);
    } finally {
      await platform.stop();
      await test.close();
    }
  });
});

async function jobCount(database: Database): Promise<number> {
  const rows = await database.db.selectFrom('work_queue').select('id').execute();
  return rows.length;
}
