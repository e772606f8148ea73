// Part: what store insights cost. The sampler of the orchestrator (apps/orchestrator/src/insights)
// samples 50 stores on the simulated cluster: each store has a namespace with its ResourceQuota, its
// app's Service and its Secret, which the sampler reads through the API server as it would a real
// store's; Traefik's metrics (two Services per store) and Medusa's Admin API (a few orders per
// store) are stand-ins on loopback, since simulated pods serve nothing. Measured: API server
// requests per sample (cold, then warm caches), the orchestrator's CPU per sample and the memory the
// sampler keeps; and the storage one store's points take per day, from a day of samples in PGlite.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { CONDITION_TYPES } from '@storefleet/contracts';
import { sql } from 'kysely';
import pino from 'pino';
import { KubernetesInspection } from '../../apps/orchestrator/src/cluster/inspection.ts';
import { KubeApi } from '../../apps/orchestrator/src/cluster/kube-api.ts';
import type { Cluster, ClusterUsage } from '../../apps/orchestrator/src/cluster/port.ts';
import { KubernetesUsage } from '../../apps/orchestrator/src/cluster/resource-usage.ts';
import { STORE_SECRET_NAME } from '../../apps/orchestrator/src/cluster/store-secrets.ts';
import { type Database, openDatabase } from '../../apps/orchestrator/src/db/database.ts';
import { InsightsRepository, type StoreSample } from '../../apps/orchestrator/src/db/insights-repository.ts';
import { StoresRepository } from '../../apps/orchestrator/src/db/stores-repository.ts';
import { setCondition } from '../../apps/orchestrator/src/domain/conditions.ts';
import { newStore, type Store } from '../../apps/orchestrator/src/domain/store.ts';
import { describeEngine, engineModule } from '../../apps/orchestrator/src/engines/registry.ts';
import { PrometheusTrafficSource } from '../../apps/orchestrator/src/ingress/traffic.ts';
import { MedusaOrders } from '../../apps/orchestrator/src/insights/medusa-orders.ts';
import { InsightsSampler } from '../../apps/orchestrator/src/insights/sampler.ts';
import type { BenchCluster } from '../lib/env.ts';
import { mib } from '../lib/stats.ts';
import type { Report } from '../report.ts';

const WARM_SAMPLES = 10;
/** How long the sampler keeps quotas, Service addresses and logins (resource-usage.ts, sampler.ts). */
const CACHE_MINUTES = 5;

/** A KubeConfig that counts the API requests made with it (every client call authenticates). */
class CountingKubeConfig extends KubeConfig {
  requests = 0;
  override async applySecurityAuthentication(
    context: Parameters<KubeConfig['applySecurityAuthentication']>[0],
  ) {
    this.requests++;
    return super.applySecurityAuthentication(context);
  }
  override async applyToHTTPSOptions(options: Parameters<KubeConfig['applyToHTTPSOptions']>[0]) {
    this.requests++;
    return super.applyToHTTPSOptions(options);
  }
}

function readyStore(index: number): Store {
  const store = newStore({
    id: randomUUID(),
    name: `Insights ${index}`,
    slug: `insights-${index}-${process.pid}`,
    engine: 'medusa',
    ownerId: 'bench',
    resourcePrefix: 'store-',
    now: new Date(),
  });
  let conditions = store.conditions;
  for (const type of CONDITION_TYPES) {
    conditions = setCondition(
      conditions,
      { type, status: 'True', reason: 'Ready', message: 'ok' },
      new Date(),
    );
  }
  return { ...store, state: 'Ready', conditions, readyAt: new Date() };
}

