// A small durable work queue in PostgreSQL. One job per store at most: a newer request for the same
// store replaces the pending one and bumps its version, so a worker holding the old lease notices on
// its next heartbeat that it has been superseded (that is how a delete wins over provisioning).
// Leases expire; a worker that dies simply stops renewing and another worker takes the job over.
import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import { lockForTransaction } from '../db/locks.ts';
import type { Schema, WorkQueueTable } from '../db/schema.ts';
import type { JobKind, JobPayload } from '../domain/store.ts';

export interface Job {
  id: string;
  storeId: string;
  kind: JobKind;
  version: number;
  /** 1 for the first attempt; counts every claim, including ones whose worker died. */
  attempts: number;
  leaseOwner: string;
  leaseToken: string;
  lastError: string | null;
  payload: JobPayload;
}

export interface WorkQueueOptions {
  leaseMs: number;
  /** Bound on jobs of these kinds that hold a live lease, across every replica. */
  maxConcurrentProvisions: number;
}

/** Kinds that run helm installs: these are what MAX_CONCURRENT_PROVISIONS bounds. */
const CONCURRENCY_BOUNDED_KINDS: readonly JobKind[] = ['provision', 'upgrade', 'rollback'];

export type LeaseStatus = 'held' | 'superseded' | 'lost';

export interface QueueDepth {
  pending: number;
  running: number;
}

/** Puts (or replaces) the job for a store; call it inside the transaction that changes the store. */
export async function enqueueJob(
  executor: Kysely<Schema>,
  storeId: string,
  kind: JobKind,
  options: { now?: Date; runAt?: Date; payload?: JobPayload } = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await executor
    .insertInto('work_queue')
    .values({
      id: randomUUID(),
      store_id: storeId,
      kind,
      version: 1,
      run_at: options.runAt ?? now,
      attempts: 0,
      payload: JSON.stringify(options.payload ?? {}),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('store_id').doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        payload: eb.ref('excluded.payload'),
        version: sql<number>`work_queue.version + 1`,
        run_at: eb.ref('excluded.run_at'),
        attempts: 0,
        last_error: null,
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
  await sql`select pg_notify(${WORK_CHANNEL}, ${storeId})`.execute(executor);
}

export const WORK_CHANNEL = 'storefleet_work';

export class WorkQueue {
  private readonly db: Kysely<Schema>;
  private readonly options: WorkQueueOptions;

  constructor(db: Kysely<Schema>, options: WorkQueueOptions) {
    this.db = db;
    this.options = options;
  }

  /** Leases the next due job this worker may take, or returns undefined when there is none. */
  async claim(workerId: string): Promise<Job | undefined> {
    const leaseToken = randomUUID();
    const row = await this.db.transaction().execute(async (trx) => {
      await lockForTransaction(trx, 'queue-claim');
      const inFlight = await trx
        .selectFrom('work_queue')
        .select(sql<number>`count(*)::int`.as('count'))
        .where('kind', 'in', CONCURRENCY_BOUNDED_KINDS)
        .where('lease_expires_at', '>', sql<Date>`now()`)
        .executeTakeFirstOrThrow();
      const boundedFull = inFlight.count >= this.options.maxConcurrentProvisions;
      let candidates = trx
        .selectFrom('work_queue')
        .select('id')
        .where('run_at', '<=', sql<Date>`now()`)
        .where((eb) => eb.or([eb('lease_token', 'is', null), eb('lease_expires_at', '<=', sql<Date>`now()`)]))
        .orderBy(sql`kind = 'delete'`, 'desc')
        .orderBy('run_at')
        .limit(1)
        .forUpdate()
        .skipLocked();
      if (boundedFull) candidates = candidates.where('kind', 'not in', CONCURRENCY_BOUNDED_KINDS);
      const candidate = await candidates.executeTakeFirst();
      if (!candidate) return undefined;
      return trx
        .updateTable('work_queue')
        .set({
          lease_owner: workerId,
          lease_token: leaseToken,
          lease_expires_at: sql<Date>`now() + ${this.options.leaseMs}::int * interval '1 millisecond'`,
          attempts: sql<number>`attempts + 1`,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', candidate.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return row ? toJob(row) : undefined;
  }

  /** Renews the lease; tells whether it is still held and whether a newer request replaced the job. */
  async heartbeat(job: Job): Promise<LeaseStatus> {
    const row = await this.db
      .updateTable('work_queue')
      .set({ lease_expires_at: sql<Date>`now() + ${this.options.leaseMs}::int * interval '1 millisecond'` })
      .where('id', '=', job.id)
      .where('lease_token', '=', job.leaseToken)
      .returning('version')
      .executeTakeFirst();
    if (!row) return 'lost';
    return row.version === job.version ? 'held' : 'superseded';
  }

  /** The job is finished. If it was superseded meanwhile, the newer request stays and becomes due. */
  async complete(job: Job): Promise<void> {
    const deleted = await this.db
      .deleteFrom('work_queue')
      .where('id', '=', job.id)
      .where('lease_token', '=', job.leaseToken)
      .where('version', '=', job.version)
      .executeTakeFirst();
    if (deleted.numDeletedRows === 0n) await this.release(job);
  }

  /** Gives the job back to be tried again after `delayMs` (unless a newer request replaced it). */
  async retryLater(job: Job, delayMs: number, error: string): Promise<void> {
    const updated = await this.db
      .updateTable('work_queue')
      .set({
        lease_owner: null,
        lease_token: null,
        lease_expires_at: null,
        run_at: sql<Date>`now() + ${Math.max(0, Math.round(delayMs))}::int * interval '1 millisecond'`,
        last_error: error,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', job.id)
      .where('lease_token', '=', job.leaseToken)
      .where('version', '=', job.version)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) await this.release(job);
  }

  /** Drops the lease so that any worker can take the job at once (used on shutdown and supersession). */
  async release(job: Job): Promise<void> {
    await this.db
      .updateTable('work_queue')
      .set({ lease_owner: null, lease_token: null, lease_expires_at: null, updated_at: sql<Date>`now()` })
      .where('id', '=', job.id)
      .where('lease_token', '=', job.leaseToken)
      .execute();
  }

  async depth(): Promise<QueueDepth> {
    const row = await this.db
      .selectFrom('work_queue')
      .select([
        sql<number>`count(*) filter (where lease_expires_at > now())::int`.as('running'),
        sql<number>`count(*) filter (where lease_expires_at is null or lease_expires_at <= now())::int`.as(
          'pending',
        ),
      ])
      .executeTakeFirstOrThrow();
    return { pending: row.pending, running: row.running };
  }
}

function toJob(row: Selectable<WorkQueueTable>): Job {
  return {
    id: row.id,
    storeId: row.store_id,
    kind: row.kind as JobKind,
    version: row.version,
    attempts: row.attempts,
    leaseOwner: row.lease_owner ?? '',
    leaseToken: row.lease_token ?? '',
    lastError: row.last_error,
    payload: row.payload as JobPayload,
  };
}
