// Opens the system of record: PGlite (in-process PostgreSQL) under a data directory by default, or
// a PostgreSQL server when a URL is given. Both run the same migrations and the same queries.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { migrations } from './migrations/index.ts';
import type { Schema } from './schema.ts';

export type DatabaseEngine = 'pglite' | 'postgres';

export interface Database {
  readonly engine: DatabaseEngine;
  readonly db: Kysely<Schema>;
  /** Calls `onMessage` for every NOTIFY on `channel` (from any replica); returns an unsubscribe. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseLocation = { url: string } | { dataDir: string } | { inMemory: true };

export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  const database = 'url' in location ? openPostgres(location.url) : await openPGlite(location);
  try {
    await migrate(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

async function migrate(db: Kysely<Schema>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
}

async function openPGlite(location: { dataDir: string } | { inMemory: true }): Promise<Database> {
  if ('dataDir' in location) await mkdir(location.dataDir, { recursive: true });
  const pglite = await PGlite.create('dataDir' in location ? location.dataDir : undefined);
  const db = new Kysely<Schema>({ dialect: new PGliteDialect({ pglite }) });
  return {
    engine: 'pglite',
    db,
    async listen(channel, onMessage) {
      const unsubscribe = await pglite.listen(channel, onMessage);
      return async () => {
        if (!pglite.closed) await unsubscribe();
      };
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const listeners = new Set<pg.Client>();
  return {
    engine: 'postgres',
    db,
    async listen(channel, onMessage) {
      return listenWithReconnect(url, channel, onMessage, listeners);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      const clients = [...listeners];
      listeners.clear();
      await Promise.allSettled(clients.map((client) => client.end()));
      await db.destroy();
    },
  };
}

/** A dedicated connection for LISTEN that reconnects with backoff when the server goes away. */
async function listenWithReconnect(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  registry: Set<pg.Client>,
): Promise<() => Promise<void>> {
  let stopped = false;
  let current: pg.Client | undefined;
  let delayMs = 250;

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (message) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    });
    client.on('error', () => {
      registry.delete(client);
      client.end().catch(() => {});
      if (!stopped) scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    registry.add(client);
    current = client;
    delayMs = 250;
  };

  const scheduleReconnect = () => {
    setTimeout(() => {
      if (stopped) return;
      connect().catch(() => {
        delayMs = Math.min(delayMs * 2, 10_000);
        scheduleReconnect();
      });
    }, delayMs).unref();
  };

  await connect();
  return async () => {
    stopped = true;
    if (current) {
      registry.delete(current);
      await current.end().catch(() => {});
    }
  };
}
