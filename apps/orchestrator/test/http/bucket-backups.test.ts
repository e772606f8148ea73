// The backups of an S3 backup target, listed through the API against a real S3-compatible server
// (moto): backups of stores this platform never saw, of a store it knows, one written with another
// key and an object that only looks like a manifest; for admins only, and refused with a reason when
// backups go to the volume or the bucket does not answer.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { generateX25519Identity } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bucket } from '../../../../packages/backup-agent/src/bucket.ts';
import { parseIdentity } from '../../../../packages/backup-agent/src/keys.ts';
import { uploadPart } from '../../../../packages/backup-agent/src/upload.ts';
import { freePorts } from '../../../../tools/testcluster/src/ports.ts';
import type { BucketTarget } from '../../src/backups/target-config.ts';
import { loadBackupTarget } from '../../src/config.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, startTestPlatform, testConfig, waitFor } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';
import { type S3Server, startS3Server } from '../support/s3-server.ts';

const PREFIX = 'fleet/backups';
const UNKNOWN_STORE = '6f1c2d1e-5b0a-4c59-9a57-1d1c0ee1b7a1';

let s3: S3Server;
let identity: string;
let otherIdentity: string;

const bucketEnv = (server: { endpoint: string }, key: string) => ({
  BACKUP_TARGET: 's3',
  BACKUP_S3_ENDPOINT: server.endpoint,
  BACKUP_S3_REGION: s3.region,
  BACKUP_S3_BUCKET: s3.bucket,
  BACKUP_S3_PREFIX: PREFIX,
  BACKUP_S3_FORCE_PATH_STYLE: 'true',
  BACKUP_S3_ACCESS_KEY_ID: s3.accessKeyId,
  BACKUP_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  BACKUP_AGE_IDENTITY: key,
});

async function bucketTarget(env: Record<string, string>): Promise<BucketTarget> {
  const target = await loadBackupTarget(testConfig(), env);
  if (target.kind !== 's3') throw new Error('expected an s3 target');
  return target;
}

/** A backup as an agent in a store's Job stores it: the dump encrypted to `key`, then its manifest. */
async function storeBackup(
  target: BucketTarget,
  key: string,
  backup: { storeId: string; backupId: string; slug: string; engine: string },
  dump: string,
) {
  const recipient = await parseIdentity(key, 'test key');
  if (!recipient.ok) throw new Error(recipient.error.message);
  const bucket = new Bucket(target.bucket);
  try {
    const stored = await uploadPart(
      bucket,
      target.bucket.prefix,
      recipient.value,
      { ...backup, part: 'database' },
      new Blob([dump]).stream(),
      () => new Date('2026-12-01T03:00:00Z'),
    );
    if (!stored.ok) throw new Error(stored.error.message);
  } finally {
    bucket.close();
  }
}

beforeAll(async () => {
  s3 = await startS3Server();
  [identity, otherIdentity] = await Promise.all([generateX25519Identity(), generateX25519Identity()]);
});

afterAll(async () => {
  await s3?.stop();
});

