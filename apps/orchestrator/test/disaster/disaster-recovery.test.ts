// Disaster recovery on the real node (issue #25's "done when"): a Medusa store takes an order and is
// backed up to an S3 server (moto, on the host, reached by the backup Jobs on the node's bridge). Then
// the platform is thrown away entirely: its orchestrator stops, the cluster is stopped and its data
// directory removed. A fresh platform on a new data directory and a fresh cluster, given the same bucket
// and key, lists that backup, takes it in and creates a store from it, whose Admin API shows the order.
// A tampered object (same size) and a backup of another key are each refused with the reason, and the
// running store is not stopped (still Ready, the same pods).
//
// It stops the run's shared cluster, so it runs alone after every other real-node test (the `disaster`
// project, after `node`); a developer's cluster (`npm run cluster:up`) is started again at the end, one
// started for the test run is left down.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CoreV1Api } from '@kubernetes/client-node';
import { Store } from '@storefleet/contracts';
import { generateX25519Identity } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, clusterUp } from '../../../../tools/testcluster/src/control-plane.ts';
import { GATEWAY } from '../../../../tools/testcluster/src/node/node-layout.ts';
import { loadBackupTarget } from '../../src/config.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import type { Store as StoreRecord } from '../../src/domain/store.ts';
import type { Platform } from '../../src/platform.ts';
import { startClusterPlatform } from '../support/cluster-platform.ts';
import { signedIn, testConfig, waitFor, waitForState } from '../support/harness.ts';
import { adminConfig, type TestCluster, testCluster } from '../support/kube.ts';
import { adminOrders, placeOrder } from '../support/medusa-shopper.ts';
import { type RealNodeState, realNode, realNodeEnvironment } from '../support/real-node.ts';
import { bucketTargetEnv, type S3Server, startS3Server } from '../support/s3-server.ts';

const READY_TIMEOUT_MS = 12 * 60_000;
const PREFIX = 'dr';
const suffix = Date.now().toString(36).slice(-5);
const figures: Record<string, number> = {};
const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

const shared = testCluster();
const sharedDir = dirname(shared.adminKubeconfig);
const sharedNode = realNode(shared);
/** Started by `npm run cluster:up` (a developer's), not for this run: it is started again at the end. */
const developersCluster = !existsSync(join(sharedDir, 'stop-when-unused'));

/** One platform: its data directory, database, cluster and the merchant's session. */
interface Side {
  dataDir: string;
  database: Database;
  platform: Platform;
  cluster: TestCluster;
  node: RealNodeState | undefined;
  auth: Record<string, string>;
}

let s3: S3Server;
let objects: S3Client;
let identity: string;
let a: Side | undefined;
let b: Side | undefined;
let freshDir: string | undefined;
let sharedDown = false;

async function startSide(cluster: TestCluster, email: string, key = identity): Promise<Side> {
  const node = realNode(cluster);
  const dataDir = mkdtempSync(join(tmpdir(), 'storefleet-dr-data-'));
  const env = {
    ...(await realNodeEnvironment(cluster, node, READY_TIMEOUT_MS)),
    DATA_DIR: dataDir,
    ...bucketTargetEnv(s3, PREFIX, key),
  };
  const config = testConfig(env);
  const backupTarget = await loadBackupTarget(config, env);
  const database = await openDatabase({ dataDir });
  const platform = await startClusterPlatform(config, database, { backupTarget });
  const auth = (await signedIn(platform, email)).headers;
  return { dataDir, database, platform, cluster, node, auth };
}

async function stopSide(side: Side | undefined): Promise<void> {
  await side?.platform.stop();
  await side?.database.close();
  if (side) rmSync(side.dataDir, { recursive: true, force: true });
}

const api = async (side: Side, method: 'GET' | 'POST', url: string, body?: unknown) => {
  const response = await side.platform.app.inject({
    method,
    url,
    headers: side.auth,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
};

const hostOf = (store: Pick<StoreRecord, 'slug'>) => `${store.slug}.localhost`;

async function ordersIn(side: Side, store: StoreRecord) {
  const login = await api(side, 'POST', `/api/stores/${store.id}/credentials`, {});
  expect(login.status).toBe(200);
  return adminOrders(side.node?.ingressPort ?? 0, hostOf(store), {
    email: String(login.body.email),
    password: String(login.body.password),
  });
}

/** The store's pods by name and uid: a restore that stopped nothing leaves exactly these. */
async function podsOf(side: Side, store: StoreRecord): Promise<string[]> {
  const core = adminConfig(side.cluster).makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace: store.namespace });
  return pods.items
    .filter((pod) => pod.status?.phase === 'Running')
    .map((pod) => `${pod.metadata?.name}/${pod.metadata?.uid}`)
    .sort();
}

