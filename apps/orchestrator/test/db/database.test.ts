import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { AuditRepository } from '../../src/db/audit-repository.ts';
import { openDatabase } from '../../src/db/database.ts';
import { EVENTS_CHANNEL, StoresRepository } from '../../src/db/stores-repository.ts';
import { ForbiddenTransition } from '../../src/domain/lifecycle.ts';
import { newStore, type Store } from '../../src/domain/store.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { waitFor } from '../support/harness.ts';

let counter = 0;
function makeStore(slug: string, createdAt: Date, ownerId = 'owner-a'): Store {
  counter++;
  return newStore({
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    name: slug,
    slug,
    engine: 'woocommerce',
    ownerId,
    resourcePrefix: 'store-',
    now: createdAt,
  });
}

describe.each(ENGINES)('database on %s', (engine) => {
  let test: TestDatabase;
  let stores: StoresRepository;

  beforeEach(async () => {
    test = await createTestDatabase(engine);
    stores = new StoresRepository(test.database.db);
  });
  afterEach(async () => {
    await test.close();
  });

  it('reports its engine and answers a ping', async () => {
    expect(test.database.engine).toBe(engine);
    await expect(test.database.ping()).resolves.toBeUndefined();
  });

  it('creates every table through the migrations, and running them again changes nothing', async () => {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
      test.database.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'activity',
        'audit',
        'idempotency_keys',
        'locks',
        'store_domains',
        'stores',
        'work_queue',
      ]),
    );
    const again = await test.openAnother();
    const migrations = await sql<{ name: string }>`select name from kysely_migration`.execute(again.db);
    expect(migrations.rows.map((r) => r.name)).toEqual([
      '0001_initial',
      '0002_upgrades',
      '0003_accounts',
      '0004_fleet_upgrades',
      '0005_fleet_upgrade_leases',
      '0006_generations',
      '0007_queue_subjects',
      '0008_backups',
      '0009_operation_payloads',
      '0010_domains',
      '0011_store_insights',
      '0012_mail',
      '0013_backup_targets',
    ]);
  });

  it('stores and reads back a store with its conditions, timings and dates', async () => {
    const store = makeStore('round-trip', new Date('2026-03-01T12:00:00.123Z'));
    store.stepTimings = {
      provision: { namespace: { startedAt: '2026-03-01T12:00:01.000Z', finishedAt: null, durationMs: null } },
    };
    store.operation = 'provision-from-backup';
    store.payload = { backupId: '3f2a5c1e-9b7d-4e6f-8a1b-2c3d4e5f6a7b' };
    store.failure = {
      operation: 'provision',
      step: 'release',
      reason: 'HelmFailed',
      message: 'bad',
      retryable: true,
    };
    await stores.insert(store);
    expect(await stores.get(store.id)).toEqual(store);
  });

  it('keeps slugs unique among live stores but frees them once a store is deleted', async () => {
    const first = makeStore('shop', new Date());
    await stores.insert(first);
    await expect(stores.insert(makeStore('shop', new Date()))).rejects.toMatchObject({ code: '23505' });
    await stores.update(first.id, { state: 'Deleting' });
    await stores.update(first.id, { state: 'Deleted', deletedAt: new Date() });
    await expect(stores.insert(makeStore('shop', new Date()))).resolves.toBeUndefined();
  });

  it('refuses a write whose move between states the lifecycle table does not allow', async () => {
    const store = makeStore('strict', new Date());
    await stores.insert(store);
    // Queued → Ready skips provisioning: a bug in whoever writes it, refused before it reaches a row.
    await expect(stores.update(store.id, { state: 'Ready' }, { states: ['Queued'] })).rejects.toBeInstanceOf(
      ForbiddenTransition,
    );
    // Without a guard, only the states that lead there match: a Queued store is not Deleted at once.
    expect(await stores.update(store.id, { state: 'Deleted' })).toBeUndefined();
    expect((await stores.get(store.id))?.state).toBe('Queued');
    expect((await stores.update(store.id, { state: 'Provisioning' }))?.state).toBe('Provisioning');
  });

  it('pages newest first with a cursor and filters by state and owner', async () => {
    const base = Date.parse('2026-04-01T00:00:00Z');
    const created: Store[] = [];
    for (let i = 0; i < 7; i++) {
      const store = makeStore(`page-${i}`, new Date(base + i * 1000), i % 2 === 0 ? 'even' : 'odd');
      created.push(store);
      await stores.insert(store);
    }
    await stores.update(created[3]!.id, { state: 'Provisioning' });
    await stores.update(created[3]!.id, { state: 'Ready' });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await stores.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((s) => s.slug));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['page-6', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0']);

    expect((await stores.list({ limit: 10, state: 'Ready' })).items.map((s) => s.slug)).toEqual(['page-3']);
    expect((await stores.list({ limit: 10, ownerId: 'odd' })).items.map((s) => s.slug)).toEqual([
      'page-5',
      'page-3',
      'page-1',
    ]);
    await expect(stores.list({ limit: 3, cursor: 'garbage' })).rejects.toThrow(/cursor/);
  });

  it('applies a guarded update only while the guard holds', async () => {
    const store = makeStore('guarded', new Date());
    await stores.insert(store);
    expect(
      await stores.update(store.id, { state: 'Provisioning' }, { states: ['Provisioning'] }),
    ).toBeUndefined();
    expect((await stores.update(store.id, { state: 'Provisioning' }, { states: ['Queued'] }))?.state).toBe(
      'Provisioning',
    );
    // No job holds this lease token, so a fenced write is refused.
    expect(
      await stores.update(store.id, { attempts: 5 }, { leaseToken: '00000000-0000-4000-8000-00000000beef' }),
    ).toBeUndefined();
    expect((await stores.get(store.id))?.attempts).toBe(0);
  });

  it('announces every store change on the events channel', async () => {
    const received: string[] = [];
    const unlisten = await test.database.listen(EVENTS_CHANNEL, (payload) => received.push(payload));
    const store = makeStore('announced', new Date());
    await stores.insert(store);
    await stores.update(store.id, { state: 'Provisioning' });
    await waitFor(async () => received.length >= 2, 'two notifications');
    expect(received).toEqual([`store:${store.id}`, `store:${store.id}`]);
    await unlisten();
  });

  it('appends activity and audit entries and lists them newest first', async () => {
    const store = makeStore('logged', new Date());
    await stores.insert(store);
    const activity = new ActivityRepository(test.database.db);
    await activity.append({ storeId: store.id, type: 'store.created', message: 'one' });
    await activity.append({
      storeId: store.id,
      type: 'store.ready',
      message: 'two',
      details: { seconds: 3 },
    });
    await activity.append({ storeId: null, type: 'fleet.upgrade', message: 'three' });
    const forStore = await activity.list({ storeId: store.id, limit: 10 });
    expect(forStore.map((a) => a.message)).toEqual(['two', 'one']);
    expect(forStore[0]?.details).toEqual({ seconds: 3 });
    expect((await activity.list({ limit: 1, beforeId: forStore[0]!.id })).map((a) => a.message)).toEqual([
      'one',
    ]);

    const audit = new AuditRepository(test.database.db);
    await audit.append({
      actor: 'anonymous',
      actorId: null,
      ip: '127.0.0.1',
      userAgent: 'test',
      action: 'store.create',
      target: store.id,
      outcome: 'success',
      statusCode: 202,
      reason: null,
    });
    expect(await audit.list({ limit: 5 })).toMatchObject([
      { action: 'store.create', outcome: 'success', statusCode: 202 },
    ]);
  });
});

describe('PGlite under DATA_DIR', () => {
  it('keeps its data across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'storefleet-pglite-'));
    try {
      const first = await openDatabase({ dataDir });
      const store = makeStore('durable', new Date('2026-05-05T05:05:05Z'));
      await new StoresRepository(first.db).insert(store);
      await first.close();

      const second = await openDatabase({ dataDir });
      expect(await new StoresRepository(second.db).get(store.id)).toEqual(store);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
