import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import type { JobKind } from '../../src/domain/store.ts';
import { newStore } from '../../src/domain/store.ts';
import { enqueueJob, WorkQueue } from '../../src/queue/work-queue.ts';
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
    const claimed = claims.filter((job) => job !== undefined).map((job) => job.storeId);
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
    expect(second).toMatchObject({ storeId: first?.storeId, attempts: 2, leaseOwner: 'other' });
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
    expect(got.filter((job) => job.kind === 'delete').map((job) => job.storeId)).toEqual([deleteId]);
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
});
