// A Medusa store's data on the real node (issue #16): an order, a backup, a second order, a restore
// (the second order gone, the first there), a new store from the backup (the first order there too),
// a scheduled backup from the store's own CronJob, the store page in Chromium, then sleep: the URL
// answers the platform's asleep page, its wake button brings the store back with the product's stock
// still reduced by the first order. Figures (backup size and time, wake time, memory freed) are printed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { type Backup, BackupList, Store } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIST, ensureDashboardBuilt } from '../../../../scripts/build-dashboard.ts';
import { GATEWAY } from '../../../../tools/testcluster/src/node/node-layout.ts';
import { FALLBACK_NAMESPACE, publishFallbackRoute } from '../../src/cluster/fallback-route.ts';
import { KubeApi } from '../../src/cluster/kube-api.ts';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import { PrometheusTrafficSource, requestsByNamespace } from '../../src/ingress/traffic.ts';
import type { Platform } from '../../src/platform.ts';
import { type Browser, launchBrowser } from '../support/browser.ts';
import { startClusterPlatform } from '../support/cluster-platform.ts';
import { signedIn, testConfig, waitFor, waitForState } from '../support/harness.ts';
import { adminConfig, holdIngressDefaultBackend, testCluster } from '../support/kube.ts';
import { placeOrder, storeHttp, variantStock } from '../support/medusa-shopper.ts';
import { podWorkingSetBytes } from '../support/pod-cgroups.ts';
import { realNode, realNodeEnvironment } from '../support/real-node.ts';

const cluster = testCluster();
const node = realNode(cluster);
const admin = adminConfig(cluster);
const core = admin.makeApiClient(CoreV1Api);
const batch = admin.makeApiClient(BatchV1Api);

const READY_TIMEOUT_MS = 12 * 60_000;
const suffix = Date.now().toString(36).slice(-5);
const figures: Record<string, number> = {};

let database: Database;
let platform: Platform;
let baseUrl: string;
let auth: Record<string, string>;
let email: string;
let backupDir: string;
let store: Store;
let copy: Store | undefined;
let browser: Browser | undefined;
let releaseDefaultBackend: (() => Promise<void>) | undefined;

