// The per-store insight series on /metrics, for operators with Prometheus and Grafana: each store's
// latest sample as gauges, read from the database at scrape time (every replica agrees). Labels are
// the store's slug and engine only, for stores not deleted and sampled lately: at most MAX_STORES
// series per metric (and never more than MAX_LABELLED_STORES).
import { type Kysely, sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Schema } from '../db/schema.ts';

export const MAX_LABELLED_STORES = 1000;

interface LatestRow {
  slug: string;
  engine: string;
  seconds: number;
  requests: number | null;
  client_errors: number | null;
  server_errors: number | null;
  latency_p95_ms: number | null;
  cpu_millicores: number | null;
  cpu_limit_millicores: number | null;
  memory_bytes: string | null;
  memory_limit_bytes: string | null;
  disk_bytes: string | null;
  orders_24h: number | null;
  revenue_24h: number | null;
}

type Labels = 'store' | 'engine';

/** The gauges, each with how it is read from a store's latest row (null: not reported, no series). */
const GAUGES: { name: string; help: string; value: (row: LatestRow) => number | null }[] = [
  {
    name: 'storefleet_store_requests_per_second',
    help: "Requests the ingress served for the store, per second over the last sample's interval.",
    value: (r) => perSecond(r.requests, r.seconds),
  },
  {
    name: 'storefleet_store_client_errors_per_second',
    help: 'Requests answered 4xx, per second over the last sample.',
    value: (r) => perSecond(r.client_errors, r.seconds),
  },
  {
    name: 'storefleet_store_server_errors_per_second',
    help: 'Requests answered 5xx, per second over the last sample.',
    value: (r) => perSecond(r.server_errors, r.seconds),
  },
  {
    name: 'storefleet_store_latency_p95_seconds',
    help: "95th percentile of the ingress's request durations over the last sample.",
    value: (r) => (r.latency_p95_ms === null ? null : r.latency_p95_ms / 1000),
  },
  { name: 'storefleet_store_cpu_cores', help: 'CPU the store uses.', value: (r) => cores(r.cpu_millicores) },
  {
    name: 'storefleet_store_cpu_quota_cores',
    help: "The store's CPU quota (limits.cpu).",
    value: (r) => cores(r.cpu_limit_millicores),
  },
  {
    name: 'storefleet_store_memory_bytes',
    help: 'Memory the store uses (working set).',
    value: (r) => num(r.memory_bytes),
  },
  {
    name: 'storefleet_store_memory_quota_bytes',
    help: "The store's memory quota (limits.memory).",
    value: (r) => num(r.memory_limit_bytes),
  },
  {
    name: 'storefleet_store_disk_bytes',
    help: "Bytes used on the store's volumes.",
    value: (r) => num(r.disk_bytes),
  },
  {
    name: 'storefleet_store_orders_24h',
    help: 'Orders placed in the last 24 hours.',
    value: (r) => r.orders_24h,
  },
  {
    name: 'storefleet_store_revenue_24h',
    help: "Total of the last 24 hours' orders, in the store's currency.",
    value: (r) => r.revenue_24h,
  },
];

/** Registers the per-store gauges; `recentMs`: how old a store's latest sample may be to be shown. */
export function registerInsightMetrics(registry: Registry, db: Kysely<Schema>, recentMs: () => number): void {
  let pending: Promise<LatestRow[]> | undefined;
  // One query per scrape, whichever gauge collects first.
  const latest = () => {
    pending ??= readLatest(db, recentMs()).finally(() => {
      setImmediate(() => {
        pending = undefined;
      });
    });
    return pending;
  };
  for (const spec of GAUGES) {
    new Gauge<Labels>({
      name: spec.name,
      help: spec.help,
      labelNames: ['store', 'engine'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await latest()) {
          const value = spec.value(row);
          if (value !== null) this.set({ store: row.slug, engine: row.engine }, value);
        }
      },
    });
  }
}

async function readLatest(db: Kysely<Schema>, recentMs: number): Promise<LatestRow[]> {
  const now = Date.now();
  const since = new Date(now - recentMs);
  const day = new Date(now - 24 * 3_600_000);
  const result = await sql<LatestRow>`
    select s.slug, s.engine, x.seconds, x.requests, x.client_errors, x.server_errors, x.latency_p95_ms,
      x.cpu_millicores, x.cpu_limit_millicores, x.memory_bytes, x.memory_limit_bytes, x.disk_bytes,
      (select sum(d.orders)::int from store_samples d
        where d.store_id = s.id and d.resolution = 'minute' and d.at > ${day}) as orders_24h,
      (select sum(d.revenue)::float8 from store_samples d
        where d.store_id = s.id and d.resolution = 'minute' and d.at > ${day}) as revenue_24h
    from stores s
    join lateral (
      select * from store_samples x where x.store_id = s.id and x.resolution = 'minute' and x.at > ${since}
      order by x.at desc limit 1
    ) x on true
    where s.state <> 'Deleted'
    order by s.slug
    limit ${MAX_LABELLED_STORES}`.execute(db);
  return result.rows;
}

const num = (value: string | number | null) => (value === null ? null : Number(value));
const cores = (millicores: number | null) => (millicores === null ? null : millicores / 1000);
const perSecond = (count: number | null, seconds: number) =>
  count === null ? null : count / Math.max(1, seconds);
