// Store insights through the API and /metrics: the sampler, fed by stand-ins for the ingress's
// counters, the nodes' usage and Medusa's Admin API, writes points; owners read their own store's
// series and fleet, admins everyone's; a store on simulated nodes shows CPU and memory as not
// reported; /metrics carries one series per store and measure.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FleetInsights, Store, StoreInsights } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterUsage, UsageReading } from '../../src/cluster/port.ts';
import type { ServiceTraffic } from '../../src/ingress/service-metrics.ts';
import { MedusaOrders } from '../../src/insights/medusa-orders.ts';
import { InsightsSampler } from '../../src/insights/sampler.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, silentLogger, startTestPlatform, waitFor } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

/** The in-memory cluster, with Medusa's pods on a node that reports usage. */
class ReportingCluster extends MemoryCluster {
  reading: UsageReading = { nodes: 1, containers: [], disk: new Map() };
  appUrl = '';
  readonly usage: ClusterUsage = {
    readUsage: async () => this.reading,
    quota: async () => ({ cpuMillicores: 2000, memoryBytes: 1024 * 2 ** 20 }),
    appAddress: async () => this.appUrl,
  };

  override engines() {
    return super.engines().map((e) => (e.engine === 'medusa' ? { ...e, pods: 'real' as const } : e));
  }
}

const traffic = (requests: number, notFound: number): ServiceTraffic => ({
  requests,
  clientErrors: notFound,
  serverErrors: 0,
  durationBuckets: new Map([
    [0.1, requests],
    [Number.POSITIVE_INFINITY, requests],
  ]),
});

