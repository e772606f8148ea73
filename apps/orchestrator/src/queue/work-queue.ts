// A small durable work queue in PostgreSQL. Every job is about one subject, a store or a fleet
// upgrade run, and there is at most one job per subject: a newer request for the same store replaces
// the pending one and bumps its version, so a worker holding the old lease notices on its next
// heartbeat that it has been superseded (that is how a delete wins over provisioning).
// Leases expire; a worker that dies simply stops renewing and another worker takes the job over.
import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import { lockForTransaction } from '../db/locks.ts';
import type { Schema, WorkQueueTable } from '../db/schema.ts';
import type { QueueStanding } from '../domain/queue-wait.ts';
import type { JobKind, JobPayload } from '../domain/store.ts';

/** What every claimed job carries: the lease that fences its worker's writes. */
export interface JobLease {
  id: string;
  version: number;
  /** 1 for the first attempt; counts every claim, including ones whose worker died. */
  attempts: number;
  leaseOwner: string;
  leaseToken: string;
  lastError: string | null;
}

/** A job about one store: one of its operations, run by the reconciler. */
export interface Job extends JobLease {
  storeId: string;
  kind: JobKind;
  payload: JobPayload;
}

/** The kind of the job that paces a fleet upgrade run, one step per claim. */
export const FLEET_UPGRADE_KIND = 'fleet-upgrade';

/** A job that paces one fleet upgrade run. */
export interface FleetJob extends JobLease {
  kind: typeof FLEET_UPGRADE_KIND;
  fleetUpgradeId: string;
}

/** Any job the queue hands out; `kind` tells which. */
export type QueuedJob = Job | FleetJob;

export interface WorkQueueOptions {
  leaseMs: number;
  /** Bound on jobs of these kinds that hold a live lease, across every replica. */
  maxConcurrentProvisions: number;
}

/** Kinds that run helm installs: these are what MAX_CONCURRENT_PROVISIONS bounds (fleet jobs do not). */
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
    .values({ ...newJob(kind, now, options.runAt, options.payload), store_id: storeId })
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

/** Puts the job that paces a fleet upgrade run; call it inside the transaction that creates the run. */
export async function enqueueFleetJob(
  executor: Kysely<Schema>,
  fleetUpgradeId: string,
  options: { now?: Date } = {},
): Promise<void> {
  await executor
    .insertInto('work_queue')
    .values({ ...newJob(FLEET_UPGRADE_KIND, options.now ?? new Date()), fleet_upgrade_id: fleetUpgradeId })
    .onConflict((oc) => oc.column('fleet_upgrade_id').doNothing())
    .execute();
  await sql`select pg_notify(${WORK_CHANNEL}, ${fleetUpgradeId})`.execute(executor);
}

/** A new job's row, but for its subject. */
function newJob(kind: string, now: Date, runAt?: Date, payload?: JobPayload) {
  return {
    id: randomUUID(),
    kind,
    version: 1,
    run_at: runAt ?? now,
    attempts: 0,
    payload: JSON.stringify(payload ?? {}),
    created_at: now,
    updated_at: now,
  };
}

/**
 * Whether `job`'s lease is still this worker's, locking the job's row until `trx` ends so that no
 * other worker can claim it meanwhile: writes made in `trx` after a true answer are fenced.
 */
export async function holdsLease(trx: Kysely<Schema>, job: JobLease): Promise<boolean> {
  const row = await trx
    .selectFrom('work_queue')
    .select('id')
    .where('id', '=', job.id)
    .where('lease_token', '=', job.leaseToken)
    .where('lease_expires_at', '>', sql<Date>`now()`)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

export const WORK_CHANNEL = 'storefleet_work';

export class WorkQueue {
  private readonly db: Kysely<Schema>;
  private readonly options: WorkQueueOptions;

  constructor(db: Kysely<Schema>, options: WorkQueueOptions) {
    this.db = db;
    this.options = options;
  }

  /**
   * Where a store's job stands among the jobs MAX_CONCURRENT_PROVISIONS bounds: how many hold a slot,
   * and how many wait before it (claims go by run_at), or `ahead: null` when it has no waiting job.
   */
  async standing(storeId: string): Promise<Omit<QueueStanding, 'ahead'> & { ahead: number | null }> {
    const job = await this.db
      .selectFrom('work_queue')
      .select(['kind', 'run_at', 'lease_expires_at'])
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    const waiting =
      job !== undefined &&
      CONCURRENCY_BOUNDED_KINDS.includes(job.kind as JobKind) &&
      (job.lease_expires_at === null || new Date(job.lease_expires_at) <= new Date());
    const runAt = waiting ? job.run_at : new Date(0);
    const counts = await this.db
      .selectFrom('work_queue')
      .select([
        sql<number>`count(*) filter (where lease_expires_at > now())::int`.as('running'),
        sql<number>`count(*) filter (where (lease_expires_at is null or lease_expires_at <= now()) and run_at < ${runAt})::int`.as(
          'ahead',
        ),
      ])
      .where('kind', 'in', CONCURRENCY_BOUNDED_KINDS)
      .executeTakeFirstOrThrow();
    return {
      running: counts.running,
      ahead: waiting ? counts.ahead : null,
      slots: this.options.maxConcurrentProvisions,
    };
  }

  /** Leases the next due job this worker may take, or returns undefined when there is none. */
  async claim(workerId: string): Promise<QueuedJob | undefined> {
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
  async heartbeat(job: JobLease): Promise<LeaseStatus> {
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
  async complete(job: JobLease): Promise<void> {
    const deleted = await this.db
      .deleteFrom('work_queue')
      .where('id', '=', job.id)
      .where('lease_token', '=', job.leaseToken)
      .where('version', '=', job.version)
      .executeTakeFirst();
    if (deleted.numDeletedRows === 0n) await this.release(job);
  }

  /** Gives the job back to be tried again after `delayMs` (unless a newer request replaced it). */
  async retryLater(job: JobLease, delayMs: number, error: string | null): Promise<void> {
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
  async release(job: JobLease): Promise<void> {
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

function toJob(row: Selectable<WorkQueueTable>): QueuedJob {
  const lease: JobLease = {
    id: row.id,
    version: row.version,
    attempts: row.attempts,
    leaseOwner: row.lease_owner ?? '',
    leaseToken: row.lease_token ?? '',
    lastError: row.last_error,
  };
  if (row.fleet_upgrade_id !== null)
    return { ...lease, kind: FLEET_UPGRADE_KIND, fleetUpgradeId: row.fleet_upgrade_id };
  if (row.store_id === null) throw new Error(`Job ${row.id} has no subject.`);
  return { ...lease, storeId: row.store_id, kind: row.kind as JobKind, payload: row.payload as JobPayload };
}
