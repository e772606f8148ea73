import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import type { JobKind } from '../../src/domain/store.ts';
import { newStore } from '../../src/domain/store.ts';
import { enqueueFleetJob, enqueueJob, type QueuedJob, WorkQueue } from '../../src/queue/work-queue.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { waitFor } from '../support/harness.ts';

async function addStore(database: Database, kind: JobKind = 'provision'): Promise<string> {
  const id = randomUUID();
  const store = newStore({
    id,
    name: id,
    slug: `s-${id.slice(0, 8)}`,
    engine: 'woocommerce',
    ownerId: 'o',
    resourcePrefix: 'store-',
    now: new Date(),
  });
  await new StoresRepository(database.db).insert(store);
  await enqueueJob(database.db, id, kind);
  return id;
}

/** A fleet upgrade run over the given stores, with the job that paces it. */
async function addFleetRun(database: Database, storeIds: string[]): Promise<string> {
  const id = randomUUID();
  await database.db
    .insertInto('fleet_upgrades')
    .values({
      id,
      state: 'running',
      store_ids: JSON.stringify(storeIds),
      upgraded_ids: '[]',
      concurrency: 1,
      message: '',
      created_by: 'ops@example.com',
      created_at: new Date(),
    })
    .execute();
  await enqueueFleetJob(database.db, id);
  return id;
}

/** The store a job is about (undefined for a job about something else). */
const storeOf = (job: QueuedJob | undefined) => (job && 'storeId' in job ? job.storeId : undefined);