describe('GET /api/backups/bucket with an S3 target', () => {
  let test: TestDatabase;
  let platform: Platform;
  let admin: Record<string, string>;
  let merchant: Record<string, string>;
  let knownStore: { id: string; slug: string };

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    const target = await bucketTarget(bucketEnv(s3, identity));
    platform = await startTestPlatform(test.database, new MemoryCluster(), {}, undefined, {
      backupTarget: target,
    });
    admin = (await signedIn(platform, 'ops@example.com')).headers;
    merchant = (await signedIn(platform, 'shop@example.com')).headers;
    const created = await platform.app.inject({
      method: 'POST',
      url: '/api/stores',
      headers: merchant,
      payload: { name: 'Known Shoes', engine: 'medusa' },
    });
    knownStore = created.json();
    await waitFor(async () => (await platform.queries.get(knownStore.id)).state === 'Ready', 'store Ready');

    await storeBackup(
      target,
      identity,
      {
        storeId: UNKNOWN_STORE,
        backupId: '0b4f5a2e-8a61-4d5e-9f3a-0c7c1f1e2d3c',
        slug: 'lost-shop',
        engine: 'medusa',
      },
      'pg_dump of a store this platform never saw',
    );
    await storeBackup(
      target,
      identity,
      { storeId: knownStore.id, backupId: 'b-known-1', slug: knownStore.slug, engine: 'medusa' },
      'pg_dump of a known store',
    );
    await storeBackup(
      target,
      otherIdentity,
      { storeId: 'not-a-uuid-store', backupId: 'b-other-key', slug: 'elsewhere', engine: 'woocommerce' },
      'written by another platform with its own key',
    );
    // Something named like a manifest that is not one: listed apart, with the reason.
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: `${PREFIX}/junk-store/junk-backup/manifest.json`,
        Body: '{"hello":"world"}',
      }),
    );
    client.destroy();
  });

  afterAll(async () => {
    await platform?.stop();
    await test?.close();
  });

  const list = (headers: Record<string, string>) =>
    platform.app.inject({ method: 'GET', url: '/api/backups/bucket', headers });

  it('lists every backup of the bucket, stores it never saw included, marked with what it knows', async () => {
    const response = await list(admin);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.bucket).toEqual({ endpoint: s3.endpoint, bucket: s3.bucket, prefix: PREFIX });
    const byBackup = Object.fromEntries(
      body.items.map((item: { backupId: string }) => [item.backupId, item]),
    );
    expect(Object.keys(byBackup).sort()).toEqual(
      ['0b4f5a2e-8a61-4d5e-9f3a-0c7c1f1e2d3c', 'b-known-1', 'b-other-key'].sort(),
    );
    expect(byBackup['0b4f5a2e-8a61-4d5e-9f3a-0c7c1f1e2d3c']).toMatchObject({
      storeId: UNKNOWN_STORE,
      slug: 'lost-shop',
      engine: 'medusa',
      createdAt: '2026-12-01T03:00:00.000Z',
      manifestKey: `${PREFIX}/${UNKNOWN_STORE}/0b4f5a2e-8a61-4d5e-9f3a-0c7c1f1e2d3c/manifest.json`,
      keyMatches: true,
      knownStore: false,
      knownBackup: false,
      parts: [{ name: 'database', plainBytes: 'pg_dump of a store this platform never saw'.length }],
    });
    expect(byBackup['b-known-1']).toMatchObject({
      storeId: knownStore.id,
      knownStore: true,
      keyMatches: true,
    });
    expect(byBackup['b-other-key']).toMatchObject({ keyMatches: false, knownStore: false });
    for (const item of body.items) {
      // age adds a header and a tag per 64 KiB chunk: the stored object is larger than the dump.
      expect(item.storedBytes).toBeGreaterThan(item.parts[0].plainBytes);
      expect(item.keyFingerprint).toMatch(/^sha256:[0-9a-f]{32}$/);
    }
    expect(body.unreadable).toEqual([
      {
        manifestKey: `${PREFIX}/junk-store/junk-backup/manifest.json`,
        reason: expect.stringMatching(/not a Storefleet backup/),
      },
    ]);
    // Never the credentials or the key.
    expect(response.body).not.toContain(s3.secretAccessKey);
    expect(response.body).not.toContain(identity);
  });

  it('is for admins only', async () => {
    const response = await list(merchant);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('FORBIDDEN');
  });
});

/** What an admin of a fresh platform with `backupTarget` gets from GET /api/backups/bucket. */
async function listAsAdmin(backupTarget?: BucketTarget) {
  const test = await createTestDatabase('pglite');
  const platform = await startTestPlatform(
    test.database,
    new MemoryCluster(),
    {},
    undefined,
    backupTarget ? { backupTarget } : {},
  );
  try {
    const admin = (await signedIn(platform, 'ops@example.com')).headers;
    return await platform.app.inject({ method: 'GET', url: '/api/backups/bucket', headers: admin });
  } finally {
    await platform.stop();
    await test.close();
  }
}

describe('GET /api/backups/bucket without a bucket that answers', () => {
  it('answers 503 BACKUP_BUCKET_NOT_CONFIGURED when backups go to the volume', async () => {
    const response = await listAsAdmin();
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toMatchObject({
      code: 'BACKUP_BUCKET_NOT_CONFIGURED',
      message: expect.stringMatching(/BACKUP_TARGET=s3/),
    });
  });

  it('answers 502 BACKUP_BUCKET_FAILED, with the reason and no secret, when the bucket does not answer', async () => {
    const [port] = await freePorts(1);
    const response = await listAsAdmin(
      await bucketTarget(bucketEnv({ endpoint: `http://127.0.0.1:${port}` }, identity)),
    );
    expect(response.statusCode).toBe(502);
    expect(response.json().error).toMatchObject({
      code: 'BACKUP_BUCKET_FAILED',
      message: expect.stringMatching(/Could not list the backup bucket: listing s3:\/\/storefleet-backups\//),
      details: { reason: 'STORAGE_FAILED' },
    });
    expect(response.body).not.toContain(s3.secretAccessKey);
  });
});
