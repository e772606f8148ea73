// Backups to an S3 target through the queue and the reconciler, against a real S3-compatible server
// (moto): each part by a Job (run on this machine by LocalBackupJobs: the builder's own command and
// environment, the agent as a process), the manifest it printed recorded on the backup's row, the
// restore through the agent's verified download, a tampered object refused with the reason by a verify
// Job before anything stops (not tried again), and a deleted backup gone from the bucket. The in-cluster run is the real node's.

import { tmpdir } from 'node:os';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { generateX25519Identity } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupPlaces } from '../../src/backups/backup-places.ts';
import { S3BackupBucket } from '../../src/backups/bucket-reader.ts';
import { DeletedStoreBackups } from '../../src/backups/deleted-store-backups.ts';
import { DirectoryBackupStorage } from '../../src/backups/storage.ts';
import type { BucketTarget } from '../../src/backups/target-config.ts';
import { loadBackupTarget } from '../../src/config.ts';
import { BackupsRepository } from '../../src/db/backups-repository.ts';
import type { Store } from '../../src/domain/store.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  signedIn,
  silentLogger,
  startTestPlatform,
  testConfig,
  waitFor,
  waitForState,
} from '../support/harness.ts';
import { LocalBackupJobs } from '../support/local-backup-jobs.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';
import { bucketTargetEnv, type S3Server, startS3Server } from '../support/s3-server.ts';

class BucketCluster extends MemoryCluster {
  readonly backupJobs = new LocalBackupJobs(this.data.contents);
}

const PREFIX = 'platform-a';

let s3: S3Server;
let objects: S3Client;
let test: TestDatabase;
let cluster: BucketCluster;
let platform: Platform;
let merchant: Record<string, string>;
let admin: Record<string, string>;
let store: Store;
let target: BucketTarget;

beforeAll(async () => {
  s3 = await startS3Server();
  objects = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const loaded = await loadBackupTarget(
    testConfig(),
    bucketTargetEnv(s3, PREFIX, await generateX25519Identity()),
  );
  if (loaded.kind !== 's3') throw new Error('expected an s3 target');
  target = loaded;
  test = await createTestDatabase('pglite');
  cluster = new BucketCluster();
  platform = await startTestPlatform(test.database, cluster, {}, undefined, { backupTarget: target });
  admin = (await signedIn(platform, 'ops@example.com')).headers;
  merchant = (await signedIn(platform, 'shop@example.com')).headers;
  const created = await platform.app.inject({
    method: 'POST',
    url: '/api/stores',
    headers: merchant,
    payload: { name: 'Bucket Shoes', engine: 'medusa' },
  });
  store = await waitForState(test.database, created.json().id, 'Ready');
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  await test?.close();
  objects?.destroy();
  await s3?.stop();
});

const backups = () => new BackupsRepository(test.database.db);

async function readObject(key: string): Promise<Uint8Array> {
  const body = (await objects.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body;
  return (await body?.transformToByteArray()) ?? expect.unreachable();
}

/** POST /api/stores of a new store from a backup (on `on`, as `headers`: the merchant's by default). */
const createFrom = (name: string, fromBackup: string, on = platform, headers = merchant) =>
  on.app.inject({
    method: 'POST',
    url: '/api/stores',
    headers,
    payload: { name, engine: 'medusa', fromBackup },
  });

/** The bucket's listing entry of `backupId`, as `headers` see it on `on`. */
async function listedEntry(backupId: string, on = platform, headers = admin) {
  const listed = (await on.app.inject({ method: 'GET', url: '/api/backups/bucket', headers })).json();
  return listed.items.find((item: { backupId: string }) => item.backupId === backupId);
}

const writeObject = (key: string, body: Uint8Array | string) =>
  objects.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));

async function backUp(): Promise<string> {
  const response = await platform.app.inject({
    method: 'POST',
    url: `/api/stores/${store.id}/backups`,
    headers: merchant,
  });
  expect(response.statusCode).toBe(202);
  const id: string = response.json().id;
  await waitFor(
    async () => {
      const row = await backups().get(id);
      return row && row.status !== 'pending' && row.status !== 'running' ? row : undefined;
    },
    `backup ${id} to finish`,
    30_000,
  );
  await waitForState(test.database, store.id, 'Ready');
  return id;
}

async function restore(backupId: string) {
  const response = await platform.app.inject({
    method: 'POST',
    url: `/api/stores/${store.id}/restore`,
    headers: merchant,
    payload: { backupId },
  });
  expect(response.statusCode).toBe(202);
  return waitFor(
    async () => {
      const current = await platform.queries.get(store.id);
      return current.state === 'Ready' || current.state === 'Failed' ? current : undefined;
    },
    'the restore to end',
    30_000,
  );
}