const api = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
  const response = await platform.app.inject({
    method,
    url,
    headers: auth,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
};

const port = () => node?.ingressPort ?? 0;
const hostOf = (s: Store) => `${s.slug}.localhost`;

/** A free TCP port on every address: pods reach this process on the bridge, Traefik and Chromium on loopback. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function backups(id: string): Promise<BackupList> {
  return BackupList.parse((await api('GET', `/api/stores/${id}/backups`)).body);
}

async function waitForBackup(storeId: string, backupId: string): Promise<Backup> {
  return waitFor(
    async () => {
      const found = (await backups(storeId)).items.find((b) => b.id === backupId);
      if (found?.status === 'failed') throw new Error(`backup failed: ${found.failure}`);
      return found?.status === 'succeeded' ? found : undefined;
    },
    `backup ${backupId} to succeed`,
    5 * 60_000,
    500,
  );
}

/** Order numbers and e-mails in Medusa's Admin API, signed in with the login the platform generated. */
async function adminOrders(target: Store): Promise<{ display_id: number; email: string }[]> {
  const revealed = await api('POST', `/api/stores/${target.id}/credentials`, {});
  expect(revealed.status).toBe(200);
  const login = await storeHttp(
    port(),
    hostOf(target),
    'POST',
    '/auth/user/emailpass',
    {},
    {
      email: revealed.body.email,
      password: revealed.body.password,
    },
  );
  expect(login.status, login.text).toBe(200);
  const token = (login.body as { token: string }).token;
  const orders = await storeHttp(port(), hostOf(target), 'GET', '/admin/orders?fields=display_id,email', {
    authorization: `Bearer ${token}`,
  });
  expect(orders.status, orders.text).toBe(200);
  return (orders.body as { orders: { display_id: number; email: string }[] }).orders;
}

async function storeMemoryMiB(namespace: string): Promise<number> {
  const pods = await core.listNamespacedPod({ namespace });
  return pods.items
    .filter((pod) => pod.status?.phase === 'Running')
    .reduce((sum, pod) => sum + podWorkingSetBytes(pod.metadata?.uid ?? '') / 2 ** 20, 0);
}

describe.runIf(node)(
  "a Medusa store's data on the real node",
  { timeout: READY_TIMEOUT_MS + 10 * 60_000 },
  () => {
    beforeAll(async () => {
      releaseDefaultBackend = await holdIngressDefaultBackend(cluster);
      await ensureDashboardBuilt();
      backupDir = mkdtempSync(join(tmpdir(), 'storefleet-medusa-backups-'));
      const listenPort = await freePort('0.0.0.0');
      const config = testConfig({
        ...(await realNodeEnvironment(cluster, node, READY_TIMEOUT_MS)),
        BACKUP_DIR: backupDir,
        PLATFORM_INTERNAL_URL: `http://${GATEWAY}:${listenPort}`,
        DASHBOARD_DIR: DASHBOARD_DIST,
      });
      database = await openDatabase({ inMemory: true });
      platform = await startClusterPlatform(config, database);
      // Every address: pods reach it on the bridge, the browser on loopback (Chromium sends any other
      // address through the machine's HTTP proxy).
      await platform.app.listen({ port: listenPort, host: '0.0.0.0' });
      baseUrl = `http://127.0.0.1:${listenPort}`;
      // Traefik runs on the host: it reaches this process on the bridge address for asleep stores' hosts.
      await publishFallbackRoute(
        new KubeApi(admin),
        { host: GATEWAY, port: listenPort },
        node?.ingressClass ?? 'traefik',
        AbortSignal.timeout(30_000),
      );
      email = `data-${suffix}@example.com`;
      auth = (await signedIn(platform, email)).headers;
      // Another test file may hold the default backend for a while first.
    }, 25 * 60_000);

    afterAll(async () => {
      await browser?.close();
      for (const target of [store, copy]) {
        if (!target || !platform) continue;
        const current = await platform.queries.get(target.id).catch(() => undefined);
        if (current && current.state !== 'Deleted') {
          await platform.commands.delete(target.id).catch(() => undefined);
          await waitForState(database, target.id, 'Deleted', 240_000).catch(() => undefined);
        }
      }
      await platform?.stop();
      await database?.close();
      // The fallback route names this process, which is gone: hosts no store serves must get 404 again.
      await new KubeApi(admin).core.deleteNamespace({ name: FALLBACK_NAMESPACE }).catch(() => undefined);
      await releaseDefaultBackend?.();
      rmSync(backupDir, { recursive: true, force: true });
      console.info(`medusa data figures: ${JSON.stringify(figures)}`);
    }, 480_000);

    let first: { displayId: number; variantId: string };
    let stockAfterFirst: number;
    let backup: Backup;

    it('takes an order and is backed up, with size, time and outcome listed', async () => {
      const created = await api('POST', '/api/stores', { name: `Vault ${suffix}`, engine: 'medusa' });
      expect(created.status).toBe(202);
      store = Store.parse(created.body);
      await waitForState(database, store.id, 'Ready', READY_TIMEOUT_MS);
      store = Store.parse((await api('GET', `/api/stores/${store.id}`)).body);

      first = await placeOrder(port(), hostOf(store), { email: `first-${suffix}@example.com` });
      stockAfterFirst = await variantStock(port(), hostOf(store), first.variantId);
      // What idle sleep reads: Traefik counted the shopper's requests against the store's Services.
      const counts = await new PrometheusTrafficSource(node?.ingressMetricsUrl ?? '').requestCounts(
        AbortSignal.timeout(10_000),
      );
      expect(requestsByNamespace(counts, [store.namespace]).get(store.namespace)).toBeGreaterThan(5);

      const started = Date.now();
      const requested = await api('POST', `/api/stores/${store.id}/backups`);
      expect(requested.status).toBe(202);
      expect(requested.body).toMatchObject({ status: 'pending', trigger: 'manual', storeId: store.id });
      backup = await waitForBackup(store.id, String(requested.body.id));
      figures.backupSeconds = Math.round((Date.now() - started) / 100) / 10;
      figures.backupKiB = Math.round((backup.sizeBytes ?? 0) / 1024);
      expect(backup.parts).toEqual(['database']);
      // A Medusa database dump with its ~100 tables and four products: far more than nothing.
      expect(backup.sizeBytes).toBeGreaterThan(50_000);
      expect(backup.durationMs).toBeGreaterThan(0);
      const ready = await waitForState(database, store.id, 'Ready', 60_000);
      expect(ready.conditions.find((c) => c.type === 'BackedUp')).toMatchObject({ status: 'True' });
      // Conditions change only on observed change: neither Ready nor the backup made a watch say that
      // what exists is "not created yet" (the fleet watch reports only once every informer has listed).
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const health = (
        await new ActivityRepository(database.db).list({ storeId: store.id, limit: 200 })
      ).filter((entry) => entry.type === 'store.health_changed');
      expect(health.filter((entry) => entry.message.includes('is Unknown'))).toEqual([]);
    });

    it('restores the backup after a failed attempt, by Retry: the second order is gone, the first is there', async () => {
      const second = await placeOrder(port(), hostOf(store), { email: `second-${suffix}@example.com` });
      expect((await adminOrders(store)).map((o) => o.display_id)).toEqual(
        expect.arrayContaining([first.displayId, second.displayId]),
      );
      // A damaged dump: pg_restore refuses it in one transaction, so the data stays as it was.
      const dump = join(backupDir, 'stores', store.id, backup.id, 'database.dump');
      const whole = readFileSync(dump);
      writeFileSync(dump, whole.subarray(0, Math.floor(whole.length / 2)));
      const requested = await api('POST', `/api/stores/${store.id}/restore`, { backupId: backup.id });
      expect(requested.status).toBe(202);
      expect(requested.body).toMatchObject({ state: 'Restoring' });
      const failed = await waitForState(database, store.id, 'Failed', 10 * 60_000);
      expect(failed.failure).toMatchObject({
        operation: 'restore',
        step: 'data-restore',
        reason: 'RestoreFailed',
      });
      expect(failed.failure?.message).toMatch(/pg_restore/);
      expect(failed.attempts).toBe(1);

      // The dump whole again, Retry restores the backup the restore named (the job carries it).
      writeFileSync(dump, whole);
      expect((await api('POST', `/api/stores/${store.id}/retry`)).status).toBe(202);
      const restored = await waitForState(database, store.id, 'Ready', 10 * 60_000);
      for (const type of ['Restored', 'DatabaseReady', 'AppReady', 'StoreConfigured'] as const) {
        expect(
          restored.conditions.find((c) => c.type === type),
          type,
        ).toMatchObject({ status: 'True' });
      }
      const orders = await adminOrders(store);
      expect(orders.map((o) => o.email)).toContain(`first-${suffix}@example.com`);
      expect(orders.map((o) => o.email)).not.toContain(`second-${suffix}@example.com`);
      expect(await variantStock(port(), hostOf(store), first.variantId)).toBe(stockAfterFirst);
    });

    it('creates a new store from the backup, which shows the first order too', async () => {
      const started = Date.now();
      const created = await api('POST', '/api/stores', {
        name: `Vault Copy ${suffix}`,
        engine: 'medusa',
        fromBackup: backup.id,
      });
      expect(created.status).toBe(202);
      copy = Store.parse(created.body);
      const copied = await waitForState(database, copy.id, 'Ready', READY_TIMEOUT_MS);
      // One plan: provisioned, then the data of the backup, the app on it and its files.
      expect(copied.stepTimings['provision-from-backup']?.['data-restore']?.finishedAt).toBeTruthy();
      figures.newStoreFromBackupSeconds = Math.round((Date.now() - started) / 1000);
      copy = Store.parse((await api('GET', `/api/stores/${copy.id}`)).body);
      // Its own admin login works on the data that came back (the setup ran again after the restore).
      const orders = await adminOrders(copy);
      expect(orders.map((o) => o.email)).toContain(`first-${suffix}@example.com`);
      expect(orders.map((o) => o.email)).not.toContain(`second-${suffix}@example.com`);
      expect((await api('DELETE', `/api/stores/${copy.id}`)).status).toBe(202);
      await waitForState(database, copy.id, 'Deleted', 240_000);
      copy = undefined;
    });

    it("takes a scheduled backup when the store's CronJob runs, and keeps only the newest", async () => {
      const set = await api('PUT', `/api/stores/${store.id}/backup-schedule`, {
        cron: '30 2 * * *',
        keep: 2,
      });
      expect(set.status).toBe(200);
      const cronJob = await batch.readNamespacedCronJob({
        name: 'storefleet-backup',
        namespace: store.namespace,
      });
      expect(cronJob.spec?.schedule).toBe('30 2 * * *');
      // Run it now, as the CronJob controller would at 02:30: a Job from its template.
      await batch.createNamespacedJob({
        namespace: store.namespace,
        body: {
          metadata: { name: `storefleet-backup-now-${suffix}`, namespace: store.namespace },
          spec: cronJob.spec?.jobTemplate.spec ?? expect.unreachable(),
        },
      });
      const scheduled = await waitFor(
        async () =>
          (await backups(store.id)).items.find((b) => b.trigger === 'schedule' && b.status === 'succeeded'),
        'the scheduled backup to succeed',
        5 * 60_000,
        1_000,
      );
      await waitForState(database, store.id, 'Ready', 60_000);
      const list = await backups(store.id);
      expect(list.schedule).toEqual({ cron: '30 2 * * *', keep: 2 });
      expect(list.items.filter((b) => b.status === 'succeeded').map((b) => b.id)).toEqual([
        scheduled.id,
        backup.id,
      ]);
      expect(list.usage.bytes).toBe((scheduled.sizeBytes ?? 0) + (backup.sizeBytes ?? 0));
    });

    it('shows the backups on the store page in Chromium', async () => {
      browser = await launchBrowser({ width: 1280, height: 900 });
      const { page } = browser;
      await page.goto(`${baseUrl}/`);
      const form = page.getByRole('form', { name: 'Sign in' });
      await form.getByLabel('E-mail address').fill(email);
      await form.getByLabel('Password').fill('correct horse battery staple');
      await form.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
      await page.getByRole('link', { name: store.name, exact: true }).first().click();
      await page.getByRole('heading', { name: 'Backups' }).waitFor();
      const table = page.getByRole('table', { name: 'Backups' });
      await expect.poll(async () => table.locator('tr[data-status="succeeded"]').count()).toBe(2);
      const rows = await table
        .locator('tr[data-backup-id]')
        .evaluateAll((trs) =>
          trs.map((tr) => ({ id: tr.getAttribute('data-backup-id'), text: tr.textContent ?? '' })),
        );
      expect(rows.map((r) => r.id)).toContain(backup.id);
      expect(rows.find((r) => r.id === backup.id)?.text).toMatch(/KiB|MiB/);
      await expect.poll(() => page.getByRole('button', { name: 'Back up now' }).isEnabled()).toBe(true);
      await page.screenshot({ path: join(browser.dir, 'backups.png'), fullPage: true });
    });

    it('sleeps: its URL shows the asleep page; the wake button brings back the product with its stock reduced', async () => {
      const memoryAwake = await storeMemoryMiB(store.namespace);
      const requested = await api('POST', `/api/stores/${store.id}/sleep`);
      expect(requested.status).toBe(202);
      await waitForState(database, store.id, 'Asleep', 5 * 60_000);
      // Asleep means visitors get the asleep page through the ingress, not a Bad Gateway.
      const visit = await storeHttp(port(), hostOf(store), 'GET', '/');
      expect(visit.status, visit.text.slice(0, 200)).toBe(503);
      expect(visit.headers['x-storefleet-page']).toBe('asleep');
      await waitFor(
        async () =>
          (await core.listNamespacedPod({ namespace: store.namespace })).items.every(
            (pod) =>
              pod.metadata?.labels?.['app.kubernetes.io/component'] === 'setup' ||
              pod.status?.phase !== 'Running',
          ),
        'every store pod to stop',
        180_000,
        1_000,
      );
      figures.memoryFreedMiB = Math.round(memoryAwake - (await storeMemoryMiB(store.namespace)));
      expect(figures.memoryFreedMiB).toBeGreaterThan(100);

      const open = browser ?? expect.unreachable('no browser: the store page test failed');
      const { page } = open;
      await expect
        .poll(
          async () => {
            await page.goto(store.urls.storefront);
            return page.getByRole('heading', { name: `${store.name} is asleep` }).isVisible();
          },
          { timeout: 60_000, interval: 2_000 },
        )
        .toBe(true);
      await page.screenshot({ path: join(open.dir, 'asleep.png') });
      const wakeClicked = Date.now();
      await page.getByRole('button', { name: 'Wake the store' }).click();
      // The waking page reloads itself until the storefront answers again.
      await page
        .getByRole('link', { name: /Fleet T-Shirt|Sweatshirt|Sweatpants|Shorts/ })
        .first()
        .waitFor({
          timeout: 5 * 60_000,
        });
      figures.wakeToStorefrontSeconds = Math.round((Date.now() - wakeClicked) / 1000);
      await waitForState(database, store.id, 'Ready', 120_000);
      expect(await variantStock(port(), hostOf(store), first.variantId)).toBe(stockAfterFirst);
      expect(stockAfterFirst).toBeLessThan(100);
      const activity = (await api('GET', `/api/stores/${store.id}/activity`)).body as {
        items: { type: string; details: Record<string, unknown> }[];
      };
      expect(activity.items.find((a) => a.type === 'store.wake_requested')?.details).toMatchObject({
        by: 'visitor',
      });
    });
  },
);
