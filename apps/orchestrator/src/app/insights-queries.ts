// Reads store insights: one store's series over a range, and the fleet summary a user may see.
import type {
  FleetInsights,
  FleetStoreFigure,
  InsightEvent,
  InsightPoint,
  InsightRange,
  StoreInsights,
} from '@storefleet/contracts';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { AGGREGATES, HOUR_MS } from '../db/insights-repository.ts';
import type { Schema } from '../db/schema.ts';

/** What each range reads: which rows, how far back, and the step of its points. */
export const RANGES: Record<
  InsightRange,
  { resolution: 'minute' | 'hour'; ms: number; stepSeconds: number }
> = {
  '1h': { resolution: 'minute', ms: HOUR_MS, stepSeconds: 60 },
  '24h': { resolution: 'minute', ms: 24 * HOUR_MS, stepSeconds: 600 },
  '7d': { resolution: 'hour', ms: 7 * 24 * HOUR_MS, stepSeconds: 3600 },
};

/** Share of a quota from which a store is listed as near it. */
export const NEAR_QUOTA = 0.8;
const TOP = 5;

export interface InsightsSettings {
  /** Sampling interval; null when the orchestrator does not sample. */
  sampleIntervalMs: number | null;
  /** IDLE_SLEEP_AFTER when idle sleep is on; else the window the platform page uses to point at idle stores. */
  idleAfterMs: number;
  idleSleepEnabled: boolean;
}

interface BucketRow {
  bucket: Date | string;
  seconds: number;
  requests: number | null;
  client_errors: number | null;
  server_errors: number | null;
  latency_p95_ms: number | null;
  cpu_millicores: number | null;
  cpu_limit_millicores: number | null;
  memory_bytes: string | number | null;
  memory_limit_bytes: string | number | null;
  disk_bytes: string | number | null;
  orders: number | null;
  revenue: number | null;
  currency: string | null;
}

export class InsightsQueries {
  private readonly db: Kysely<Schema>;
  private readonly settings: InsightsSettings;

  constructor(db: Kysely<Schema>, settings: InsightsSettings) {
    this.db = db;
    this.settings = settings;
  }

  async storeSeries(storeId: string, range: InsightRange, now = new Date()): Promise<StoreInsights> {
    const { ms, stepSeconds } = RANGES[range];
    const from = new Date(now.getTime() - ms);
    const rows = await this.buckets(range, from, sql`store_id = ${storeId}`);
    const points = rows.map(toPoint);
    const activity = await this.db
      .selectFrom('activity')
      .select(['type', 'created_at'])
      .where('store_id', '=', storeId)
      .where('type', 'in', ['store.sleeping', 'store.woken'])
      .where('created_at', '>', from)
      .orderBy('created_at')
      .execute();
    const events: InsightEvent[] = activity.map((row) => ({
      at: iso(row.created_at),
      // Marked when it starts: the storefront stops answering as its workloads scale down.
      kind: row.type === 'store.sleeping' ? 'sleep' : 'wake',
    }));
    return {
      storeId,
      range,
      stepSeconds,
      sampleIntervalSeconds: this.intervalSeconds(),
      points,
      events,
      totals: {
        requests: total(points.map((p) => p.requests)),
        clientErrors: total(points.map((p) => p.clientErrors)),
        serverErrors: total(points.map((p) => p.serverErrors)),
        orders: total(points.map((p) => p.orders)),
        revenue: total(points.map((p) => p.revenue)),
        currency: points.findLast((p) => p.currency !== null)?.currency ?? null,
      },
    };
  }

  /** The fleet `ownerId` may see (every store when undefined). */
  async fleet(range: InsightRange, ownerId: string | undefined, now = new Date()): Promise<FleetInsights> {
    const { ms, stepSeconds, resolution } = RANGES[range];
    const from = new Date(now.getTime() - ms);
    const visible = ownerId === undefined ? sql`true` : sql`owner_id = ${ownerId}`;
    const inFleet = sql`store_id in (select id from stores where ${visible})`;
    const traffic = (await this.buckets(range, from, inFleet)).map((row) => ({
      at: iso(row.bucket),
      requests: row.requests,
      clientErrors: row.client_errors,
      serverErrors: row.server_errors,
    }));
    const sums = await sql<StoreRow & { requests: number | null; orders: number | null }>`
      select s.id, s.name, s.slug, s.state, sum(x.requests)::int as requests, sum(x.orders)::int as orders
      from store_samples x join stores s on s.id = x.store_id
      where x.resolution = ${resolution} and x.at > ${from} and s.state <> 'Deleted' and ${visibleStores(ownerId)}
      group by s.id, s.name, s.slug, s.state`.execute(this.db);
    const latestFrom = new Date(
      now.getTime() - Math.max(3 * (this.settings.sampleIntervalMs ?? 60_000), 5 * 60_000),
    );
    const latest = await sql<StoreRow & LevelRow>`
      select distinct on (x.store_id) s.id, s.name, s.slug, s.state, x.memory_bytes, x.memory_limit_bytes,
        x.cpu_millicores, x.cpu_limit_millicores
      from store_samples x join stores s on s.id = x.store_id
      where x.resolution = 'minute' and x.at > ${latestFrom} and s.state <> 'Deleted' and ${visibleStores(ownerId)}
      order by x.store_id, x.at desc`.execute(this.db);
    const levels = latest.rows.map((row) => ({
      row,
      memory: num(row.memory_bytes),
      share: Math.max(
        share(row.memory_bytes, row.memory_limit_bytes),
        share(row.cpu_millicores, row.cpu_limit_millicores),
      ),
    }));
    return {
      range,
      stepSeconds,
      sampleIntervalSeconds: this.intervalSeconds(),
      traffic,
      top: {
        traffic: topBy(sums.rows, (r) => r.requests),
        orders: topBy(sums.rows, (r) => r.orders),
        memory: topBy(levels, (l) => l.memory).map((figure) => figure),
      },
      nearQuota: {
        threshold: NEAR_QUOTA,
        stores: levels
          .filter((l) => l.share >= NEAR_QUOTA)
          .sort((a, b) => b.share - a.share)
          .map((l) => figure(l.row, Math.round(l.share * 1000) / 1000)),
      },
      idle: {
        enabled: this.settings.idleSleepEnabled,
        idleAfterSeconds: Math.round(this.settings.idleAfterMs / 1000),
        stores: await this.idleStores(ownerId, now),
      },
    };
  }

