// A waiting store's place in the provisioning queue and how long it will likely wait, from the jobs
// ahead of it and the median provisioning time of the last stores that became Ready.
import type { QueuePosition } from '@storefleet/contracts';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { expectedWaitSeconds } from '../domain/queue-wait.ts';
import type { Store } from '../domain/store.ts';
import type { WorkQueue } from '../queue/work-queue.ts';

const RECENT_STORES = 20;

export class QueuePositions {
  private readonly db: Kysely<Schema>;
  private readonly queue: Pick<WorkQueue, 'standing'>;

  constructor(db: Kysely<Schema>, queue: Pick<WorkQueue, 'standing'>) {
    this.db = db;
    this.queue = queue;
  }

  async of(store: Store): Promise<QueuePosition> {
    const { ahead, running, slots } = await this.queue.standing(store.id);
    if (ahead === null) return { waiting: false, position: null, running, slots, expectedWaitSeconds: null };
    return {
      waiting: true,
      position: ahead + 1,
      running,
      slots,
      expectedWaitSeconds: expectedWaitSeconds(
        { ahead, running, slots },
        await this.typicalProvisioningSeconds(),
      ),
    };
  }

  /** The median time from provisioning start to Ready of the last stores; null before the first. */
  async typicalProvisioningSeconds(): Promise<number | null> {
    const recent = this.db
      .selectFrom('stores')
      .select(sql<number>`extract(epoch from ready_at - provisioning_started_at)::float8`.as('seconds'))
      .where('ready_at', 'is not', null)
      .where('provisioning_started_at', 'is not', null)
      .orderBy('ready_at', 'desc')
      .limit(RECENT_STORES)
      .as('recent');
    const row = await this.db
      .selectFrom(recent)
      .select(sql<number | null>`percentile_cont(0.5) within group (order by seconds)::float8`.as('median'))
      .executeTakeFirstOrThrow();
    return row.median === null ? null : Math.round(row.median * 10) / 10;
  }
}
