// Part 4: the control plane's own data at 10,000 stores (rows written directly, with their activity),
// on PGlite and on a throwaway PostgreSQL server: list pages, metrics, one status update, SSE fan-out
// to 100 clients, the orchestrator's memory; beside it, the seed design's whole-state JSON file.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONDITION_TYPES } from '@storefleet/contracts';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../../apps/orchestrator/src/db/database.ts';
import { StoresRepository } from '../../apps/orchestrator/src/db/stores-repository.ts';
import { setCondition } from '../../apps/orchestrator/src/domain/conditions.ts';
import { newStore, type Store } from '../../apps/orchestrator/src/domain/store.ts';
import { startPostgresServer } from '../../apps/orchestrator/test/support/postgres-server.ts';
import { type Orchestrator, REPO, rssBytes, startOrchestrator, untilIdle } from '../lib/env.ts';
import { median, mib, ms, percentile, ratio, since } from '../lib/stats.ts';
import type { Report } from '../report.ts';

/** The stores' owners: account ids are UUIDs (the list joins stores to their owners' accounts). */
const OWNERS = Array.from({ length: 100 }, () => randomUUID());
const BATCH = 500;

/** A Ready store of the kind provisioning leaves behind, `index` seconds older than `now`. */
function readyStore(index: number, now: number): Store {
  const created = new Date(now - index * 1000);
  const store = newStore({
    id: randomUUID(),
    name: `Scale store ${index}`,
    slug: `scale-${index}`,
    engine: index % 2 === 0 ? 'woocommerce' : 'medusa',
    ownerId: OWNERS[index % OWNERS.length] as string,
    resourcePrefix: 'store-',
    now: created,
  });
  let conditions = store.conditions;
  for (const type of CONDITION_TYPES) {
    conditions = setCondition(conditions, { type, status: 'True', reason: 'Ready', message: 'ok' }, created);
  }
  return {
    ...store,
    state: 'Ready',
    conditions,
    revision: 1,
    chartVersion: '0.1.0',
    provisioningStartedAt: created,
    readyAt: new Date(created.getTime() + 30_000),
  };
}

/** Writes `count` Ready stores and three activity entries each; returns the stores. */
async function seed(database: Database, count: number): Promise<Store[]> {
  const now = Date.now();
  const stores = Array.from({ length: count }, (_, i) => readyStore(i, now));
  for (let i = 0; i < count; i += BATCH) {
    const batch = stores.slice(i, i + BATCH);
    await database.db.transaction().execute(async (trx) => {
      const repository = new StoresRepository(trx);
      for (const store of batch) await repository.insert(store);
    });
    await database.db
      .insertInto('activity')
      .values(
        batch.flatMap((store) =>
          ['store.created', 'store.provisioning', 'store.ready'].map((type, step) => ({
            store_id: store.id,
            type,
            message: `${type} ${store.name}`,
            details: JSON.stringify({}),
            created_at: new Date(store.createdAt.getTime() + step * 15_000),
          })),
        ),
      )
      .execute();
  }
  return stores;
}

/** One status update as the reconciler makes it: a condition changes on one store row. */
async function statusUpdates(database: Database, stores: Store[], count: number): Promise<number[]> {
  const repository = new StoresRepository(database.db);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const store = stores[(i * 97) % stores.length] as Store;
    const conditions = setCondition(
      store.conditions,
      { type: 'AppReady', status: i % 2 === 0 ? 'False' : 'True', reason: 'Bench', message: `update ${i}` },
      new Date(),
    );
    const start = performance.now();
    await repository.update(store.id, { conditions });
    samples.push(since(start));
  }
  return samples;
}

/** The seed design's way: every status update rewrites the whole state as one JSON file. */
function jsonFileUpdates(stores: Store[], count: number): { samples: number[]; bytes: number } {
  const dir = mkdtempSync(join(tmpdir(), 'storefleet-bench-json-'));
  const file = join(dir, 'state.json');
  const state = { stores: stores.map((store) => ({ ...store })) };
  const samples: number[] = [];
  let bytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const store = state.stores[(i * 97) % state.stores.length] as Store;
      const start = performance.now();
      store.conditions = setCondition(
        store.conditions,
        { type: 'AppReady', status: i % 2 === 0 ? 'False' : 'True', reason: 'Bench', message: `update ${i}` },
        new Date(),
      );
      const text = JSON.stringify(state);
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
      samples.push(since(start));
      bytes = text.length;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { samples, bytes };
}

async function timeGets(orchestrator: Orchestrator, path: string, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await fetch(`${orchestrator.address}${path}`, { headers: orchestrator.headers });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    samples.push(since(start));
  }
  return samples;
}

/** The cursor of the page `depth` pages of 100 down the list. */
async function deepCursor(orchestrator: Orchestrator, depth: number): Promise<string> {
  let cursor: string | null = null;
  for (let page = 0; page < depth; page++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(`${orchestrator.address}/api/stores?limit=100${query}`, {
      headers: orchestrator.headers,
    });
    cursor = ((await response.json()) as { nextCursor: string | null }).nextCursor;
    if (!cursor) throw new Error(`the list ended before page ${page + 1}`);
  }
  return cursor as string;
}

