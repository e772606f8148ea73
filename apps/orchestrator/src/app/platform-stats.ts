// Figures for GET /api/metrics, computed in the database so every replica agrees: platform-wide,
// or one owner's.
import { type PlatformMetrics, STORE_STATES, type StoreState } from '@storefleet/contracts';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { WorkQueue } from '../queue/work-queue.ts';

export async function storeCountsByState(
  db: Kysely<Schema>,
  ownerId?: string,
): Promise<Record<StoreState, number>> {
  let query = db
    .selectFrom('stores')
    .select(['state', sql<number>`count(*)::int`.as('count')])
    .groupBy('state');
  if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
  const rows = await query.execute();
  const counts = Object.fromEntries(STORE_STATES.map((state) => [state, 0])) as Record<StoreState, number>;
  for (const row of rows) counts[row.state as StoreState] = row.count;
  return counts;
}

export async function platformMetrics(
  db: Kysely<Schema>,
  queue: WorkQueue,
  ownerId?: string,
): Promise<PlatformMetrics> {
  const owner = ownerId === undefined ? sql<boolean>`true` : sql<boolean>`owner_id = ${ownerId}`;
  const byState = await storeCountsByState(db, ownerId);
  const totals = await db
    .selectFrom('stores')
    .select([
      sql<number>`count(*)::int`.as('created'),
      sql<number>`count(*) filter (where state = 'Deleted')::int`.as('deleted'),
    ])
    .where(owner)
    .executeTakeFirstOrThrow();
  const failed = await db
    .selectFrom('activity')
    .select(sql<number>`count(distinct store_id)::int`.as('count'))
    .where('type', '=', 'store.failed')
    .where('store_id', 'in', (eb) => eb.selectFrom('stores').select('stores.id').where(owner))
    .executeTakeFirstOrThrow();
  const seconds = sql`extract(epoch from ready_at - provisioning_started_at)`;
  const provisioning = await db
    .selectFrom('stores')
    .select([
      sql<number>`count(*)::int`.as('samples'),
      sql<number | null>`avg(${seconds})::float8`.as('average'),
      sql<number | null>`percentile_cont(0.95) within group (order by ${seconds})::float8`.as('p95'),
    ])
    .where('ready_at', 'is not', null)
    .where('provisioning_started_at', 'is not', null)
    .where(owner)
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
