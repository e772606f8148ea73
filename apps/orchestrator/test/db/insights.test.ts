// Store insights in the database, on both engines, with an injected clock: minute points become
// hour points and are then removed, hour points are removed after 30 days; series and the fleet
// summary add points up per range and per owner.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InsightsQueries } from '../../src/app/insights-queries.ts';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { HOUR_MS, InsightsRepository, type StoreSample } from '../../src/db/insights-repository.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import { newStore, type Store } from '../../src/domain/store.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';

const T0 = new Date('2026-03-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
let counter = 0;

function makeStore(slug: string, ownerId: string): Store {
  counter++;
  return newStore({
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    name: slug,
    slug,
    engine: 'medusa',
    ownerId,
    resourcePrefix: 'store-',
    now: T0,
  });
}

function sample(storeId: string, values: Partial<StoreSample> = {}): StoreSample {
  return {
    storeId,
    requests: 10,
    clientErrors: 2,
    serverErrors: 1,
    latencyP95Ms: 120,
    cpuMillicores: 50,
    cpuLimitMillicores: 1000,
    memoryBytes: 100 * 2 ** 20,
    memoryLimitBytes: 1024 * 2 ** 20,
    diskBytes: null,
    orders: 0,
    revenue: 0,
    currency: 'eur',
    ...values,
  };
}

describe.each(ENGINES)('store insights on %s', (engine) => {
  let test: TestDatabase;
  let samples: InsightsRepository;
  let a: Store;
  let b: Store;

  beforeEach(async () => {
    test = await createTestDatabase(engine);
    samples = new InsightsRepository(test.database.db);
    const stores = new StoresRepository(test.database.db);
    a = makeStore(`alpha-${counter}`, 'owner-a');
    b = makeStore(`beta-${counter}`, 'owner-b');
    await stores.insert(a);
    await stores.insert(b);
    // Through provisioning: the repository accepts only the moves the lifecycle table allows.
    for (const store of [a, b]) {
      await stores.update(store.id, { state: 'Provisioning' }, {}, T0);
      await stores.update(store.id, { state: 'Ready', readyAt: T0 }, {}, T0);
    }
  });
  afterEach(async () => {
    await test.close();
  });

  it('rolls minute points up into hours, removes them after 24 h, and removes hours after 30 days', async () => {
    // Two hours of minute points (00:01..02:00), one an hour of heavy traffic.
    for (let minute = 1; minute <= 120; minute++) {
      await samples.record(at(minute), 60, [
        sample(a.id, {
          requests: minute <= 60 ? 10 : 1,
          orders: minute === 30 ? 2 : 0,
          revenue: minute === 30 ? 45.5 : 0,
        }),
      ]);
    }
    await samples.compact(at(121));
    expect(await samples.rowCounts()).toEqual({ minute: 120, hour: 2 });

    // A day later the minute rows of those hours are gone, their hour rows stay with the sums.
    const removed = await samples.compact(new Date(at(120).getTime() + 25 * HOUR_MS));
    expect(removed.minuteRowsRemoved).toBe(120);
    expect(await samples.rowCounts()).toEqual({ minute: 0, hour: 2 });
    const hours = await test.database.db
      .selectFrom('store_samples')
      .selectAll()
      .where('resolution', '=', 'hour')
      .orderBy('at')
      .execute();
    expect(
      hours.map((h) => [new Date(h.at).toISOString(), h.requests, h.orders, h.revenue, h.seconds]),
    ).toEqual([
      ['2026-03-01T01:00:00.000Z', 600, 2, 45.5, 3600],
      ['2026-03-01T02:00:00.000Z', 60, 0, 0, 3600],
    ]);
    expect(Number(hours[0]?.memory_bytes)).toBe(100 * 2 ** 20);

    // Thirty days on, the hour rows go too.
    const later = await samples.compact(new Date(at(120).getTime() + 31 * 24 * HOUR_MS));
    expect(later.hourRowsRemoved).toBe(2);
    expect(await samples.rowCounts()).toEqual({ minute: 0, hour: 0 });
  });

  it('rolls up minute rows that missed their roll-up (the orchestrator was down) before removing them', async () => {
    for (let minute = 1; minute <= 30; minute++) await samples.record(at(minute), 60, [sample(a.id)]);
    // No compaction until two days later.
    await samples.compact(new Date(T0.getTime() + 48 * HOUR_MS));
    const rows = await test.database.db.selectFrom('store_samples').selectAll().execute();
    expect(rows.map((r) => [r.resolution, r.requests])).toEqual([['hour', 300]]);
  });

  it("answers a store's series per range, with not-reported measures as null and sleep events", async () => {
    for (let minute = 1; minute <= 30; minute++) {
      await samples.record(at(minute), 60, [
        sample(a.id, { memoryBytes: minute > 20 ? 0 : 100 * 2 ** 20, diskBytes: null }),
        sample(b.id, { requests: 3 }),
      ]);
    }
    await new ActivityRepository(test.database.db).append(
      { storeId: a.id, type: 'store.sleeping', message: 'going to sleep' },
      at(20),
    );
    const queries = new InsightsQueries(test.database.db, {
      sampleIntervalMs: 60_000,
      idleAfterMs: HOUR_MS,
      idleSleepEnabled: false,
    });
    const hour = await queries.storeSeries(a.id, '1h', at(30));
    expect(hour.points).toHaveLength(30);
    expect(hour.totals).toMatchObject({ requests: 300, clientErrors: 60, serverErrors: 30, currency: 'eur' });
    expect(hour.points.at(-1)).toMatchObject({ memoryBytes: 0, diskBytes: null, requests: 10 });
    expect(hour.points[0]).toMatchObject({ memoryBytes: 100 * 2 ** 20, memoryLimitBytes: 1024 * 2 ** 20 });
    expect(hour.events).toEqual([{ at: at(20).toISOString(), kind: 'sleep' }]);

    const day = await queries.storeSeries(a.id, '24h', at(30));
    expect(day.stepSeconds).toBe(600);
    expect(day.points.map((p) => p.requests)).toEqual([100, 100, 100]);

    // The fleet: an owner sees only their own store; an admin both.
    const own = await queries.fleet('1h', 'owner-b', at(30));
    expect(own.traffic.reduce((sum, p) => sum + (p.requests ?? 0), 0)).toBe(90);
    expect(own.top.traffic.map((f) => [f.slug, f.value])).toEqual([[b.slug, 90]]);
    const all = await queries.fleet('1h', undefined, at(30));
    expect(all.traffic.reduce((sum, p) => sum + (p.requests ?? 0), 0)).toBe(390);
    expect(all.top.memory.map((f) => f.slug)).toEqual([b.slug]);
  });

  it('lists stores near their quota and stores idle for the idle window', async () => {
    await samples.record(at(1), 60, [
      sample(a.id, { memoryBytes: 900 * 2 ** 20, requests: 0 }),
      sample(b.id, { memoryBytes: 10 * 2 ** 20, requests: 5 }),
    ]);
    const queries = new InsightsQueries(test.database.db, {
      sampleIntervalMs: 60_000,
      idleAfterMs: 30 * 60_000,
      idleSleepEnabled: true,
    });
    const now = await queries.fleet('1h', undefined, at(3));
    expect(now.nearQuota.stores.map((f) => [f.slug, f.value])).toEqual([[a.slug, 0.879]]);
    expect(now.idle.stores).toEqual([]);
    const fleet = await queries.fleet('1h', undefined, at(40));
    // The last sample is too old to say how near its quota a store is now.
    expect(fleet.nearQuota.stores).toEqual([]);
    // a served nothing since it became Ready (T0): 40 minutes; b's last request was at minute 1: 39.
    expect(fleet.idle.stores.map((f) => [f.slug, f.value])).toEqual([
      [a.slug, 40 * 60],
      [b.slug, 39 * 60],
    ]);
  });
});