/** What the sampler reads of each store in the cluster: its quota, its app's Service, its Secret. */
async function createStoreObjects(cluster: BenchCluster, store: Store): Promise<void> {
  const namespace = store.namespace;
  await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
  await cluster.core.createNamespacedResourceQuota({
    namespace,
    body: { metadata: { name: 'quota' }, spec: { hard: { 'limits.cpu': '8', 'limits.memory': '8Gi' } } },
  });
  await cluster.core.createNamespacedService({
    namespace,
    body: {
      metadata: { name: 'medusa', labels: { 'app.kubernetes.io/component': 'app' } },
      spec: { selector: { app: 'medusa' }, ports: [{ name: 'http', port: 9000 }] },
    },
  });
  const data = {
    'admin-username': 'storeadmin',
    'admin-password': 'bench-password',
    'admin-email': `admin@${store.slug}.invalid`,
  };
  await cluster.core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: STORE_SECRET_NAME }, stringData: data },
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** Traefik's metrics for the stores: two Services each, counters that grow at every scrape. */
function traefikStandIn(stores: Store[]): Server {
  let scrapes = 0;
  return createServer((_req, res) => {
    scrapes++;
    const lines: string[] = [];
    for (const store of stores) {
      for (const service of ['medusa-app-http', 'medusa-storefront-http']) {
        const labels = `method="GET",protocol="http",service="${store.namespace}-${service}@kubernetes"`;
        lines.push(`traefik_service_requests_total{code="200",${labels}} ${scrapes * 20}`);
        lines.push(`traefik_service_requests_total{code="404",${labels}} ${scrapes}`);
        for (const [le, share] of [
          ['0.1', 0.8],
          ['0.3', 0.95],
          ['1.2', 1],
          ['5', 1],
          ['+Inf', 1],
        ] as const) {
          lines.push(
            `traefik_service_request_duration_seconds_bucket{code="200",${labels},le="${le}"} ${Math.round(scrapes * 20 * share)}`,
          );
        }
      }
    }
    res.end(`${lines.join('\n')}\n`);
  });
}

/** Medusa's Admin API: a login, and three orders in every window. */
function medusaStandIn(): Server {
  return createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/auth/')) return res.end(JSON.stringify({ token: 'bench' }));
    const orders = Array.from({ length: 3 }, () => ({
      id: randomUUID(),
      total: 19.99,
      currency_code: 'eur',
    }));
    res.end(JSON.stringify({ orders, count: orders.length }));
  });
}

/** Bytes one store's points take per day: a day of minute points for `stores` stores, rolled up, in PGlite. */
async function storagePerStoreDay(stores: number): Promise<{ perDay: number; retained: number }> {
  const database: Database = await openDatabase({ inMemory: true });
  try {
    const repository = new StoresRepository(database.db);
    const ids: string[] = [];
    for (let i = 0; i < stores; i++) {
      const store = readyStore(i);
      await repository.insert(store);
      ids.push(store.id);
    }
    const samples = new InsightsRepository(database.db);
    const start = Date.UTC(2026, 0, 1);
    const point = (storeId: string, minute: number): StoreSample => ({
      storeId,
      requests: 40 + (minute % 7),
      clientErrors: minute % 3,
      serverErrors: 0,
      latencyP95Ms: 120.5,
      cpuMillicores: 35.2,
      cpuLimitMillicores: 8000,
      memoryBytes: 412_000_000 + minute,
      memoryLimitBytes: 8 * 2 ** 30,
      diskBytes: null,
      orders: minute % 30 === 0 ? 1 : 0,
      revenue: minute % 30 === 0 ? 19.99 : 0,
      currency: 'eur',
    });
    for (let minute = 1; minute <= 1440; minute++) {
      await samples.record(
        new Date(start + minute * 60_000),
        60,
        ids.map((id) => point(id, minute)),
      );
      if (minute % 60 === 0) await samples.compact(new Date(start + minute * 60_000));
    }
    await sql`vacuum analyze store_samples`.execute(database.db);
    const size = await sql<{
      bytes: string;
    }>`select pg_total_relation_size('store_samples')::text as bytes`.execute(database.db);
    const counts = await samples.rowCounts();
    const bytes = Number(size.rows[0]?.bytes ?? 0);
    const perRow = bytes / (counts.minute + counts.hour);
    // Kept at once: 24 h of minute points and 30 days of hour points.
    return { perDay: bytes / stores, retained: perRow * (1440 + 30 * 24) };
  } finally {
    await database.close();
  }
}

