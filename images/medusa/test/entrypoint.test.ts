// The image's entrypoint (images/medusa/entrypoint.sh) against a real PostgreSQL, with Medusa's CLI
// stubbed: an empty database starts from the baked schema and skips `medusa db:migrate`; a database at
// another schema migrates, and is marked only after the setup script; a broken dump stops the setup
// with nothing changed; the server waits for its image's schema.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  startPostgresServer,
} from '../../../apps/orchestrator/test/support/postgres-server.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRYPOINT = join(REPO, 'images/medusa/entrypoint.sh');

let server: PostgresServer;
let dir: string;
let app: string;
let schemaId: string;
let databases = 0;

/** The id the entrypoint gives this app folder's schema (no Redis). */
function idOf(folder: string): string {
  const hash = createHash('sha256');
  for (const file of ['package-lock.json', 'medusa-config.js']) hash.update(readFileSync(join(folder, file)));
  return hash.update('redis=\n').digest('hex').slice(0, 16);
}

function bakedDump(mark: string, extra = ''): string {
  return [
    '\\restrict abc',
    "SELECT pg_catalog.set_config('search_path', '', false);",
    'CREATE TABLE public.storefleet_setup (step text PRIMARY KEY, done_at timestamptz NOT NULL);',
    `INSERT INTO public.storefleet_setup VALUES ('${mark}', now());`,
    'CREATE TABLE public.api_key (id text PRIMARY KEY, token text NOT NULL, redacted text NOT NULL, type text NOT NULL);',
    "INSERT INTO public.api_key VALUES ('apk_1', 'pk_baked', 'pk_bak***ked', 'publishable');",
    extra,
    '\\unrestrict abc',
    '',
  ].join('\n');
}

async function newDatabase(): Promise<string> {
  const name = `store_${++databases}`;
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return server.url.replace(/\/postgres$/, `/${name}`);
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Runs a role with Medusa's CLI stubbed; returns its exit code, output and the CLI calls in order. */
function run(role: string, url: string) {
  const calls = join(dir, `calls-${Date.now()}-${Math.random()}`);
  const result = spawnSync('sh', [ENTRYPOINT, role], {
    encoding: 'utf8',
    env: { ...envFor(url), MEDUSA_CALLS: calls },
  });
  let called: string[] = [];
  try {
    called = readFileSync(calls, 'utf8').trim().split('\n');
  } catch {}
  return { status: result.status, output: result.stdout + result.stderr, called };
}

function envFor(url: string): NodeJS.ProcessEnv {
  return {
    PATH: `${join(dir, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
    MEDUSA_APP_DIR: app,
    DATABASE_URL: url,
    DATABASE_WAIT_SECONDS: '20',
  };
}

beforeAll(async () => {
  server = await startPostgresServer();
  dir = mkdtempSync(join(tmpdir(), 'medusa-entrypoint-'));
  app = join(dir, 'app');
  mkdirSync(join(app, 'storefleet'), { recursive: true });
  writeFileSync(join(app, 'package-lock.json'), '{"lockfileVersion": 3}\n');
  writeFileSync(join(app, 'medusa-config.js'), 'module.exports = {};\n');
  // The entrypoint's helper requires pg from the app's node_modules.
  symlinkSync(join(REPO, 'node_modules'), join(app, 'node_modules'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'medusa'), '#!/bin/sh\necho "$*" >> "$MEDUSA_CALLS"\n');
  chmodSync(join(dir, 'bin', 'medusa'), 0o755);
  schemaId = `schema:${idOf(app)}`;
}, 60_000);

afterAll(() => {
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the setup role', () => {
  it('starts an empty database from the baked schema, with its own key token, and skips db:migrate', async () => {
    writeFileSync(join(app, 'storefleet', 'schema.sql'), bakedDump(schemaId));
    const url = await newDatabase();
    const first = run('setup', url);
    expect(first.status, first.output).toBe(0);
    expect(first.output).toContain('the database starts from the schema baked into the image');
    expect(first.called).toEqual(['exec ./src/scripts/setup-store.js']);
    const [key] = await query<{ token: string; redacted: string }>(
      url,
      'select token, redacted from api_key',
    );
    expect(key?.token).toMatch(/^pk_[0-9a-f]{64}$/);
    expect(key?.redacted).toBe(`${key?.token.slice(0, 6)}***${key?.token.slice(-3)}`);
    const steps = await query<{ step: string }>(url, 'select step from storefleet_setup order by step');
    expect(steps.map((s) => s.step)).toEqual([schemaId, 'set-up']);

    // Again (setup.rerun): nothing is loaded twice, nothing migrated.
    const again = run('setup', url);
    expect(again.status, again.output).toBe(0);
    expect(again.output).not.toContain('baked into the image');
    expect(again.called).toEqual(['exec ./src/scripts/setup-store.js']);
  });

  it('migrates a database at another schema (a newer image), and marks it only after its script', async () => {
    writeFileSync(join(app, 'storefleet', 'schema.sql'), bakedDump('schema:0000000000000000'));
    const url = await newDatabase();
    const result = run('setup', url);
    expect(result.status, result.output).toBe(0);
    expect(result.called).toEqual(['db:migrate', 'exec ./src/scripts/setup-store.js']);
    const steps = await query<{ step: string }>(url, 'select step from storefleet_setup order by step');
    expect(steps.map((s) => s.step)).toContain(schemaId);
  });

  it('stops on a dump that does not load, leaving the database empty', async () => {
    writeFileSync(join(app, 'storefleet', 'schema.sql'), bakedDump(schemaId, 'SELECT broken syntax here;'));
    const url = await newDatabase();
    const result = run('setup', url);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('restoring the baked schema failed');
    expect(result.called).toEqual([]);
    const tables = await query<{ n: number }>(
      url,
      "select count(*)::int as n from pg_tables where schemaname = 'public'",
    );
    expect(tables[0]?.n).toBe(0);
  });
});

describe('the serve role', () => {
  it('waits for its image’s schema, then starts; a database from before the marks starts at once', async () => {
    const url = await newDatabase();
    const waiting = spawn('sh', [ENTRYPOINT, 'serve'], {
      env: { ...envFor(url), MEDUSA_CALLS: join(dir, 'serve-calls') },
    });
    let output = '';
    waiting.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => waiting.on('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(output).toContain('not migrated to this image yet');
    await query(
      url,
      `create table storefleet_setup (step text primary key, done_at timestamptz not null);
       insert into storefleet_setup values ('${schemaId}', now())`,
    );
    expect(await exited).toBe(0);
    expect(readFileSync(join(dir, 'serve-calls'), 'utf8')).toBe('start\n');

    const older = await newDatabase();
    await query(
      older,
      `create table storefleet_setup (step text primary key, done_at timestamptz not null);
       insert into storefleet_setup values ('set-up', now())`,
    );
    const result = run('serve', older);
    expect(result.status, result.output).toBe(0);
    expect(result.called).toEqual(['start']);
  });
});
