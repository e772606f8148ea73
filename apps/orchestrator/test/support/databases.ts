// Opens a fresh, migrated database on either engine, so that one test body runs against both.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, type DatabaseEngine, openDatabase } from '../../src/db/database.ts';

export const ENGINES: DatabaseEngine[] = ['pglite', 'postgres'];

export interface TestDatabase {
  database: Database;
  /** Opens a second, independent connection to the same database (another "replica"). */
  openAnother(): Promise<Database>;
  close(): Promise<void>;
}

export async function createTestDatabase(engine: DatabaseEngine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const database = await openDatabase({ inMemory: true });
    return { database, openAnother: async () => database, close: () => database.close() };
  }
  const adminUrl = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const opened: Database[] = [];
  const open = async () => {
    const database = await openDatabase({ url });
    opened.push(database);
    return database;
  };
  const database = await open();
  return {
    database,
    openAnother: open,
    async close() {
      await Promise.all(opened.map((d) => d.close()));
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
