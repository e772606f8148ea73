// Platform-wide figures for GET /api/metrics, computed in the database so every replica agrees.
import { type PlatformMetrics, STORE_STATES, type StoreState } from '@storefleet/contracts';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { WorkQueue } from '../queue/work-queue.ts';

export async function storeCountsByState(db: Kysely<Schema>): Promise<Record<StoreState, number>> {
  const rows = await db
    .selectFrom('stores')
    .select(['state', sql<number>`count(*)::int`.as('count')])
    .groupBy('state')
    .execute();
  const counts = Object.fromEntries(STORE_STATES.map((state) => [state, 0])) as Record<StoreState, number>;
  for (const row of rows) counts[row.state as StoreState] = row.count;
  return counts;
}

export async function platformMetrics(db: Kysely<Schema>, queue: WorkQueue): Promise<PlatformMetrics> {
  const byState = await storeCountsByState(db);
  const totals = await db
    .selectFrom('stores')
    .select([
      sql<number>`count(*)::int`.as('created'),
      sql<number>`count(*) filter (where state = 'Deleted')::int`.as('deleted'),
    ])
    .executeTakeFirstOrThrow();
  const failed = await db
    .selectFrom('activity')
    .select(sql<number>`count(distinct store_id)::int`.as('count'))
    .where('type', '=', 'store.failed')
    .executeTakeFirstOrThrow();
  const provisioning = await db
    .selectFrom('stores')
    .select([
      sql<number>`count(*)::int`.as('samples'),
      sql<number | null>`avg(extract(epoch from ready_at - provisioning_started_at))::float8`.as('average'),
      sql<
        number | null
      >`percentile_cont(0.95) within group (order by extract(epoch from ready_at - provisioning_started_at))::float8`.as(
        'p95',
      ),
    ])
    .where('ready_at', 'is not', null)
    .where('provisioning_started_at', 'is not', null)
    .executeTakeFirstOrThrow();
  const total = Object.values(byState).reduce((sum, count) => sum + count, 0);
  return {
    stores: { total, byState },
    totals: { created: totals.created, failed: failed.count, deleted: totals.deleted },
    provisioning: {
      samples: provisioning.samples,
      averageSeconds: provisioning.average === null ? null : round(provisioning.average),
      p95Seconds: provisioning.p95 === null ? null : round(provisioning.p95),
    },
    queue: await queue.depth(),
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
