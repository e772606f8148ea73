// The database grants of docs/operations.md, run as written against a real PostgreSQL: the schema
// owner migrates (with images/orchestrator/migrate.ts, as the chart's init container does), and the
// orchestrator's own role then starts, works, and may only INSERT and SELECT on the audit table.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditRepository } from '../../../apps/orchestrator/src/db/audit-repository.ts';
import { type Database, openDatabase } from '../../../apps/orchestrator/src/db/database.ts';
import { REPO } from './support/chart.ts';

const OPERATIONS = join(REPO, 'docs/operations.md');

/** The ```sql block that follows `<!-- marker -->` in docs/operations.md. */
function sqlBlock(marker: string): string {
  const text = readFileSync(OPERATIONS, 'utf8');
  const at = text.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`docs/operations.md has no <!-- ${marker} --> block`);
  const match = /```sql\n([\s\S]*?)```/.exec(text.slice(at));
  if (!match?.[1]) throw new Error(`no sql block after <!-- ${marker} -->`);
  return match[1];
}

// Names of their own, so that the run shares the test server with the other database tests.
const suffix = randomBytes(3).toString('hex');
const names = (sql: string) =>
  sql
    .replaceAll(/\bstorefleet_owner\b/g, `sf_owner_${suffix}`)
    .replaceAll(/\bstorefleet_app\b/g, `sf_app_${suffix}`)
    .replaceAll(/\bstorefleet\b/g, `sf_audit_${suffix}`);

const adminUrl = () => inject('postgresUrl');
const urlFor = (role: string, database: string) =>
  adminUrl()
    .replace(/\/\/postgres@/, `//${role}@`)
    .replace(/\/postgres$/, `/${database}`);
const ownerUrl = () => urlFor(`sf_owner_${suffix}`, `sf_audit_${suffix}`);
const appUrl = () => urlFor(`sf_app_${suffix}`, `sf_audit_${suffix}`);

/** Runs each statement on its own, as psql does (CREATE DATABASE refuses to run in a transaction). */
async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of sql.split(/;\s*$/m).map((s) => s.trim())) {
      if (statement) await client.query(statement);
    }
  } finally {
    await client.end();
  }
}

/** The SQLSTATE of running `sql` as `url`'s role, or "ok". */
async function outcome(url: string, sql: string): Promise<string> {
  try {
    await run(url, sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

let app: Database | undefined;

beforeAll(async () => {
  // Step 1 (a superuser, on the server's maintenance database), then step 2 (in the new database).
  await run(adminUrl(), names(sqlBlock('audit-grants:roles')));
  await run(urlFor('postgres', `sf_audit_${suffix}`), names(sqlBlock('audit-grants:schema')));
}, 60_000);

afterAll(async () => {
  await app?.close();
  await run(
    adminUrl(),
    `drop database if exists sf_audit_${suffix} with (force); drop role if exists sf_app_${suffix}; drop role if exists sf_owner_${suffix};`,
  ).catch(() => {});
});

describe('the audit grants of docs/operations.md', { timeout: 60_000 }, () => {
  it('lets the schema owner apply the migrations with images/orchestrator/migrate.ts', () => {
    const result = spawnSync(process.execPath, ['images/orchestrator/migrate.ts'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: ownerUrl() },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/the database schema is up to date/);
    expect(result.status).toBe(0);
  });

  it('leaves the orchestrator role, after step 4, only INSERT and SELECT on audit', async () => {
    await run(ownerUrl(), names(sqlBlock('audit-grants:audit')));
    const client = new pg.Client({ connectionString: ownerUrl() });
    await client.connect();
    const { rows } = await client.query<{ privilege_type: string }>(
      `select privilege_type from information_schema.role_table_grants
        where table_name = 'audit' and grantee = $1 order by 1`,
      [`sf_app_${suffix}`],
    );
    await client.end();
    expect(rows.map((row) => row.privilege_type)).toEqual(['INSERT', 'SELECT']);
  });

  it('starts the orchestrator database as that role (the migrations find nothing to do)', async () => {
    app = await openDatabase({ url: appUrl() });
    await app.ping();
  });

  it('appends to and reads the audit trail as that role', async () => {
    const audit = new AuditRepository(app!.db);
    await audit.append({
      actor: 'admin@example.test',
      actorId: null,
      ip: '127.0.0.1',
      userAgent: 'test',
      action: 'store.create',
      target: null,
      outcome: 'success',
      statusCode: 202,
      reason: null,
    });
    const [row] = await audit.list({ limit: 1 });
    expect(row?.action).toBe('store.create');
  });

  it('refuses to change or remove audit rows, or the schema, as that role', async () => {
    expect(await outcome(appUrl(), `update audit set reason = 'rewritten'`)).toBe('42501');
    expect(await outcome(appUrl(), 'delete from audit')).toBe('42501');
    expect(await outcome(appUrl(), 'truncate audit')).toBe('42501');
    expect(await outcome(appUrl(), 'alter table audit drop column reason')).toBe('42501');
    expect(await outcome(appUrl(), 'drop table audit')).toBe('42501');
    expect(await outcome(appUrl(), 'create table mine (id integer)')).toBe('42501');
    expect(await outcome(appUrl(), 'delete from kysely_migration')).toBe('42501');
  });

  it('lets that role change every other table, including tables of later migrations', async () => {
    expect(await outcome(appUrl(), `update locks set name = name where name = 'queue-claim'`)).toBe('ok');
    expect(await outcome(appUrl(), 'delete from rate_limits')).toBe('ok');
    await run(
      ownerUrl(),
      'create table later_migration (id integer generated always as identity, note text)',
    );
    expect(await outcome(appUrl(), `insert into later_migration (note) values ('x')`)).toBe('ok');
    expect(await outcome(appUrl(), 'update later_migration set note = null')).toBe('ok');
  });
});