describe.each(ENGINES)('work queue on %s', (engine) => {
  let test: TestDatabase;
  let database: Database;

  beforeEach(async () => {
    test = await createTestDatabase(engine);
    database = test.database;
  });
  afterEach(async () => {
    await test.close();
  });

  it('hands each job to exactly one of many concurrent claimers, across connections', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) ids.add(await addStore(database));
    const replicas = [database, await test.openAnother(), await test.openAnother()];
    const queues = replicas.map(
      (d) => new WorkQueue(d.db, { leaseMs: 60_000, maxConcurrentProvisions: 100 }),
    );
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => queues[i % queues.length]!.claim(`worker-${i}`)),
    );
    const claimed = claims.filter((job) => job !== undefined).map(storeOf);
    expect(claimed).toHaveLength(12);
    expect(new Set(claimed)).toEqual(ids);
  });

  it('lets another worker take over a job whose lease expired, and fences out the old holder', async () => {
    await addStore(database);
    // Long enough that a stalled machine cannot let the lease run out before the second look.
    const leaseMs = 2000;
    const queue = new WorkQueue(database.db, { leaseMs, maxConcurrentProvisions: 10 });
    const claimedAt = Date.now();
    const first = await queue.claim('dead-worker');
    expect(first?.attempts).toBe(1);
    expect(await queue.claim('other')).toBeUndefined();
    const second = await waitFor(() => queue.claim('other'), 'the lease to run out', leaseMs + 5000, 100);
    // Not taken over before the lease ran out (with some slack for the clocks' resolution).
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(leaseMs - 20);
    expect(second).toMatchObject({ storeId: storeOf(first), attempts: 2, leaseOwner: 'other' });
    expect(await queue.heartbeat(first!)).toBe('lost');
    await queue.complete(first!);
    expect(await queue.heartbeat(second!)).toBe('held');
  });

  it('tells a worker that a newer request superseded its job, and keeps that request', async () => {
    const storeId = await addStore(database, 'provision');
    const queue = new WorkQueue(database.db, { leaseMs: 60_000, maxConcurrentProvisions: 10 });
    const provisioning = await queue.claim('w1');
    await enqueueJob(database.db, storeId, 'delete');
    expect(await queue.heartbeat(provisioning!)).toBe('superseded');
    await queue.complete(provisioning!);
    const deletion = await queue.claim('w2');
    expect(deletion).toMatchObject({ storeId, kind: 'delete', attempts: 1 });
    await queue.complete(deletion!);
    expect(await queue.claim('w3')).toBeUndefined();
  });

  it('holds MAX_CONCURRENT_PROVISIONS across replicas, while deletes are never held back', async () => {
    for (let i = 0; i < 5; i++) await addStore(database, 'provision');
    const deleteId = await addStore(database, 'delete');
    const other = await test.openAnother();
    const a = new WorkQueue(database.db, { leaseMs: 60_000, maxConcurrentProvisions: 2 });
    const b = new WorkQueue(other.db, { leaseMs: 60_000, maxConcurrentProvisions: 2 });
    const claims = await Promise.all([
      a.claim('a1'),
      b.claim('b1'),
      a.claim('a2'),
      b.claim('b2'),
      a.claim('a3'),
    ]);
    const got = claims.filter((job) => job !== undefined);
    expect(got.filter((job) => job.kind === 'provision')).toHaveLength(2);
    expect(got.filter((job) => job.kind === 'delete').map(storeOf)).toEqual([deleteId]);
    expect(await a.depth()).toEqual({ running: 3, pending: 3 });

    const finished = got.find((job) => job.kind === 'provision')!;
    await a.complete(finished);
    expect((await b.claim('b3'))?.kind).toBe('provision');
    expect(await b.claim('b4')).toBeUndefined();
  });

  it('retries later: the job stays invisible until its delay has passed', async () => {
    await addStore(database);
    const queue = new WorkQueue(database.db, { leaseMs: 60_000, maxConcurrentProvisions: 10 });
    const job = await queue.claim('w');
    // Long enough that a stalled machine cannot let the delay pass before the second look.
    const delayMs = 3000;
    const retriedAt = Date.now();
    await queue.retryLater(job!, delayMs, 'boom');
    expect(await queue.claim('w')).toBeUndefined();
    const again = await waitFor(() => queue.claim('w'), 'the retry delay to pass', delayMs + 5000, 100);
    // Not handed out before its delay had passed (with some slack for the clocks' resolution).
    expect(Date.now() - retriedAt).toBeGreaterThanOrEqual(delayMs - 20);
    expect(again).toMatchObject({ attempts: 2, lastError: 'boom' });
  });

  it('gives a released job back at once', async () => {
    await addStore(database);
    const queue = new WorkQueue(database.db, { leaseMs: 60_000, maxConcurrentProvisions: 10 });
    const job = await queue.claim('w');
    await queue.release(job!);
    expect((await queue.claim('w2'))?.leaseOwner).toBe('w2');
  });

  it('holds a fleet job beside store jobs: one job per subject, and the fleet job is not a provision', async () => {
    const storeId = await addStore(database, 'provision');
    const busyId = await addStore(database, 'provision');
    const runId = await addFleetRun(database, [storeId, busyId]);
    // Enqueueing the run's job again keeps the one job; a store's newer request still replaces its own.
    await enqueueFleetJob(database.db, runId);
    await enqueueJob(database.db, storeId, 'upgrade');
    const rows = await database.db
      .selectFrom('work_queue')
      .select(['store_id', 'fleet_upgrade_id', 'kind', 'version'])
      .orderBy('kind')
      .execute();
    expect(rows).toEqual([
      { store_id: null, fleet_upgrade_id: runId, kind: 'fleet-upgrade', version: 1 },
      { store_id: busyId, fleet_upgrade_id: null, kind: 'provision', version: 1 },
      { store_id: storeId, fleet_upgrade_id: null, kind: 'upgrade', version: 2 },
    ]);
    // A job is about exactly one subject.
    await expect(
      database.db
        .insertInto('work_queue')
        .values({
          id: randomUUID(),
          store_id: storeId,
          fleet_upgrade_id: runId,
          kind: 'fleet-upgrade',
          version: 1,
          run_at: new Date(),
          attempts: 0,
          payload: '{}',
          created_at: new Date(),
          updated_at: new Date(),
        })
        .execute(),
    ).rejects.toThrow();

    // With MAX_CONCURRENT_PROVISIONS taken by one store job, the fleet job is still handed out.
    const queue = new WorkQueue(database.db, { leaseMs: 60_000, maxConcurrentProvisions: 1 });
    const first = await queue.claim('w1');
    const second = await queue.claim('w2');
    expect(await queue.claim('w3')).toBeUndefined();
    const claimed = [first, second];
    const fleetJob = claimed.find((job) => job?.kind === 'fleet-upgrade');
    expect(fleetJob).toMatchObject({ fleetUpgradeId: runId, attempts: 1, leaseOwner: expect.any(String) });
    expect(claimed.filter((job) => job?.kind !== 'fleet-upgrade')).toHaveLength(1);
    expect(await queue.depth()).toEqual({ running: 2, pending: 1 });

    // The store job is superseded by a newer request while it runs, as before; the fleet job is not.
    const storeJob = claimed.find((job) => job?.kind !== 'fleet-upgrade')!;
    await enqueueJob(database.db, storeOf(storeJob)!, 'delete');
    expect(await queue.heartbeat(storeJob)).toBe('superseded');
    expect(await queue.heartbeat(fleetJob!)).toBe('held');
    await queue.complete(storeJob);
    const deletion = await queue.claim('w4');
    expect(deletion).toMatchObject({ storeId: storeOf(storeJob), kind: 'delete' });

    expect(await queue.claim('w5')).toMatchObject({ storeId, kind: 'upgrade' });

    // A fleet job paces again later, like any retried job, and is gone once completed.
    await queue.retryLater(fleetJob!, 0, null);
    const again = await queue.claim('w6');
    expect(again).toMatchObject({ kind: 'fleet-upgrade', fleetUpgradeId: runId, attempts: 2 });
    await queue.complete(again!);
    const left = await database.db.selectFrom('work_queue').select('fleet_upgrade_id').execute();
    expect(left.filter((row) => row.fleet_upgrade_id !== null)).toEqual([]);
  });
});
