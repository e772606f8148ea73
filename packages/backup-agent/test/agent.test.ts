// The agent end to end, as a process, against a real S3-compatible server (moto) and a real
// PostgreSQL: a pg_dump streamed up, listed, verified and restored into a fresh database; then every
// way a stored backup can be wrong, each refused with its own reason before a byte reaches stdout.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresBinDir,
  startPostgresServer,
} from '../../../apps/orchestrator/test/support/postgres-server.ts';
import { type S3Server, startS3Server } from '../../../apps/orchestrator/test/support/s3-server.ts';
import { keyFingerprint } from '../src/keys.ts';
import type { Manifest } from '../src/manifest.ts';
import { bucketEnv, runAgent, spawnAgent } from './support/agent-process.ts';

let s3: S3Server;
let pg: PostgresServer;
let objects: S3Client;
let identity: string;
let otherIdentity: string;

beforeAll(async () => {
  [s3, pg] = await Promise.all([startS3Server(), startPostgresServer()]);
  objects = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  [identity, otherIdentity] = await Promise.all([generateX25519Identity(), generateX25519Identity()]);
});

afterAll(async () => {
  objects?.destroy();
  pg?.stop();
  await s3?.stop();
});

const databaseUrl = (name: string) => pg.url.replace(/\/postgres$/, `/${name}`);

function psql(database: string, sql: string): string {
  const result = spawnSync(
    join(postgresBinDir(), 'psql'),
    [databaseUrl(database), '-v', 'ON_ERROR_STOP=1', '-tAc', sql],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`psql: ${result.stderr}`);
  return result.stdout.trim();
}

/** A database with a few rows worth restoring. */
function createShop(name: string) {
  psql('postgres', `CREATE DATABASE ${name}`);
  psql(
    name,
    `CREATE TABLE product (id serial PRIMARY KEY, title text NOT NULL, price_cents int NOT NULL);
     INSERT INTO product (title, price_cents) SELECT 'Shoe ' || n, n * 100 FROM generate_series(1, 500) AS n;`,
  );
}

const pgDumpArgs = (database: string) => [databaseUrl(database), '--no-owner', '--format=plain'];

/** The agent's environment for backups under `prefix`, reading and writing with `key`. */
const env = (prefix: string, key = identity) => ({ ...bucketEnv(s3, prefix), BACKUP_AGE_IDENTITY: key });

const backupArgs = (store: string, backup: string) => ['--store', store, '--backup', backup];
const uploadArgs = (store: string, backup: string, part = 'database') => [
  'upload',
  ...backupArgs(store, backup),
  '--slug',
  `shop-${store}`,
  '--engine',
  'medusa',
  '--part',
  part,
];

/** Uploads `data` as the database part of a backup; returns its manifest. */
async function uploadBytes(prefix: string, store: string, backup: string, data: string | Buffer) {
  const run = await runAgent(uploadArgs(store, backup), env(prefix), data);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout.toString()) as Manifest;
}

