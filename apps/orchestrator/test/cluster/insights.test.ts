// Store insights on the real node (issue #27), with one Medusa store: storefront requests, some of
// them 404s, appear in its series with the right counts; an order appears in its orders and
// revenue; its memory is above zero while it runs and zero while it sleeps; Chromium draws the
// store page's charts with data (a screenshot is kept under test-artifacts/). The orchestrator runs
// with the chart's least-privilege account and samples every few seconds.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Store, StoreInsights } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIST, ensureDashboardBuilt } from '../../../../scripts/build-dashboard.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import type { Platform } from '../../src/platform.ts';
import { type Browser, launchBrowser } from '../support/browser.ts';
import { startClusterPlatform } from '../support/cluster-platform.ts';
import { signedIn, testConfig, waitFor, waitForState } from '../support/harness.ts';
import { testCluster } from '../support/kube.ts';
import { placeOrder, storeHttp } from '../support/medusa-shopper.ts';
import { realNode, realNodeEnvironment } from '../support/real-node.ts';

const cluster = testCluster();
const node = realNode(cluster);
const READY_TIMEOUT_MS = 12 * 60_000;
const INTERVAL_S = 3;
const ARTIFACTS = resolve(import.meta.dirname, '../../../../test-artifacts');
const suffix = Date.now().toString(36).slice(-5);
const figures: Record<string, number | string | null> = {};

let database: Database;
let platform: Platform;
let baseUrl: string;
let auth: Record<string, string>;
let email: string;
let store: Store;
let browser: Browser | undefined;

const port = () => node?.ingressPort ?? 0;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function insights(range = '1h'): Promise<StoreInsights> {
  const response = await platform.app.inject({
    url: `/api/stores/${store.id}/insights?range=${range}`,
    headers: auth,
  });
  expect(response.statusCode).toBe(200);
  return StoreInsights.parse(response.json());
}