export async function insightsPart(cluster: BenchCluster, count: number, report: Report): Promise<void> {
  const stores = Array.from({ length: count }, (_, i) => readyStore(i));
  for (const store of stores) await createStoreObjects(cluster, store);
  const traefik = traefikStandIn(stores);
  const medusa = medusaStandIn();
  const database = await openDatabase({ inMemory: true });
  try {
    const [traefikUrl, medusaUrl] = [await listen(traefik), await listen(medusa)];
    const repository = new StoresRepository(database.db);
    for (const store of stores) await repository.insert(store);

    const kubeConfig = new CountingKubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfig);
    const kube = new KubeApi(kubeConfig);
    const usage = new KubernetesUsage(kube);
    // The store's Service is read as for a real store; its answer is the stand-in's address.
    const benchUsage: ClusterUsage = {
      readUsage: (signal) => usage.readUsage(signal),
      quota: (namespace, signal) => usage.quota(namespace, signal),
      appAddress: async (namespace, component, signal) => {
        await usage.appAddress(namespace, component, signal);
        return medusaUrl;
      },
    };
    const sampledCluster: Pick<Cluster, 'engines' | 'inspection' | 'usage'> = {
      // Medusa's pods count as real, so that the whole path runs (the nodes still report no usage).
      engines: () => [
        describeEngine(engineModule('medusa'), { available: true, pods: 'real', reason: null }),
      ],
      usage: benchUsage,
      inspection: new KubernetesInspection(kube),
    };
    const sampler = new InsightsSampler({
      db: database.db,
      cluster: sampledCluster,
      traffic: new PrometheusTrafficSource(`${traefikUrl}/metrics`),
      orders: { medusa: new MedusaOrders() },
      intervalMs: 60_000,
      logger: pino({ level: 'silent' }),
      // One sample per minute of its clock, taken back to back (the caches still see the real time).
      now: () => new Date(clock),
    });

    let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
    const sample = () => {
      clock += 60_000;
      return sampler.sample();
    };
    const rssBefore = process.memoryUsage().rss;
    let requests = kubeConfig.requests;
    const coldStarted = performance.now();
    const first = await sample();
    const coldMs = performance.now() - coldStarted;
    const coldRequests = kubeConfig.requests - requests;
    if (first.length !== count) throw new Error(`the first sample has ${first.length} stores, not ${count}`);
    requests = kubeConfig.requests;
    const cpuBefore = process.cpuUsage();
    const warmStarted = performance.now();
    for (let i = 0; i < WARM_SAMPLES; i++) await sample();
    const cpu = process.cpuUsage(cpuBefore);
    const warmMs = (performance.now() - warmStarted) / WARM_SAMPLES;
    const warmRequests = (kubeConfig.requests - requests) / WARM_SAMPLES;
    const cpuMsPerSample = (cpu.user + cpu.system) / 1000 / WARM_SAMPLES;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    // At a 1-minute interval the caches are read again every 5 samples.
    const steadyRequests = warmRequests + (coldRequests - warmRequests) / CACHE_MINUTES;
    // What grows with the stores: their cached reads; the warm requests are the nodes' (and the node list's).
    const perStore = (coldRequests - warmRequests) / CACHE_MINUTES / count;
    const last = (await sample()).find((s) => s.storeId === stores[0]?.id);
    // (Quotas are read only where a node reports usage to set against them: not on KWOK's.)
    if (!last || last.requests === null || last.orders !== 3) {
      throw new Error(`a sample is missing measures: ${JSON.stringify(last)}`);
    }
    const storage = await storagePerStoreDay(count);
    report.result(
      'insights',
      `insights collector at ${count} simulated stores (one sample = ingress metrics + node usage + each store's quota, Service, login and orders): ` +
        `API server requests per sample ${coldRequests} cold, ${warmRequests.toFixed(1)} warm, ` +
        `${steadyRequests.toFixed(1)} at a 1-minute interval (${perStore.toFixed(2)} per store, plus 2 per sample for each real node that reports); ` +
        `sampler CPU (the orchestrator's code, in this process) ${cpuMsPerSample.toFixed(0)} ms per sample (${(cpuMsPerSample / count).toFixed(2)} ms per store; a sample takes ${warmMs.toFixed(0)} ms warm, ${coldMs.toFixed(0)} ms cold), ` +
        `process RSS +${mib(Math.max(0, rssGrowth))} over ${WARM_SAMPLES + 2} samples (the sampler's caches and its PGlite database); ` +
        `storage ${(storage.perDay / 1024).toFixed(0)} KiB per store per day written (1,440 minute points + 24 hour points, PGlite, indexes included), ` +
        `${(storage.retained / 1024).toFixed(0)} KiB per store kept at steady state (24 h of minutes + 30 days of hours)`,
      {
        coldRequests,
        warmRequests,
        steadyRequestsPerStore: perStore,
        cpuMsPerStore: cpuMsPerSample / count,
        rssGrowth,
        bytesPerStoreDay: storage.perDay,
        bytesPerStoreRetained: storage.retained,
      },
    );
  } finally {
    await database.close();
    traefik.close();
    medusa.close();
    for (const store of stores)
      await cluster.core.deleteNamespace({ name: store.namespace }).catch(() => undefined);
  }
}