async function getObject(key: string): Promise<Buffer> {
  const response = await objects.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

async function putObject(key: string, body: string | Buffer): Promise<void> {
  await objects.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
}

async function keysUnder(prefix: string): Promise<string[]> {
  const listing = await fetch(`${s3.endpoint}/${s3.bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
  return [...(await listing.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!);
}

/** `verify` and `download` of the backup both refuse it, with `code` and `reason`, writing nothing. */
async function expectRefused(prefix: string, store: string, backup: string, code: string, reason: RegExp) {
  const verify = await runAgent(['verify', ...backupArgs(store, backup)], env(prefix));
  expect(verify.stderr).toMatch(new RegExp(`^backup-agent: ${code}: `));
  expect(verify.stderr).toMatch(reason);
  expect(verify.status).toBe(3);
  const download = await runAgent(
    ['download', ...backupArgs(store, backup), '--part', 'database'],
    env(prefix),
  );
  expect(download.stderr).toMatch(new RegExp(`^backup-agent: ${code}: `));
  expect(download.stderr).toMatch(reason);
  expect(download.status).toBe(3);
  expect(download.stdout.length).toBe(0);
}

describe('a PostgreSQL dump through the agent', () => {
  it('streams up, is listed, verifies, and restores into a fresh database', async () => {
    createShop('shop_a');
    const prefix = 'restore';
    const dump = spawn(join(postgresBinDir(), 'pg_dump'), pgDumpArgs('shop_a'), {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const uploaded = await runAgent(uploadArgs('store-a', 'backup-1'), env(prefix), dump.stdout);
    expect(uploaded.stderr).toBe('');
    expect(uploaded.status).toBe(0);
    const manifest = JSON.parse(uploaded.stdout.toString()) as Manifest;
    expect(manifest).toMatchObject({
      format: 'storefleet-backup',
      version: 1,
      storeId: 'store-a',
      backupId: 'backup-1',
      slug: 'shop-store-a',
      engine: 'medusa',
      encryption: { scheme: 'age', keyFingerprint: keyFingerprint(await identityToRecipient(identity)) },
    });
    const [part] = manifest.parts;
    expect(part).toMatchObject({ name: 'database', object: 'database.age' });
    expect(part!.plainBytes).toBeGreaterThan(10_000);
    // What is stored is ciphertext: the dump's words are nowhere in it.
    const stored = await getObject('restore/store-a/backup-1/database.age');
    expect(stored.length).toBe(part!.storedBytes);
    expect(stored.toString('latin1')).not.toContain('Shoe 1');
    expect(stored.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');

    const listed = await runAgent(['list'], bucketEnv(s3, prefix));
    expect(listed.status).toBe(0);
    const listing = JSON.parse(listed.stdout.toString());
    expect(listing.backups).toEqual([{ ...manifest, manifestKey: 'restore/store-a/backup-1/manifest.json' }]);

    const verified = await runAgent(['verify', ...backupArgs('store-a', 'backup-1')], env(prefix));
    expect(verified.stderr).toBe(
      `verified backup backup-1 of store store-a: database (${part!.plainBytes} bytes)\n`,
    );
    expect(verified.status).toBe(0);
    expect(verified.stdout.length).toBe(0);

    psql('postgres', 'CREATE DATABASE shop_restored');
    const download = spawnAgent(
      ['download', ...backupArgs('store-a', 'backup-1'), '--part', 'database'],
      env(prefix),
    );
    const restore = spawn(
      join(postgresBinDir(), 'psql'),
      [databaseUrl('shop_restored'), '-v', 'ON_ERROR_STOP=1', '-q'],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    download.stdout.pipe(restore.stdin);
    let downloadErrors = '';
    download.stderr.on('data', (chunk) => {
      downloadErrors += chunk;
    });
    const [downloadStatus, restoreStatus] = await Promise.all([
      new Promise((resolve) => download.once('close', resolve)),
      new Promise((resolve) => restore.once('close', resolve)),
    ]);
    expect(downloadErrors).toBe('');
    expect(downloadStatus).toBe(0);
    expect(restoreStatus).toBe(0);
    expect(psql('shop_restored', 'SELECT count(*), sum(price_cents) FROM product')).toBe('500|12525000');
    expect(psql('shop_restored', 'SELECT title FROM product WHERE id = 42')).toBe('Shoe 42');
  });

  it('runs the dump command itself, and stores nothing when it fails', async () => {
    createShop('shop_b');
    const prefix = 'command';
    const pgDump = join(postgresBinDir(), 'pg_dump');
    const ran = await runAgent(
      [...uploadArgs('store-b', 'backup-1'), '--', pgDump, ...pgDumpArgs('shop_b')],
      env(prefix),
    );
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    const downloaded = await runAgent(
      ['download', ...backupArgs('store-b', 'backup-1'), '--part', 'database'],
      env(prefix),
    );
    expect(downloaded.status).toBe(0);
    expect(downloaded.stdout.toString()).toContain(
      'COPY public.product (id, title, price_cents) FROM stdin;\n1\tShoe 1\t100\n',
    );

    // Output first, then failure: the part written so far must not become a backup.
    const failed = await runAgent(
      [...uploadArgs('store-b', 'backup-2'), '--', 'sh', '-c', 'head -c 6000000 /dev/zero; exit 3'],
      env(prefix),
    );
    expect(failed.stderr).toBe(
      'backup-agent: DUMP_FAILED: the dump command sh exited with 3; nothing was stored\n',
    );
    expect(failed.status).toBe(1);
    expect(await keysUnder('command/store-b/backup-2/')).toEqual([]);
  });
});

describe('a backup that is not what its manifest says', () => {
  const prefix = 'refusals';
  const dump = Buffer.from('-- a dump\n'.repeat(20_000));

  it('is refused when one byte of the stored object changed', async () => {
    await uploadBytes(prefix, 'tampered', 'b1', dump);
    const key = `${prefix}/tampered/b1/database.age`;
    const stored = await getObject(key);
    stored[Math.floor(stored.length / 2)]! ^= 0x01;
    await putObject(key, stored);
    await expectRefused(
      prefix,
      'tampered',
      'b1',
      'CHECKSUM_MISMATCH',
      /checksum mismatch \(tampered or truncated\): part database's stored SHA-256 is [0-9a-f]{64}, its manifest says/,
    );
  });

  it('is refused when the stored object was cut short', async () => {
    await uploadBytes(prefix, 'truncated', 'b1', dump);
    const key = `${prefix}/truncated/b1/database.age`;
    const stored = await getObject(key);
    await putObject(key, stored.subarray(0, stored.length - 1000));
    await expectRefused(
      prefix,
      'truncated',
      'b1',
      'CHECKSUM_MISMATCH',
      new RegExp(
        `checksum mismatch \\(tampered or truncated\\): part database has ${stored.length - 1000} bytes stored, its manifest says ${stored.length}`,
      ),
    );
  });

  it('is refused by age when the manifest was rewritten to match a truncated object', async () => {
    const manifest = await uploadBytes(prefix, 'rewritten', 'b1', dump);
    const base = `${prefix}/rewritten/b1`;
    const stored = await getObject(`${base}/database.age`);
    // Cut at a whole 64 KiB chunk, so only age's last-chunk flag can tell the end is missing.
    const cut = stored.subarray(0, stored.length - (dump.length % 65536) - 16);
    await putObject(`${base}/database.age`, cut);
    const { createHash } = await import('node:crypto');
    const forged = {
      ...manifest,
      parts: [
        {
          ...manifest.parts[0]!,
          storedBytes: cut.length,
          storedSha256: createHash('sha256').update(cut).digest('hex'),
        },
      ],
    };
    await putObject(`${base}/manifest.json`, JSON.stringify(forged));
    await expectRefused(
      prefix,
      'rewritten',
      'b1',
      'UNDECRYPTABLE',
      /part database matches its manifest's checksum but does not decrypt/,
    );
  });

  it("is refused with another key, whether the manifest's fingerprint or age's header says so", async () => {
    const manifest = await uploadBytes(prefix, 'other-key', 'b1', dump);
    const otherEnv = env(prefix, otherIdentity);
    const verify = await runAgent(['verify', ...backupArgs('other-key', 'b1')], otherEnv);
    expect(verify.stderr).toBe(
      `backup-agent: WRONG_KEY: encrypted with a different key: backup b1 was encrypted to key ${manifest.encryption.keyFingerprint}, this agent holds ${keyFingerprint(await identityToRecipient(otherIdentity))}\n`,
    );
    expect(verify.status).toBe(3);

    // A manifest claiming the other key's fingerprint: the age header still does not open.
    const otherFingerprint = keyFingerprint(await identityToRecipient(otherIdentity));
    await putObject(
      `${prefix}/other-key/b1/manifest.json`,
      JSON.stringify({ ...manifest, encryption: { scheme: 'age', keyFingerprint: otherFingerprint } }),
    );
    const download = await runAgent(
      ['download', ...backupArgs('other-key', 'b1'), '--part', 'database'],
      otherEnv,
    );
    expect(download.stderr).toBe(
      'backup-agent: WRONG_KEY: encrypted with a different key: part database does not open with this key\n',
    );
    expect(download.status).toBe(3);
    expect(download.stdout.length).toBe(0);
  });

  it('is refused when there is no manifest, only objects', async () => {
    await putObject(`${prefix}/foreign/b1/database.age`, 'whatever was here');
    await expectRefused(
      prefix,
      'foreign',
      'b1',
      'NOT_A_BACKUP',
      /not a Storefleet backup: there is no manifest at refusals\/foreign\/b1\/manifest.json/,
    );
  });

  it('is refused when the manifest is of another format', async () => {
    await putObject(`${prefix}/other-format/b1/manifest.json`, JSON.stringify({ files: ['database.age'] }));
    await expectRefused(
      prefix,
      'other-format',
      'b1',
      'NOT_A_BACKUP',
      /not a Storefleet backup: .*manifest.json has no "format": "storefleet-backup"/,
    );
  });

  it('is refused when the part is not age-encrypted, even with a manifest that matches it', async () => {
    const manifest = await uploadBytes(prefix, 'plain', 'b1', dump);
    const { createHash } = await import('node:crypto');
    await putObject(`${prefix}/plain/b1/database.age`, dump);
    const sha256 = createHash('sha256').update(dump).digest('hex');
    await putObject(
      `${prefix}/plain/b1/manifest.json`,
      JSON.stringify({
        ...manifest,
        parts: [{ ...manifest.parts[0]!, storedBytes: dump.length, storedSha256: sha256 }],
      }),
    );
    await expectRefused(
      prefix,
      'plain',
      'b1',
      'NOT_A_BACKUP',
      /not a Storefleet backup: part database is not age-encrypted \(invalid version/,
    );
  });
});

describe('listing a bucket', () => {
  it('finds the backups of every store under the prefix, and says which manifests it cannot read', async () => {
    const prefix = 'fleet/backups';
    await uploadBytes(prefix, 'never-seen-1', 'b1', 'one');
    await uploadBytes(prefix, 'never-seen-2', 'b1', 'two');
    await uploadBytes(prefix, 'never-seen-2', 'b2', 'three');
    await putObject(`${prefix}/broken/b1/manifest.json`, '{not json');
    await putObject(`${prefix}/stray-object.txt`, 'not a backup');
    await uploadBytes('elsewhere', 'not-listed', 'b1', 'other prefix');

    const listed = await runAgent(['list'], bucketEnv(s3, `/${prefix}/`));
    expect(listed.stderr).toBe('');
    const listing = JSON.parse(listed.stdout.toString());
    expect(listing.backups.map((b: Manifest) => `${b.storeId}/${b.backupId}`).sort()).toEqual([
      'never-seen-1/b1',
      'never-seen-2/b1',
      'never-seen-2/b2',
    ]);
    expect(listing.unreadable).toEqual([
      {
        manifestKey: 'fleet/backups/broken/b1/manifest.json',
        reason: expect.stringMatching(/^not a Storefleet backup: .* is not JSON$/),
      },
    ]);
  });
});

describe('configuration', () => {
  it('names the variable that is wrong, and never repeats a key or a secret', async () => {
    const secret = 'AGE-SECRET-KEY-1NOTAKEYATALL';
    const badKey = await runAgent(['verify', ...backupArgs('s', 'b')], {
      ...bucketEnv(s3, 'x'),
      BACKUP_AGE_IDENTITY: secret,
    });
    expect(badKey.stderr).toBe(
      'backup-agent: CONFIG_INVALID: BACKUP_AGE_IDENTITY is not an age identity (expected "AGE-SECRET-KEY-1…")\n',
    );
    expect(badKey.status).toBe(2);

    const { BACKUP_S3_BUCKET: _bucket, ...noBucket } = bucketEnv(s3, 'x');
    const missing = await runAgent(['list'], noBucket);
    expect(missing.stderr).toBe(
      'backup-agent: CONFIG_INVALID: BACKUP_S3_BUCKET is not set: name the bucket\n',
    );
    expect(missing.status).toBe(2);

    const { BACKUP_S3_SECRET_ACCESS_KEY: _secret, ...halfCredentials } = bucketEnv(s3, 'x');
    const half = await runAgent(['list'], halfCredentials);
    expect(half.stderr).toMatch(
      /^backup-agent: CONFIG_INVALID: BACKUP_S3_SECRET_ACCESS_KEY is not set: set both/,
    );
    expect(half.stderr).not.toContain(s3.accessKeyId);

    const noRecipient = await runAgent(uploadArgs('s', 'b'), bucketEnv(s3, 'x'), 'data');
    expect(noRecipient.stderr).toMatch(/^backup-agent: CONFIG_INVALID: BACKUP_AGE_RECIPIENT is not set/);
  });

  it('uploads with the recipient alone, which cannot read what it wrote', async () => {
    const recipient = await identityToRecipient(identity);
    const uploaded = await runAgent(
      uploadArgs('public-key', 'b1'),
      { ...bucketEnv(s3, 'recipient'), BACKUP_AGE_RECIPIENT: recipient },
      'rows',
    );
    expect(uploaded.status).toBe(0);
    const withoutIdentity = await runAgent(['verify', ...backupArgs('public-key', 'b1')], {
      ...bucketEnv(s3, 'recipient'),
      BACKUP_AGE_RECIPIENT: recipient,
    });
    expect(withoutIdentity.stderr).toMatch(/^backup-agent: CONFIG_INVALID: BACKUP_AGE_IDENTITY is not set/);
    const read = await runAgent(
      ['download', ...backupArgs('public-key', 'b1'), '--part', 'database'],
      env('recipient'),
    );
    expect(read.stdout.toString()).toBe('rows');
  });
});
