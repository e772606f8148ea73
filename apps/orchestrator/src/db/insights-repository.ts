// Store insights in PostgreSQL: one `minute` row per store per sample, rolled up into `hour` rows;
// minute rows are kept 24 hours and hour rows 30 days, so a store costs a bounded number of rows.
import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';

/** What one sample measured of one store; null = not reported. */
export interface StoreSample {
  storeId: string;
  requests: number | null;
  clientErrors: number | null;
  serverErrors: number | null;
  latencyP95Ms: number | null;
  cpuMillicores: number | null;
  cpuLimitMillicores: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  diskBytes: number | null;
  orders: number | null;
  revenue: number | null;
  currency: string | null;
}

export const HOUR_MS = 3_600_000;
/** How long each resolution is kept. */
export const RETENTION = { minuteMs: 24 * HOUR_MS, hourMs: 30 * 24 * HOUR_MS } as const;
/** Hours whose hour row is computed again at every roll-up (their minutes may still be arriving). */
const RECENT_HOURS = 2;
/** The end of the hour a point belongs to: a point covers the seconds before its time. */
const HOUR_END = sql`date_trunc('hour', at - interval '1 millisecond', 'UTC') + interval '1 hour'`;

/**
 * How minute rows add up into a coarser point: counts and amounts are summed, levels averaged,
 * quotas and disk take their largest value, latency its worst p95. Shared by roll-ups and series.
 */
export const AGGREGATES = sql`
  sum(seconds)::int as seconds,
  sum(requests)::int as requests,
  sum(client_errors)::int as client_errors,
  sum(server_errors)::int as server_errors,
  max(latency_p95_ms)::real as latency_p95_ms,
  avg(cpu_millicores)::real as cpu_millicores,
  max(cpu_limit_millicores)::real as cpu_limit_millicores,
  round(avg(memory_bytes))::bigint as memory_bytes,
  max(memory_limit_bytes)::bigint as memory_limit_bytes,
  max(disk_bytes)::bigint as disk_bytes,
  sum(orders)::int as orders,
  sum(revenue)::float8 as revenue,
  max(currency) as currency`;

export class InsightsRepository {
  private readonly db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.db = db;
  }

  /** Writes one sample of every store (a second write for the same store and time is ignored). */
  async record(at: Date, seconds: number, samples: readonly StoreSample[]): Promise<void> {
    if (samples.length === 0) return;
    await this.db
      .insertInto('store_samples')
      .values(
        samples.map((s) => ({
          store_id: s.storeId,
          resolution: 'minute' as const,
          at,
          seconds: Math.max(1, Math.round(seconds)),
          requests: s.requests,
          client_errors: s.clientErrors,
          server_errors: s.serverErrors,
          latency_p95_ms: s.latencyP95Ms,
          cpu_millicores: s.cpuMillicores,
          cpu_limit_millicores: s.cpuLimitMillicores,
          memory_bytes: roundOrNull(s.memoryBytes),
          memory_limit_bytes: roundOrNull(s.memoryLimitBytes),
          disk_bytes: roundOrNull(s.diskBytes),
          orders: s.orders,
          revenue: s.revenue,
          currency: s.currency,
        })),
      )
      .onConflict((oc) => oc.columns(['store_id', 'resolution', 'at']).doNothing())
      .execute();
  }

  /**
   * Downsampling and retention, as of `now`: the recent hours' hour rows are computed again from
   * their minute rows; whole hours of minute rows older than 24 h are removed (rolled up first if
   * their hour row is missing: the orchestrator was down meanwhile); hour rows older than 30 days go.
   * Returns how many rows were removed.
   */
  async compact(now: Date): Promise<{ minuteRowsRemoved: number; hourRowsRemoved: number }> {
    const recentFrom = new Date(truncateToHour(now.getTime()) - RECENT_HOURS * HOUR_MS);
    const minuteCutoff = new Date(truncateToHour(now.getTime() - RETENTION.minuteMs));
    const hourCutoff = new Date(now.getTime() - RETENTION.hourMs);
    return this.db.transaction().execute(async (trx) => {
      await rollUp(trx, sql`at > ${recentFrom}`, 'update');
      await rollUp(trx, sql`at <= ${minuteCutoff}`, 'nothing');
      const minutes = await trx
        .deleteFrom('store_samples')
        .where('resolution', '=', 'minute')
        .where('at', '<=', minuteCutoff)
        .executeTakeFirst();
      const hours = await trx
        .deleteFrom('store_samples')
        .where('resolution', '=', 'hour')
        .where('at', '<', hourCutoff)
        .executeTakeFirst();
      return {
        minuteRowsRemoved: Number(minutes.numDeletedRows),
        hourRowsRemoved: Number(hours.numDeletedRows),
      };
    });
  }

  /** Rows kept now, by resolution (the bench's storage figure). */
  async rowCounts(): Promise<{ minute: number; hour: number }> {
    const rows = await this.db
      .selectFrom('store_samples')
      .select(['resolution', sql<number>`count(*)::int`.as('count')])
      .groupBy('resolution')
      .execute();
    const of = (resolution: string) => rows.find((r) => r.resolution === resolution)?.count ?? 0;
    return { minute: of('minute'), hour: of('hour') };
  }
}

/**
 * Hour rows from the minute rows matching `where`: each hour's row is at its end and covers it.
 * `update` recomputes existing hour rows; `nothing` only adds missing ones.
 */
async function rollUp(db: Kysely<Schema>, where: ReturnType<typeof sql>, onConflict: 'update' | 'nothing') {
  const conflict =
    onConflict === 'update'
      ? sql`do update set seconds = excluded.seconds, requests = excluded.requests,
          client_errors = excluded.client_errors, server_errors = excluded.server_errors,
          latency_p95_ms = excluded.latency_p95_ms, cpu_millicores = excluded.cpu_millicores,
          cpu_limit_millicores = excluded.cpu_limit_millicores, memory_bytes = excluded.memory_bytes,
          memory_limit_bytes = excluded.memory_limit_bytes, disk_bytes = excluded.disk_bytes,
          orders = excluded.orders, revenue = excluded.revenue, currency = excluded.currency`
      : sql`do nothing`;
  await sql`
    insert into store_samples (store_id, resolution, at, seconds, requests, client_errors, server_errors,
      latency_p95_ms, cpu_millicores, cpu_limit_millicores, memory_bytes, memory_limit_bytes, disk_bytes,
      orders, revenue, currency)
    select store_id, 'hour', ${HOUR_END}, ${AGGREGATES}
    from store_samples
    where resolution = 'minute' and ${where}
    group by store_id, ${HOUR_END}
    on conflict (store_id, resolution, at) ${conflict}`.execute(db);
}

function truncateToHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