describe('store insights API', () => {
  let test: TestDatabase;
  let platform: Platform;
  let cluster: ReportingCluster;
  let medusa: Server;
  let owner: Record<string, string>;
  let other: Record<string, string>;
  let admin: Record<string, string>;
  let shop: Store;
  let simulated: Store;
  const counters = new Map<string, ServiceTraffic>();
  let orders: { total: number; currency_code: string }[] = [];

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    cluster = new ReportingCluster();
    medusa = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/auth/user/emailpass')) return res.end(JSON.stringify({ token: 't' }));
      res.end(JSON.stringify({ orders, count: orders.length }));
    });
    await new Promise<void>((resolve) => medusa.listen(0, '127.0.0.1', resolve));
    cluster.appUrl = `http://127.0.0.1:${(medusa.address() as AddressInfo).port}`;
    platform = await startTestPlatform(test.database, cluster);
    admin = (await signedIn(platform, 'admin@example.com')).headers;
    owner = (await signedIn(platform, 'owner@example.com')).headers;
    other = (await signedIn(platform, 'other@example.com')).headers;
    const create = async (name: string, engine: string) => {
      const response = await platform.app.inject({
        method: 'POST',
        url: '/api/stores',
        headers: owner,
        payload: { name, engine },
      });
      const store = Store.parse(response.json());
      return waitFor(async () => {
        const current = Store.parse(
          (await platform.app.inject({ url: `/api/stores/${store.id}`, headers: owner })).json(),
        );
        return current.state === 'Ready' ? current : undefined;
      }, `${name} to be Ready`);
    };
    shop = await create('Insight Shop', 'medusa');
    simulated = await create('Simulated Shop', 'woocommerce');
  });
  afterAll(async () => {
    await platform?.stop();
    await new Promise<void>((resolve) => medusa?.close(() => resolve()));
    await test?.close();
  });

  const get = (url: string, headers: Record<string, string>) =>
    platform.app.inject({ method: 'GET', url, headers });

  it('samples traffic, usage and orders once per interval and answers them as series', async () => {
    // Ten minutes ago, on the minute, so that the series (read on the real clock) hold both samples.
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    let clock = new Date(start);
    const sampler = new InsightsSampler({
      db: test.database.db,
      cluster,
      traffic: { serviceTraffic: async () => counters },
      orders: { medusa: new MedusaOrders() },
      intervalMs: 60_000,
      logger: silentLogger,
      now: () => clock,
    });
    const service = `${shop.namespace}-medusa-app-http@kubernetes`;
    counters.set(service, traffic(100, 0));
    cluster.reading = {
      nodes: 1,
      containers: [
        {
          namespace: shop.namespace,
          pod: 'app-1',
          container: 'medusa',
          memoryBytes: 300 * 2 ** 20,
          cpuSeconds: 10,
          cpuAtMs: 0,
        },
      ],
      disk: new Map(),
    };
    orders = [{ total: 25, currency_code: 'eur' }];
    // The first reading is the baseline: no traffic yet, but memory and the orders so far.
    const first = await sampler.sample();
    expect(first.find((s) => s.storeId === shop.id)).toMatchObject({
      requests: null,
      memoryBytes: 300 * 2 ** 20,
      orders: 1,
      revenue: 25,
    });
    clock = new Date(start + 60_000);
    counters.set(service, traffic(130, 4));
    cluster.reading = {
      nodes: 1,
      containers: [
        {
          namespace: shop.namespace,
          pod: 'app-1',
          container: 'medusa',
          memoryBytes: 310 * 2 ** 20,
          cpuSeconds: 16,
          cpuAtMs: 60_000,
        },
      ],
      disk: new Map(),
    };
    orders = [
      { total: 10, currency_code: 'eur' },
      { total: 5.5, currency_code: 'eur' },
    ];
    const second = await sampler.sample();
    expect(second.find((s) => s.storeId === shop.id)).toMatchObject({
      requests: 30,
      clientErrors: 4,
      serverErrors: 0,
      cpuMillicores: 100,
      memoryLimitBytes: 1024 * 2 ** 20,
      orders: 2,
      revenue: 15.5,
      currency: 'eur',
    });
    // The WooCommerce store runs on simulated nodes: its CPU and memory are not reported (its
    // traffic is: the ingress served it nothing).
    expect(second.find((s) => s.storeId === simulated.id)).toMatchObject({
      requests: 0,
      cpuMillicores: null,
      memoryBytes: null,
      memoryLimitBytes: null,
    });
  });

  it("answers a store's series to its owner and to admins, and 404 to anyone else", async () => {
    const mine = await get(`/api/stores/${shop.id}/insights?range=7d`, owner);
    expect(mine.statusCode).toBe(200);
    const series = StoreInsights.parse(mine.json());
    expect(series.totals).toMatchObject({
      requests: 30,
      clientErrors: 4,
      orders: 3,
      revenue: 40.5,
      currency: 'eur',
    });
    expect((await get(`/api/stores/${shop.id}/insights?range=7d`, admin)).statusCode).toBe(200);
    expect((await get(`/api/stores/${shop.id}/insights`, other)).statusCode).toBe(404);
    const bad = await get(`/api/stores/${shop.id}/insights?range=2y`, owner);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });

  it("names each store's owner in an admin's list only", async () => {
    const all = (await get('/api/stores', admin)).json() as { items: Store[] };
    expect(all.items.find((s) => s.id === shop.id)?.ownerEmail).toBe('owner@example.com');
    const mine = (await get('/api/stores', owner)).json() as { items: Store[] };
    expect(mine.items.find((s) => s.id === shop.id)).not.toHaveProperty('ownerEmail');
  });

  it('sums the fleet a user may see', async () => {
    const own = FleetInsights.parse((await get('/api/insights?range=7d', owner)).json());
    expect(own.top.orders.map((f) => [f.name, f.value])).toEqual([['Insight Shop', 3]]);
    const stranger = FleetInsights.parse((await get('/api/insights?range=7d', other)).json());
    expect(stranger.top.orders).toEqual([]);
    expect(stranger.traffic).toEqual([]);
  });

  it('exposes the latest sample of each store on /metrics, one series per store and measure', async () => {
    // The sampler above ran on an injected clock; one on the real clock gives /metrics a recent point.
    const sampler = new InsightsSampler({
      db: test.database.db,
      cluster,
      orders: {},
      intervalMs: 60_000,
      logger: silentLogger,
    });
    await sampler.sample();
    const text = (await get('/metrics', {})).body;
    expect(text).toContain(
      `storefleet_store_memory_bytes{store="${shop.slug}",engine="medusa"} ${310 * 2 ** 20}`,
    );
    expect(text).toContain(
      `storefleet_store_memory_quota_bytes{store="${shop.slug}",engine="medusa"} ${1024 * 2 ** 20}`,
    );
    expect(text).not.toContain(`storefleet_store_memory_bytes{store="${simulated.slug}"`);
    expect(text.match(/^storefleet_store_memory_bytes\{/gm)).toHaveLength(1);
  });
});