describe('a backup to an S3 target', () => {
  let backupId: string;

  it('runs in a Job: the dump goes to the bucket, the row gets the manifest and the bucket size', async () => {
    cluster.data.contents.set(store.namespace, 'order 1: red shoes');
    backupId = await backUp();
    const row = await backups().get(backupId);
    expect(row).toMatchObject({
      status: 'succeeded',
      target: 's3',
      storageKey: `${PREFIX}/${store.id}/${backupId}`,
      parts: ['database'],
    });
    const manifest = (
      await test.database.db
        .selectFrom('backups')
        .select('manifest')
        .where('id', '=', backupId)
        .executeTakeFirstOrThrow()
    ).manifest as { parts: { name: string; plainBytes: number; storedBytes: number }[] };
    expect(manifest).toMatchObject({
      storeId: store.id,
      backupId,
      slug: store.slug,
      engine: 'medusa',
      encryption: { scheme: 'age', keyFingerprint: target.keyFingerprint },
      parts: [{ name: 'database', plainBytes: 'order 1: red shoes'.length }],
    });
    expect(row?.sizeBytes).toBe(manifest.parts[0]?.storedBytes);
    // The object in the bucket is the encrypted dump, never the plaintext.
    const stored = await objects.send(
      new GetObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}/${store.id}/${backupId}/database.age` }),
    );
    const bytes = await stored.Body?.transformToString('latin1');
    expect(bytes).toMatch(/^age-encryption\.org\/v1/);
    expect(bytes).not.toContain('red shoes');
    // The platform lists it, as a backup of a store it knows.
    expect(await listedEntry(backupId)).toMatchObject({
      storeId: store.id,
      knownStore: true,
      knownBackup: true,
      keyMatches: true,
    });
  });

  it('hands a backup Job the recipient and a restore Job the identity, never the other way round', () => {
    const backupJob = cluster.backupJobs.ran.find((job) => job.name.startsWith('sf-backup-'));
    expect(backupJob?.env).toContain('BACKUP_AGE_RECIPIENT');
    expect(backupJob?.env).not.toContain('BACKUP_AGE_IDENTITY');
  });

  it("restores through a Job: the agent's verified download replaces the data", async () => {
    cluster.data.contents.set(store.namespace, 'order 1: red shoes, order 2: blue hat');
    const restored = await restore(backupId);
    expect(restored.state).toBe('Ready');
    expect(cluster.data.contents.get(store.namespace)).toBe('order 1: red shoes');
    const restoreJob = cluster.backupJobs.ran.find((job) => job.name.startsWith('sf-restore-'));
    expect(restoreJob?.env).toContain('BACKUP_AGE_IDENTITY');
    expect(restoreJob?.env).not.toContain('BACKUP_AGE_RECIPIENT');
  });

  it('seeds a new store: its restore Job reads the backup under the store it was taken of', async () => {
    const created = await createFrom('Bucket Shoes Again', backupId);
    expect(created.statusCode).toBe(202);
    const seeded = await waitForState(test.database, created.json().id, 'Ready', 30_000);
    expect(cluster.data.contents.get(seeded.namespace)).toBe('order 1: red shoes');
  });

  it('survives the platform: a fresh one on the same bucket and key lists it, takes it in, creates a store from it', async () => {
    const fresh = await createTestDatabase('pglite');
    const freshCluster = new BucketCluster();
    const recovered = await startTestPlatform(fresh.database, freshCluster, {}, undefined, {
      backupTarget: target,
    });
    try {
      const ops = (await signedIn(recovered, 'ops@recovered.example')).headers;
      expect(await listedEntry(backupId, recovered, ops)).toMatchObject({
        storeId: store.id,
        knownStore: false,
        knownBackup: false,
        keyMatches: true,
      });
      const take = () =>
        recovered.app.inject({
          method: 'POST',
          url: '/api/backups/bucket/import',
          headers: ops,
          payload: { storeId: store.id, backupId },
        });
      const taken = await take();
      expect(taken.statusCode).toBe(201);
      expect(taken.json()).toMatchObject({
        id: backupId,
        storeId: store.id,
        engine: 'medusa',
        status: 'succeeded',
      });
      expect((await take()).json().error.code).toBe('BACKUP_ALREADY_KNOWN');

      const created = await createFrom('Bucket Shoes Recovered', backupId, recovered, ops);
      expect(created.statusCode).toBe(202);
      const restored = await waitForState(fresh.database, created.json().id, 'Ready', 30_000);
      expect(freshCluster.data.contents.get(restored.namespace)).toBe('order 1: red shoes');
    } finally {
      await recovered.stop();
      await fresh.close();
    }
  });

  it('refuses a truncated backup, or one of another key, at the request: nothing stops, no Job runs', async () => {
    cluster.data.contents.set(store.namespace, 'order 4: yellow scarf');
    const truncated = await backUp();
    const folder = `${PREFIX}/${store.id}/${truncated}`;
    const part = await readObject(`${folder}/database.age`);
    await writeObject(`${folder}/database.age`, part.slice(0, -10));
    const before = await platform.queries.get(store.id);
    const jobsBefore = cluster.backupJobs.ran.length;
    const refused = await platform.app.inject({
      method: 'POST',
      url: `/api/stores/${store.id}/restore`,
      headers: merchant,
      payload: { backupId: truncated },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: 'BACKUP_NOT_RESTORABLE',
      message: expect.stringMatching(
        /CHECKSUM_MISMATCH: checksum mismatch \(tampered or truncated\): part database has \d+ bytes, its manifest says \d+/,
      ),
    });

    const manifestKey = `${folder}/manifest.json`;
    const manifest = JSON.parse(new TextDecoder().decode(await readObject(manifestKey)));
    manifest.encryption.keyFingerprint = `sha256:${'0'.repeat(32)}`;
    await writeObject(manifestKey, JSON.stringify(manifest));
    const otherKey = await createFrom('From Another Key', truncated);
    expect(otherKey.statusCode).toBe(400);
    expect(otherKey.json().error.message).toMatch(/WRONG_KEY: encrypted with a different key/);

    expect((await platform.queries.get(store.id)).state).toBe(before.state);
    expect(cluster.backupJobs.ran.length).toBe(jobsBefore);
    expect(cluster.data.contents.get(store.namespace)).toBe('order 4: yellow scarf');
  });

  it('reads a tampered backup back before anything stops: refused with the reason, the store Ready and running as it was', async () => {
    cluster.data.contents.set(store.namespace, 'order 3: green socks');
    const tampered = await backUp();
    const key = `${PREFIX}/${store.id}/${tampered}/database.age`;
    // Same size: only the checksums (and age's authentication) can tell.
    const changed = Uint8Array.from(await readObject(key));
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0xff;
    await writeObject(key, changed);
    const jobsBefore = cluster.backupJobs.ran.length;
    const callsBefore = cluster.calls.length;

    const refused = await restore(tampered);
    expect(refused.state).toBe('Ready');
    expect(refused.failure).toBeNull();
    expect(refused.conditions.find((c) => c.type === 'Restored')).toMatchObject({
      status: 'False',
      reason: 'BackupUnreadable',
      message: expect.stringMatching(
        /verify Job, exit status 3\): CHECKSUM_MISMATCH: checksum mismatch \(tampered or truncated\)/,
      ),
    });
    expect(refused.conditions.find((c) => c.type === 'AppReady')?.status).toBe('True');
    // One verify Job, not tried again, and no restore Job; the app was never scaled down.
    expect(cluster.backupJobs.ran.slice(jobsBefore).map((job) => job.name)).toEqual([
      `sf-verify-database-g${refused.generation}-${tampered}`,
    ]);
    expect(cluster.backupJobs.ran.at(-1)?.env).toContain('BACKUP_AGE_IDENTITY');
    expect(cluster.calls.slice(callsBefore).map((call) => call.operation)).not.toContain('scaleDown');
    expect(cluster.scaling.scaledDown.get(store.namespace)?.size ?? 0).toBe(0);
    expect(cluster.data.contents.get(store.namespace)).toBe('order 3: green socks');
    const activity = (
      await platform.app.inject({
        method: 'GET',
        url: `/api/stores/${store.id}/activity`,
        headers: merchant,
      })
    ).json();
    expect(activity.items).toContainEqual(
      expect.objectContaining({
        type: 'store.restore_refused',
        message: expect.stringMatching(/nothing was stopped or changed.*CHECKSUM_MISMATCH/),
      }),
    );

    // A new store from it fails before its release is installed.
    const created = await createFrom('From A Tampered Backup', tampered);
    expect(created.statusCode).toBe(202);
    const failed = await waitForState(test.database, created.json().id, 'Failed', 30_000);
    expect(failed.failure).toMatchObject({
      operation: 'provision-from-backup',
      step: 'backup-verify',
      reason: 'BackupUnreadable',
      retryable: false,
    });
    const itsCalls = cluster.calls.filter((call) => call.storeId === failed.id).map((call) => call.operation);
    expect(itsCalls).not.toContain('installRelease');
  });

  it('is deleted from the bucket with its row', async () => {
    const response = await platform.app.inject({
      method: 'DELETE',
      url: `/api/stores/${store.id}/backups/${backupId}`,
      headers: merchant,
    });
    expect(response.statusCode).toBe(204);
    expect(await backups().get(backupId)).toBeUndefined();
    const listed = (
      await platform.app.inject({ method: 'GET', url: '/api/backups/bucket', headers: admin })
    ).json();
    expect(listed.items.map((item: { backupId: string }) => item.backupId)).not.toContain(backupId);
    expect(listed.unreadable).toEqual([]);
  });
});

describe('the backups of a deleted store (DELETED_STORE_BACKUP_RETENTION)', () => {
  const DAY_MS = 24 * 3_600_000;

  /** A store of the merchant's on `on`, backed up once and then deleted; its backup's id. */
  async function backedUpAndDeleted(
    on: Platform,
    database: TestDatabase,
    onCluster: BucketCluster,
    name: string,
  ) {
    const headers = (await signedIn(on, 'gone@example.com')).headers;
    const created = await on.app.inject({
      method: 'POST',
      url: '/api/stores',
      headers,
      payload: { name, engine: 'medusa' },
    });
    const ready = await waitForState(database.database, created.json().id, 'Ready');
    onCluster.data.contents.set(ready.namespace, `the orders of ${name}`);
    const backup = await on.app.inject({ method: 'POST', url: `/api/stores/${ready.id}/backups`, headers });
    const backupId: string = backup.json().id;
    await waitForState(database.database, ready.id, 'Ready');
    expect((await new BackupsRepository(database.database.db).get(backupId))?.status).toBe('succeeded');
    await on.app.inject({ method: 'DELETE', url: `/api/stores/${ready.id}`, headers });
    await waitForState(database.database, ready.id, 'Deleted');
    return { backupId, storeId: ready.id, headers };
  }

  const objectsOf = async (storeId: string, backupId: string) => {
    const listed = await objects.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${PREFIX}/${storeId}/${backupId}/` }),
    );
    return (listed.Contents ?? []).map((object) => object.Key?.split('/').at(-1)).sort();
  };

  it("are kept (default 30 days): still the owner's, counted in their quota, restorable; then removed from the bucket with their rows", async () => {
    const { backupId, storeId, headers } = await backedUpAndDeleted(platform, test, cluster, 'Gone Shoes');
    const kept = await backups().get(backupId);
    expect(kept).toMatchObject({ status: 'succeeded', storeId });
    expect(await objectsOf(storeId, backupId)).toEqual(['database.age', 'manifest.json']);
    expect(await backups().bytesOfOwner(kept?.ownerId ?? '')).toBe(kept?.sizeBytes);

    const again = await createFrom('Gone Shoes Back', backupId, platform, headers);
    expect(again.statusCode).toBe(202);
    const back = await waitForState(test.database, again.json().id, 'Ready', 30_000);
    expect(cluster.data.contents.get(back.namespace)).toBe('the orders of Gone Shoes');

    const sweeper = (days: number) =>
      new DeletedStoreBackups({
        db: test.database.db,
        places: new BackupPlaces(target, new DirectoryBackupStorage(tmpdir()), new S3BackupBucket(target)),
        retentionMs: 30 * DAY_MS,
        logger: silentLogger,
        now: () => new Date(Date.now() + days * DAY_MS),
      });
    expect(await sweeper(29).sweep()).toEqual([]);
    expect(await sweeper(31).sweep()).toEqual([backupId]);
    expect(await backups().get(backupId)).toBeUndefined();
    expect(await objectsOf(storeId, backupId)).toEqual([]);
    expect(await listedEntry(backupId)).toBeUndefined();
    // The new store's own backups are not touched: it is not deleted.
    expect((await platform.queries.get(back.id)).state).toBe('Ready');
  });

  it('go with the store when the retention is 0', async () => {
    const database = await createTestDatabase('pglite');
    const own = new BucketCluster();
    const zero = await startTestPlatform(
      database.database,
      own,
      { DELETED_STORE_BACKUP_RETENTION: '0' },
      undefined,
      {
        backupTarget: target,
      },
    );
    try {
      const { backupId, storeId } = await backedUpAndDeleted(zero, database, own, 'Gone At Once');
      await waitFor(
        async () => ((await new BackupsRepository(database.database.db).get(backupId)) ? undefined : true),
        'the backup of the deleted store to go',
        10_000,
      );
      expect(await objectsOf(storeId, backupId)).toEqual([]);
    } finally {
      await zero.stop();
      await database.close();
    }
  });
});