/** Time from a POST (a change) until each of `clients` SSE clients has its event; the slowest. */
async function fanOut(orchestrator: Orchestrator, clients: number, rounds: number): Promise<number[]> {
  const abort = new AbortController();
  const arrivals = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const open = async () => {
    const response = await fetch(`${orchestrator.address}/api/events`, {
      headers: orchestrator.headers,
      signal: abort.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>)
      .pipeThrough(new TextDecoderStream())
      .getReader();
    void (async () => {
      let buffer = '';
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (chunk.done) return;
        buffer += chunk.value;
        for (const match of buffer.matchAll(/event: store\ndata: \{"id":"([^"]+)"/g)) {
          const id = match[1] as string;
          arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
          if (arrivals.get(id) === clients) waiting.get(id)?.();
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
      }
    })();
  };
  await Promise.all(Array.from({ length: clients }, open));
  const samples: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      const response = await fetch(`${orchestrator.address}/api/stores`, {
        method: 'POST',
        headers: { ...orchestrator.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `fan out ${round} ${randomUUID().slice(0, 6)}`, engine: 'woocommerce' }),
      });
      const { id } = (await response.json()) as { id: string };
      await new Promise<void>((done) => {
        if ((arrivals.get(id) ?? 0) >= clients) done();
        else waiting.set(id, done);
      });
      samples.push(since(start));
      // Let the worker's own events for this store (it fails: no cluster) pass before the next round.
      await new Promise((done) => setTimeout(done, 300));
    }
  } finally {
    abort.abort();
  }
  return samples;
}

async function scaleOn(label: string, stores: number, report: Report, postgresUrl?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'storefleet-bench-scale-'));
  const location = postgresUrl ? { url: postgresUrl } : { dataDir: join(dataDir, 'pglite') };
  const env = {
    DATA_DIR: dataDir,
    RESYNC_INTERVAL: '1h',
    ...(postgresUrl ? { DATABASE_URL: postgresUrl } : {}),
  };
  try {
    // Idle: an orchestrator on the empty database.
    let database = await openDatabase(location);
    await database.close();
    const idle = await startOrchestrator(env);
    await untilIdle(idle.pid);
    const idleRss = await rssBytes(idle.pid);
    await idle.stop();

    database = await openDatabase(location);
    const start = performance.now();
    const seeded = await seed(database, stores);
    const seedMs = since(start);
    const updates = await statusUpdates(database, seeded, 200);
    await database.close();
    const json = label === 'pglite' ? jsonFileUpdates(seeded, 20) : undefined;

    const startup = performance.now();
    const orchestrator = await startOrchestrator(env);
    const startupMs = since(startup);
    try {
      const settleMs = await untilIdle(orchestrator.pid);
      const first = await timeGets(orchestrator, '/api/stores?limit=20', 200);
      const cursor = await deepCursor(orchestrator, Math.floor(stores / 200));
      const deep = await timeGets(
        orchestrator,
        `/api/stores?limit=20&cursor=${encodeURIComponent(cursor)}`,
        200,
      );
      const metrics = await timeGets(orchestrator, '/api/metrics', 50);
      const fan = await fanOut(orchestrator, 100, 10);
      const rss = await rssBytes(orchestrator.pid);
      const p = (samples: number[]) => `p50 ${ms(median(samples))} p99 ${ms(percentile(samples, 99))}`;
      report.result(
        `scale-${label}`,
        `${label} at ${stores} stores (+${stores * 3} activity; seeded in ${ms(seedMs)}, orchestrator listening after ` +
          `${ms(startupMs)}, idle after ${ms(settleMs)} more): GET /api/stores first page ${p(first)}, deep cursor page (${stores / 2} in) ${p(deep)} ` +
          `(n=200 each, target p99 < 25 ms); GET /api/metrics ${p(metrics)} (n=50); one status update ${p(updates)} ` +
          `(n=200); SSE fan-out of one change to 100 clients p50 ${ms(median(fan))} max ${ms(Math.max(...fan))} ` +
          `(n=10, POST to the 100th client); RSS idle ${mib(idleRss)}, at ${stores} stores ${mib(rss)}`,
        {
          firstP99: percentile(first, 99),
          deepP99: percentile(deep, 99),
          updateP50: median(updates),
          idleRss,
          rss,
        },
      );
      const worst = Math.max(percentile(first, 99), percentile(deep, 99));
      report.target(`list pages p99 on ${label} at ${stores} stores`, ms(worst), '< 25 ms', worst < 25);
      if (json) {
        report.result(
          'seed-json',
          `seed design (whole state as one ${mib(json.bytes)} JSON file rewritten per update, ${stores} stores): ` +
            `one status update p50 ${ms(median(json.samples))} (n=${json.samples.length}); ` +
            `${ratio(median(json.samples), median(updates))} the PGlite row update`,
          { p50: median(json.samples) },
        );
      }
    } finally {
      await orchestrator.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function scalePart(stores: number, report: Report): Promise<void> {
  const manifest = join(REPO, 'node_modules/@electric-sql/pglite/package.json');
  report.versions.pglite = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  await scaleOn('pglite', stores, report);
  let server: Awaited<ReturnType<typeof startPostgresServer>> | undefined;
  try {
    server = await startPostgresServer();
  } catch (error) {
    report.note('scale-postgres', `postgres: not run (${(error as Error).message.split('\n')[0]})`);
    return;
  }
  try {
    const database = await openDatabase({ url: server.url });
    const { rows } = await sql<{ server_version: string }>`show server_version`.execute(database.db);
    await database.close();
    report.versions.postgresql = rows[0]?.server_version ?? 'unknown';
    await scaleOn('postgres', stores, report, server.url);
  } finally {
    server.stop();
  }
}
