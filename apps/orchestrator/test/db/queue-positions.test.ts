// A waiting store's place in the provisioning queue, on both database engines: the jobs that hold a
// slot, the jobs before it in claim order, and the expected wait from the last stores' median
// provisioning time.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueuePositions } from '../../src/app/queue-positions.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import { expectedWaitSeconds } from '../../src/domain/queue-wait.ts';
import { newStore, type Store } from '../../src/domain/store.ts';
import { enqueueJob, WorkQueue } from '../../src/queue/work-queue.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';

describe('the expected wait', () => {
  it('is nothing while a slot is free, then one typical provisioning per full round ahead', () => {
    const typical = 30;
    expect(expectedWaitSeconds({ running: 1, ahead: 0, slots: 2 }, typical)).toBe(0);
    expect(expectedWaitSeconds({ running: 2, ahead: 0, slots: 2 }, typical)).toBe(30);
    expect(expectedWaitSeconds({ running: 2, ahead: 1, slots: 2 }, typical)).toBe(30);
    expect(expectedWaitSeconds({ running: 2, ahead: 2, slots: 2 }, typical)).toBe(60);
    expect(expectedWaitSeconds({ running: 3, ahead: 4, slots: 3 }, typical)).toBe(60);
    expect(expectedWaitSeconds({ running: 2, ahead: 0, slots: 2 }, null)).toBeNull();
    expect(expectedWaitSeconds({ running: 0, ahead: 0, slots: 1 }, null)).toBe(0);
  });
});

describe.each(ENGINES)('queue positions on %s', (engine) => {
  let test: TestDatabase;
  let queue: WorkQueue;
  let positions: QueuePositions;
  const T0 = Date.now() - 3_600_000;

  async function addStore(index: number, ready?: { seconds: number }): Promise<Store> {
    const id = randomUUID();
    const store = newStore({
      id,
      name: `Shop ${index}`,
      slug: `shop-${index}-${id.slice(0, 6)}`,
      engine: 'medusa',
      ownerId: 'o',
      resourcePrefix: 'store-',
      now: new Date(T0),
    });
    await new StoresRepository(test.database.db).insert(store);
    if (ready) {
      await test.database.db
        .updateTable('stores')
        .set({
          state: 'Ready',
          provisioning_started_at: new Date(T0 + index * 1000),
          ready_at: new Date(T0 + index * 1000 + ready.seconds * 1000),
        })
        .where('id', '=', id)
        .execute();
    } else {
      // One job a millisecond apart: claims go by run_at.
      await enqueueJob(test.database.db, id, 'provision', { now: new Date(T0 + index) });
    }
    return store;
  }

  beforeEach(async () => {
    test = await createTestDatabase(engine);
    queue = new WorkQueue(test.database.db, { leaseMs: 60_000, maxConcurrentProvisions: 2 });
    positions = new QueuePositions(test.database.db, queue);
  });
  afterEach(async () => {
    await test.close();
  });

  it('says where each waiting store stands, and that a running one waits no more', async () => {
    const waiting = [];
    for (let i = 0; i < 5; i++) waiting.push(await addStore(i));
    // Nothing became Ready yet: no wait can be told unless a slot is free.
    expect(await positions.of(waiting[0] as Store)).toEqual({
      waiting: true,
      position: 1,
      running: 0,
      slots: 2,
      expectedWaitSeconds: 0,
    });
    const first = await queue.claim('worker-1');
    const second = await queue.claim('worker-2');
    expect([first, second].map((job) => (job && 'storeId' in job ? job.storeId : undefined))).toEqual([
      waiting[0]?.id,
      waiting[1]?.id,
    ]);
    expect(await positions.of(waiting[0] as Store)).toMatchObject({
      waiting: false,
      position: null,
      running: 2,
    });
    expect(await positions.of(waiting[4] as Store)).toEqual({
      waiting: true,
      position: 3,
      running: 2,
      slots: 2,
      expectedWaitSeconds: null,
    });

    // The last stores took 20, 40 and 100 s: the median, 40 s, per round of two ahead.
    await addStore(10, { seconds: 20 });
    await addStore(11, { seconds: 100 });
    await addStore(12, { seconds: 40 });
    expect(await positions.typicalProvisioningSeconds()).toBe(40);
    expect(await positions.of(waiting[2] as Store)).toMatchObject({ position: 1, expectedWaitSeconds: 40 });
    expect(await positions.of(waiting[4] as Store)).toMatchObject({ position: 3, expectedWaitSeconds: 80 });
    const ready = await addStore(13, { seconds: 30 });
    expect(await positions.of(ready)).toMatchObject({ waiting: false, position: null });
  });
});