const objectKey = (storeId: string, backupId: string, name: string) =>
  `${PREFIX}/${storeId}/${backupId}/${name}`;

async function readObject(key: string): Promise<Uint8Array> {
  const body = (await objects.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body;
  return (await body?.transformToByteArray()) ?? expect.unreachable();
}

const writeObject = (key: string, body: Uint8Array | string) =>
  objects.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));

describe.runIf(sharedNode)(
  'disaster recovery on the real node: the cluster and the data directory lost, the bucket and the key kept',
  { timeout: READY_TIMEOUT_MS + 15 * 60_000 },
  () => {
    let original: StoreRecord;
    let backupId: string;
    let order: { displayId: number; email: string };
    let restored: StoreRecord;

    beforeAll(async () => {
      // Pods reach the host on the bridge's address; moto listens on every address, so it outlives the
      // bridge while the cluster is replaced.
      s3 = await startS3Server('storefleet-dr', { listen: '0.0.0.0', address: GATEWAY });
      objects = new S3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      identity = await generateX25519Identity();
    }, 60_000);

    afterAll(async () => {
      await stopSide(a);
      await stopSide(b);
      if (freshDir) {
        await clusterDown(freshDir).catch((error: Error) => console.error(error.message));
        rmSync(freshDir, { recursive: true, force: true });
      }
      if (sharedDown && developersCluster) {
        const started = Date.now();
        await clusterUp({ dir: sharedDir });
        figures.sharedClusterBackSeconds = seconds(started);
      }
      objects?.destroy();
      await s3?.stop();
      console.info(`disaster recovery figures: ${JSON.stringify(figures)}`);
    }, 20 * 60_000);

    it('a Medusa store takes an order and is backed up to the bucket by a Job on the node', async () => {
      a = await startSide(shared, `dr-${suffix}@example.com`);
      const created = await api(a, 'POST', '/api/stores', { name: `Lifeboat ${suffix}`, engine: 'medusa' });
      expect(created.status).toBe(202);
      original = await waitForState(a.database, String(created.body.id), 'Ready', READY_TIMEOUT_MS);
      const email = `castaway-${suffix}@example.com`;
      const placed = await placeOrder(a.node?.ingressPort ?? 0, hostOf(original), { email });
      order = { displayId: placed.displayId, email };

      const started = Date.now();
      const requested = await api(a, 'POST', `/api/stores/${original.id}/backups`);
      expect(requested.status).toBe(202);
      backupId = String(requested.body.id);
      const side = a;
      const backup = await waitFor(
        async () => {
          const list = (await api(side, 'GET', `/api/stores/${original.id}/backups`)).body as {
            items: { id: string; status: string; failure: string | null; sizeBytes: number | null }[];
          };
          const found = list.items.find((item) => item.id === backupId);
          if (found?.status === 'failed') throw new Error(`the backup failed: ${found.failure}`);
          return found?.status === 'succeeded' ? found : undefined;
        },
        `backup ${backupId} to succeed`,
        5 * 60_000,
        500,
      );
      figures.backupSeconds = seconds(started);
      figures.backupKiB = Math.round((backup.sizeBytes ?? 0) / 1024);
      const stored = await readObject(objectKey(original.id, backupId, 'database.age'));
      expect(new TextDecoder('latin1').decode(stored.subarray(0, 21))).toBe('age-encryption.org/v1');
    });

    it('the platform is thrown away: orchestrator stopped, cluster stopped, data directory removed; a fresh cluster starts', async () => {
      const dataDir = a?.dataDir ?? expect.unreachable();
      await stopSide(a);
      a = undefined;
      expect(existsSync(dataDir)).toBe(false);
      let started = Date.now();
      sharedDown = true;
      await clusterDown(sharedDir);
      figures.clusterDownSeconds = seconds(started);
      expect(existsSync(shared.adminKubeconfig)).toBe(false);

      freshDir = mkdtempSync(join(tmpdir(), 'storefleet-dr-cluster-'));
      started = Date.now();
      // Its node imports the images (the store's, the backup agent's) afresh.
      const fresh = await clusterUp({ dir: freshDir });
      figures.freshClusterUpSeconds = seconds(started);
      expect(fresh.started).toBe(true);
      expect(realNode({ adminKubeconfig: fresh.kubeconfig, helm: shared.helm })).toBeDefined();
    });

    it('a fresh platform given the bucket and another key sees the backup but cannot read it, and takes nothing in', async () => {
      const dir = freshDir ?? expect.unreachable();
      const wrong = await startSide(
        { adminKubeconfig: join(dir, 'admin.kubeconfig'), helm: shared.helm },
        `wrong-key-${suffix}@example.com`,
        await generateX25519Identity(),
      );
      try {
        const listed = await api(wrong, 'GET', '/api/backups/bucket');
        expect(listed.status).toBe(200);
        expect(listed.body.items).toContainEqual(
          expect.objectContaining({ storeId: original.id, backupId, keyMatches: false }),
        );
        const refused = await api(wrong, 'POST', '/api/backups/bucket/import', {
          storeId: original.id,
          backupId,
        });
        expect(refused.status).toBe(400);
        expect(JSON.stringify(refused.body)).toMatch(/WRONG_KEY/);
        // Nothing was taken in: no store can be made from it here.
        const created = await api(wrong, 'POST', '/api/stores', {
          name: `Wrong key ${suffix}`,
          engine: 'medusa',
          fromBackup: backupId,
        });
        expect(created.status).toBeGreaterThanOrEqual(400);
        expect(created.status).toBeLessThan(500);
      } finally {
        await stopSide(wrong);
      }
    });

    it('a fresh platform on the same bucket and key lists the backup, takes it in and creates a store from it with the order', async () => {
      const dir = freshDir ?? expect.unreachable();
      const started = Date.now();
      b = await startSide(
        { adminKubeconfig: join(dir, 'admin.kubeconfig'), helm: shared.helm },
        `ops-${suffix}@example.com`,
      );
      // The first user of a fresh platform is its admin.
      const listed = await api(b, 'GET', '/api/backups/bucket');
      expect(listed.status).toBe(200);
      expect(listed.body.items).toContainEqual(
        expect.objectContaining({
          storeId: original.id,
          backupId,
          slug: original.slug,
          engine: 'medusa',
          knownStore: false,
          knownBackup: false,
          keyMatches: true,
        }),
      );
      const taken = await api(b, 'POST', '/api/backups/bucket/import', { storeId: original.id, backupId });
      expect(taken.status).toBe(201);
      const created = await api(b, 'POST', '/api/stores', {
        name: `Lifeboat ${suffix} Recovered`,
        engine: 'medusa',
        fromBackup: backupId,
      });
      expect(created.status).toBe(202);
      restored = await waitForState(b.database, String(created.body.id), 'Ready', READY_TIMEOUT_MS);
      figures.recoverSeconds = seconds(started);
      const orders = await ordersIn(b, restored);
      expect(orders).toContainEqual(
        expect.objectContaining({ display_id: order.displayId, email: order.email }),
      );
    });

    it('refuses a tampered object (same size) with the reason, before anything stops', async () => {
      const side = b ?? expect.unreachable();
      const key = objectKey(original.id, backupId, 'database.age');
      const changed = Uint8Array.from(await readObject(key));
      changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0xff;
      await writeObject(key, changed);
      const before = await podsOf(side, restored);

      const requested = await api(side, 'POST', `/api/stores/${restored.id}/restore`, { backupId });
      expect(requested.status).toBe(202);
      const refused = await waitFor(
        async () => {
          const current = Store.parse((await api(side, 'GET', `/api/stores/${restored.id}`)).body);
          return current.state === 'Ready' || current.state === 'Failed' ? current : undefined;
        },
        'the restore to be refused',
        5 * 60_000,
        500,
      );
      expect(refused.state).toBe('Ready');
      expect(refused.conditions.find((c) => c.type === 'Restored')).toMatchObject({
        status: 'False',
        reason: 'BackupUnreadable',
        message: expect.stringMatching(/CHECKSUM_MISMATCH: checksum mismatch \(tampered or truncated\)/),
      });
      expect(refused.conditions.find((c) => c.type === 'AppReady')?.status).toBe('True');
      expect(await podsOf(side, restored)).toEqual(before);
      expect(await ordersIn(side, restored)).toContainEqual(
        expect.objectContaining({ display_id: order.displayId, email: order.email }),
      );
    });

    it('refuses a restore whose manifest names another key, at the request, and nothing stops', async () => {
      const side = b ?? expect.unreachable();
      const key = objectKey(original.id, backupId, 'manifest.json');
      const manifest = JSON.parse(new TextDecoder().decode(await readObject(key)));
      manifest.encryption.keyFingerprint = `sha256:${'0'.repeat(32)}`;
      await writeObject(key, JSON.stringify(manifest));
      const before = await podsOf(side, restored);

      const refused = await api(side, 'POST', `/api/stores/${restored.id}/restore`, { backupId });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        code: 'BACKUP_NOT_RESTORABLE',
        message: expect.stringMatching(/WRONG_KEY: encrypted with a different key/),
      });
      expect(Store.parse((await api(side, 'GET', `/api/stores/${restored.id}`)).body).state).toBe('Ready');
      expect(await podsOf(side, restored)).toEqual(before);
    });
  },
);
