import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { PlatformInfo, Store } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.ts';
import type { Platform } from '../../src/platform.ts';
import { type Browser, launchBrowser } from '../support/browser.ts';
import { startClusterPlatform } from '../support/cluster-platform.ts';
import { signedIn, testConfig, waitFor, waitForState } from '../support/harness.ts';
import { adminConfig, testCluster } from '../support/kube.ts';
import { storeHttp } from '../support/medusa-shopper.ts';
import { podWorkingSetBytes } from '../support/pod-cgroups.ts';
import { realNode, realNodeEnvironment } from '../support/real-node.ts';
import { checkout } from '../support/storefront-checkout.ts';

const cluster = testCluster();
const node = realNode(cluster);
const core = adminConfig(cluster).makeApiClient(CoreV1Api);

const READY_TIMEOUT_MS = 12 * 60_000;
const suffix = Date.now().toString(36).slice(-5);

let database: Database;
let platform: Platform;
let auth: Record<string, string>;
let browser: Browser | undefined;
let store: Store | undefined;

const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
  const response = await platform.app.inject({
    method,
    url,
    headers: auth,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
};

const port = () => node?.ingressPort ?? 0;

describe.runIf(node)('a Medusa store on the real node', { timeout: READY_TIMEOUT_MS + 5 * 60_000 }, () => {
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const config = testConfig({
      ...(await realNodeEnvironment(cluster, node, READY_TIMEOUT_MS)),
    });
    database = await openDatabase({ inMemory: true });
    platform = await startClusterPlatform(config, database);
    auth = (await signedIn(platform, `merchant-${suffix}@example.com`)).headers;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (store && platform) {
      const current = await platform.queries.get(store.id).catch(() => undefined);
      if (current && current.state !== 'Deleted') {
        await platform.commands.delete(store.id).catch(() => undefined);
        await waitForState(database, store.id, 'Deleted', 180_000).catch(() => undefined);
      }
    }
    await platform?.stop();
    await database?.close();
    if (Object.keys(timings).length > 0) console.info(`medusa store timings (s): ${JSON.stringify(timings)}`);
  }, 240_000);

  it('offers Medusa on real pods, and says why WooCommerce cannot run here', async () => {
    const info = PlatformInfo.parse((await api('GET', '/api/platform')).body);
    expect(info.cluster.simulated).toBe(false);
    expect(info.engines.find((e) => e.engine === 'medusa')).toMatchObject({
      displayName: 'Medusa',
      login: 'email',
      available: true,
      pods: 'real',
      reason: null,
    });
    const woocommerce = info.engines.find((e) => e.engine === 'woocommerce');
    expect(woocommerce?.available).toBe(false);
    expect(woocommerce?.reason).toMatch(/internet/);
    const refused = await api('POST', '/api/stores', { name: `Woo ${suffix}`, engine: 'woocommerce' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
  });

  it('becomes Ready with every condition true', async () => {
    const started = Date.now();
    const created = await api('POST', '/api/stores', { name: `Harbour ${suffix}`, engine: 'medusa' });
    expect(created.status).toBe(202);
    store = Store.parse(created.body);
    await waitForState(database, store.id, 'Ready', READY_TIMEOUT_MS);
    timings.createdToReady = Math.round((Date.now() - started) / 1000);
    store = Store.parse((await api('GET', `/api/stores/${store.id}`)).body);
    expect(store.conditions.length).toBeGreaterThan(0);
    for (const condition of store.conditions)
      expect(condition, condition.type).toMatchObject({ status: 'True' });
    expect(store.urls.storefront).toBe(`http://${store.slug}.localhost:${node?.ingressPort}`);
    expect(store.urls.admin).toBe(`${store.urls.storefront}/app/`);
    const pods = await core.listNamespacedPod({ namespace: store.namespace });
    expect(pods.items.length).toBeGreaterThan(0);
    for (const pod of pods.items) expect(pod.spec?.nodeName, pod.metadata?.name).toBe('storefleet-node');
  });

  let orderNumber: string;

  it('takes an order in Chromium through our storefront behind the ingress', async () => {
    if (!store) throw new Error('no store: the previous test failed');
    browser = await launchBrowser({ width: 390, height: 844 });
    const { page } = browser;
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const started = Date.now();

    ({ orderNumber } = await checkout(page, store.urls.storefront, `shopper-${suffix}@example.com`));
    timings.firstOrderInBrowser = Math.round((Date.now() - started) / 1000);
    await page.screenshot({ path: join(browser.dir, 'confirmation.png') });
    expect(orderNumber).toMatch(/^\d+$/);
    expect(errors).toEqual([]);
  });

  it("lists that order in Medusa's Admin API with the credentials the orchestrator generated", async () => {
    if (!store) throw new Error('no store: the previous test failed');
    const revealed = await api('POST', `/api/stores/${store.id}/credentials`, {});
    expect(revealed.status).toBe(200);
    const { email, password } = revealed.body as { email: string; password: string };
    const host = `${store.slug}.localhost`;
    const login = await storeHttp(port(), host, 'POST', '/auth/user/emailpass', {}, { email, password });
    expect(login.status).toBe(200);
    const token = (login.body as { token: string }).token;
    const orders = await storeHttp(port(), host, 'GET', '/admin/orders?fields=display_id,email,total', {
      authorization: `Bearer ${token}`,
    });
    expect(orders.status).toBe(200);
    const list = (orders.body as { orders: { display_id: number; email: string }[] }).orders;
    expect(list).toContainEqual(
      expect.objectContaining({ display_id: Number(orderNumber), email: `shopper-${suffix}@example.com` }),
    );
    const wrong = await storeHttp(
      port(),
      host,
      'POST',
      '/auth/user/emailpass',
      {},
      {
        email,
        password: `${password}-wrong`,
      },
    );
    expect(wrong.status).toBe(401);
  });

  it('records the memory of the store at rest', async () => {
    if (!store) throw new Error('no store: the previous test failed');
    const pods = await core.listNamespacedPod({ namespace: store.namespace });
    const running = pods.items.filter((pod) => pod.status?.phase === 'Running');
    const byComponent = Object.fromEntries(
      running.map((pod) => [
        pod.metadata?.labels?.['app.kubernetes.io/component'] ?? '?',
        Math.round(podWorkingSetBytes(pod.metadata?.uid ?? '') / 2 ** 20),
      ]),
    );
    expect(Object.keys(byComponent)).toEqual(expect.arrayContaining(['app', 'database', 'storefront']));
    // A live process uses memory; each figure is read from the pod's own cgroup on this host.
    for (const [component, mib] of Object.entries(byComponent)) expect(mib, component).toBeGreaterThan(1);
    timings.memoryAtRestMiB = Object.values(byComponent).reduce((sum, mib) => sum + mib, 0);
    console.info(`medusa store memory at rest (MiB): ${JSON.stringify(byComponent)}`);
  });

  it('is deleted with nothing left: no namespace, pods or volumes', async () => {
    if (!store) throw new Error('no store: the previous test failed');
    const { namespace } = store;
    const volumes = (await core.listPersistentVolume()).items
      .filter((pv) => pv.spec?.claimRef?.namespace === namespace)
      .map((pv) => pv.metadata?.name);
    expect(volumes.length).toBeGreaterThan(0);
    expect((await api('DELETE', `/api/stores/${store.id}`)).status).toBe(202);
    await waitForState(database, store.id, 'Deleted', 240_000);
    await waitFor(
      async () => {
        const left = (await core.listPersistentVolume()).items.filter((pv) =>
          volumes.includes(pv.metadata?.name),
        );
        return left.length === 0;
      },
      'the store volumes to be deleted',
      120_000,
      1_000,
    );
    await expect(core.readNamespace({ name: namespace })).rejects.toThrow();
    store = undefined;
  });
});