/** The latest raw sample's memory of the store, as /metrics shows it (undefined: not reported). */
async function memoryGauge(): Promise<number | undefined> {
  const text = (await platform.app.inject({ url: '/metrics' })).body;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`storefleet_store_memory_bytes{store="${store.slug}"`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe.runIf(node)('store insights on the real node', { timeout: READY_TIMEOUT_MS + 10 * 60_000 }, () => {
  beforeAll(async () => {
    await ensureDashboardBuilt();
    const listenPort = await freePort();
    const config = testConfig({
      ...(await realNodeEnvironment(cluster, node, READY_TIMEOUT_MS)),
      INGRESS_METRICS_URL: node?.ingressMetricsUrl ?? '',
      INSIGHTS_INTERVAL: `${INTERVAL_S}s`,
      DASHBOARD_DIR: DASHBOARD_DIST,
    });
    database = await openDatabase({ inMemory: true });
    platform = await startClusterPlatform(config, database);
    await platform.app.listen({ port: listenPort, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${listenPort}`;
    email = `insights-${suffix}@example.com`;
    auth = (await signedIn(platform, email)).headers;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (store && platform) {
      await platform.commands.delete(store.id).catch(() => undefined);
      await waitForState(database, store.id, 'Deleted', 240_000).catch(() => undefined);
    }
    await platform?.stop();
    await database?.close();
    console.info(`store insights figures: ${JSON.stringify(figures)}`);
  }, 300_000);

  it('counts storefront requests, 404s included, exactly, and reports the running store’s memory and quota', async () => {
    const created = await platform.app.inject({
      method: 'POST',
      url: '/api/stores',
      headers: auth,
      payload: { name: `Insights ${suffix}`, engine: 'medusa' },
    });
    expect(created.statusCode).toBe(202);
    store = Store.parse(created.json());
    await waitForState(database, store.id, 'Ready', READY_TIMEOUT_MS);
    // Samples of the running store: its pods' memory against its quota.
    const running = await waitFor(
      async () => (await insights()).points.findLast((p) => (p.memoryBytes ?? 0) > 0 && p.requests !== null),
      'a sample with memory and traffic',
      60_000,
      1_000,
    );
    expect(running.memoryBytes).toBeGreaterThan(50 * 2 ** 20);
    figures.memoryMiB = Math.round((running.memoryBytes ?? 0) / 2 ** 20);
    figures.cpuMillicores = running.cpuMillicores;
    // The local host-path volumes report no usage: null, shown as not reported.
    figures.diskBytes = running.diskBytes;
    expect(running.memoryLimitBytes).toBe(8 * 2 ** 30);
    expect(running.cpuLimitMillicores).toBe(8000);

    const before = (await insights()).totals;
    const host = `${store.slug}.localhost`;
    const pages = 7;
    const missing = 5;
    // The storefront: its page, and files it does not have.
    for (let i = 0; i < pages; i++) expect((await storeHttp(port(), host, 'GET', '/')).status).toBe(200);
    for (let i = 0; i < missing; i++) {
      expect((await storeHttp(port(), host, 'GET', `/no-such-file-${i}.png`)).status).toBe(404);
    }
    const expected = (before.requests ?? 0) + pages + missing;
    const after = await waitFor(
      async () => {
        const totals = (await insights()).totals;
        return (totals.requests ?? 0) >= expected ? totals : undefined;
      },
      'the requests to appear in the series',
      30_000,
      1_000,
    );
    // Two more samples: nothing else is counted.
    await new Promise((done) => setTimeout(done, 2 * INTERVAL_S * 1000 + 500));
    const settled = (await insights()).totals;
    expect(settled.requests).toBe(expected);
    expect(after.requests).toBe(expected);
    expect((settled.clientErrors ?? 0) - (before.clientErrors ?? 0)).toBe(missing);
    expect(settled.serverErrors).toBe(before.serverErrors ?? 0);
    const latency = (await insights()).points.filter((p) => p.latencyP95Ms !== null);
    expect(latency.length).toBeGreaterThan(0);
    figures.worstP95Ms = Math.max(...latency.map((p) => p.latencyP95Ms ?? 0));
  });

  it('shows an order in its orders and revenue', async () => {
    await placeOrder(port(), `${store.slug}.localhost`, { email: `shopper-${suffix}@example.com` });
    const totals = await waitFor(
      async () => {
        const t = (await insights()).totals;
        return (t.orders ?? 0) >= 1 ? t : undefined;
      },
      'the order to appear in the series',
      60_000,
      1_000,
    );
    expect(totals.orders).toBe(1);
    expect(totals.revenue).toBeGreaterThan(0);
    figures.revenue = `${totals.revenue} ${totals.currency}`;
    expect(totals.currency).toMatch(/^[a-z]{3}$/);
  });

  it("draws the store page's charts with data in Chromium", async () => {
    // At least two points (minutes) with traffic to draw lines and areas between: a store's first
    // sample has no earlier counter to count from, so its requests are not reported (null).
    await waitFor(
      async () => (await insights()).points.filter((point) => point.requests !== null).length >= 2,
      'two points with traffic in the series',
      90_000,
      1_000,
    );
    browser = await launchBrowser({ width: 1280, height: 1000 });
    const { page } = browser;
    await page.goto(`${baseUrl}/`);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('E-mail address').fill(email);
    await form.getByLabel('Password').fill('correct horse battery staple');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
    await page.goto(`${baseUrl}/stores/${store.id}`);
    const traffic = page.locator('figure[data-chart="traffic-and-errors"]');
    await traffic.locator('.recharts-area-area').first().waitFor();
    // Drawn shapes with data, and the same numbers in words.
    expect(await traffic.locator('.recharts-area-area').first().getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+/);
    await expect
      .poll(() => traffic.locator('figcaption').textContent())
      .toMatch(/^\d+ requests in the last hour/);
    await page.locator('figure[data-chart="memory"] .recharts-area-area').first().waitFor();
    expect(
      await page.locator('figure[data-chart="memory"] .recharts-reference-line').count(),
    ).toBeGreaterThan(0);
    await page.locator('figure[data-chart="orders-and-revenue"] .recharts-bar-rectangle').first().waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page
      .locator('section[aria-labelledby="panel-insights"]')
      .screenshot({ path: join(ARTIFACTS, 'store-insights.png') });
    // At phone width the charts stack and still draw.
    await page.setViewportSize({ width: 390, height: 844 });
    await traffic.locator('.recharts-area-area').first().waitFor();
    const box = await traffic.boundingBox();
    expect(box?.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'store-insights-phone.png'), fullPage: true });
  });

  it('reports zero memory while the store sleeps, with the sleep marked', async () => {
    expect(await memoryGauge()).toBeGreaterThan(0);
    const slept = await platform.app.inject({
      method: 'POST',
      url: `/api/stores/${store.id}/sleep`,
      headers: auth,
    });
    expect(slept.statusCode).toBe(202);
    // Its workloads scale to zero. (Asleep follows once the ingress serves the platform's asleep page,
    // which needs the orchestrator published as the ingress's one default backend; medusa-data.test.ts
    // holds that while both run, so this test does not wait for Asleep.)
    await waitFor(
      async () => ['Sleeping', 'Asleep'].includes((await platform.queries.get(store.id)).state),
      'the store to go to sleep',
      60_000,
      1_000,
    );
    await waitFor(async () => (await memoryGauge()) === 0, 'the memory gauge to read 0', 120_000, 1_000);
    // A whole minute asleep: the series' last point (a minute of samples) is zero too, not "not reported".
    const series = await waitFor(
      async () => {
        const s = await insights();
        return s.points.at(-1)?.memoryBytes === 0 ? s : undefined;
      },
      'the series to show zero memory',
      150_000,
      2_000,
    );
    expect(series.events.map((e) => e.kind)).toContain('sleep');
    expect(series.points.some((p) => (p.memoryBytes ?? 0) > 0)).toBe(true);
  });
});