  /** Ready stores without a request for the idle window: seconds since their last one (or since Ready). */
  private async idleStores(ownerId: string | undefined, now: Date): Promise<FleetStoreFigure[]> {
    const rows = await sql<StoreRow & { since: Date | string | null }>`
      select s.id, s.name, s.slug, s.state,
        greatest(s.last_traffic_at, s.ready_at,
          (select max(x.at) from store_samples x where x.store_id = s.id and x.requests > 0)) as since
      from stores s
      where s.state = 'Ready' and ${visibleStores(ownerId)}`.execute(this.db);
    return rows.rows
      .map((row) => figure(row, Math.round((now.getTime() - new Date(row.since ?? now).getTime()) / 1000)))
      .filter((f) => f.value * 1000 >= this.settings.idleAfterMs)
      .sort((a, b) => b.value - a.value);
  }

  private buckets(range: InsightRange, from: Date, where: RawBuilder<unknown>) {
    const { resolution, stepSeconds } = RANGES[range];
    const bucket = sql`to_timestamp(ceil(extract(epoch from at) / ${stepSeconds}) * ${stepSeconds})`;
    return sql<BucketRow>`
      select ${bucket} as bucket, ${AGGREGATES}
      from store_samples
      where resolution = ${resolution} and at > ${from} and ${where}
      group by 1 order by 1`
      .execute(this.db)
      .then((result) => result.rows);
  }

  private intervalSeconds(): number | null {
    const ms = this.settings.sampleIntervalMs;
    return ms === null ? null : Math.max(1, Math.round(ms / 1000));
  }
}

interface StoreRow {
  id: string;
  name: string;
  slug: string;
  state: string;
}

interface LevelRow {
  memory_bytes: string | number | null;
  memory_limit_bytes: string | number | null;
  cpu_millicores: number | null;
  cpu_limit_millicores: number | null;
}

const visibleStores = (ownerId: string | undefined) =>
  ownerId === undefined ? sql`true` : sql`s.owner_id = ${ownerId}`;

function toPoint(row: BucketRow): InsightPoint {
  return {
    at: iso(row.bucket),
    seconds: Math.max(1, row.seconds),
    requests: row.requests,
    clientErrors: row.client_errors,
    serverErrors: row.server_errors,
    latencyP95Ms: round(row.latency_p95_ms),
    cpuMillicores: round(row.cpu_millicores),
    cpuLimitMillicores: round(row.cpu_limit_millicores),
    memoryBytes: num(row.memory_bytes),
    memoryLimitBytes: num(row.memory_limit_bytes),
    diskBytes: num(row.disk_bytes),
    orders: row.orders,
    revenue: round(row.revenue),
    currency: row.currency,
  };
}

function figure(row: StoreRow | { row: StoreRow }, value: number): FleetStoreFigure {
  const store = 'row' in row ? row.row : row;
  return { storeId: store.id, name: store.name, slug: store.slug, state: store.state, value };
}

function topBy<T extends StoreRow | { row: StoreRow }>(rows: T[], value: (row: T) => number | null) {
  return rows
    .map((row) => ({ row, value: value(row) }))
    .filter((entry): entry is { row: T; value: number } => entry.value !== null && entry.value > 0)
    .sort((a, b) => b.value - a.value)
    .slice(0, TOP)
    .map((entry) => figure(entry.row, entry.value));
}

function share(used: string | number | null, limit: string | number | null): number {
  const u = num(used);
  const l = num(limit);
  return u === null || l === null || l <= 0 ? 0 : u / l;
}

function total(values: (number | null)[]): number | null {
  const reported = values.filter((v): v is number => v !== null);
  return reported.length === 0 ? null : Math.round(reported.reduce((a, b) => a + b, 0) * 100) / 100;
}

const num = (value: string | number | null): number | null => (value === null ? null : Number(value));
const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
const iso = (value: Date | string) => new Date(value).toISOString();
