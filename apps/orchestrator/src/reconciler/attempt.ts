// One attempt at a job, and the only way a worker writes: the attempt store, whose every write is
// fenced by the job's lease (a worker that lost its lease cannot overwrite its successor's work) and
// checked against the lifecycle table by the repository.
import type { ConditionType, Operation, OperationPayload, StoreState } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { StoreTarget } from '../cluster/port.ts';
import { ActivityRepository, type NewActivity } from '../db/activity-repository.ts';
import type { Schema } from '../db/schema.ts';
import { type StorePatch, StoresRepository } from '../db/stores-repository.ts';
import { setCondition } from '../domain/conditions.ts';
import type { DeployedRecord, Store } from '../domain/store.ts';
import type { Job } from '../queue/work-queue.ts';

/** The store changed under us (deleted, or the lease moved on): this attempt has nothing more to do. */
export class StaleAttempt extends Error {}

export interface Attempt {
  job: Job;
  operation: Operation;
  /** The operation's payload, checked against the lifecycle table when the job was taken up. */
  payload: OperationPayload;
  store: Store;
  target: StoreTarget;
  /** Aborts on job interruption (supersession, shutdown) and on PROVISION_TIMEOUT. */
  signal: AbortSignal;
  /** When this attempt began. */
  startedAt: Date;
  log: Logger;
  /** What the release step deployed (or found deployed for this generation). */
  deployed: DeployedRecord | undefined;
  /** Bytes the backup step kept. */
  backupSize: number | undefined;
}

/** The backup a backup, restore or from-backup job carries (the table makes it part of the payload). */
export function backupIdOf(attempt: Attempt): string {
  const { payload } = attempt;
  if (!('backupId' in payload)) throw new Error(`a ${attempt.operation} job carries no backup id`);
  return payload.backupId;
}

/** An activity entry of the attempt's store, written with the store change that it reports. */
export type AttemptActivity = Omit<NewActivity, 'storeId'>;

export class AttemptStore {
  private readonly db: Kysely<Schema>;
  private readonly now: () => Date;

  constructor(db: Kysely<Schema>, now: () => Date) {
    this.db = db;
    this.now = now;
  }

  read(storeId: string): Promise<Store | undefined> {
    return new StoresRepository(this.db).get(storeId);
  }

  /**
   * Writes a change to the store while the attempt holds its lease, with the activity entries that
   * report it: both or neither, so a crash never leaves a state without its entry. A refused write
   * ends the attempt.
   */
  async save(
    attempt: Attempt,
    patch: StorePatch,
    states: readonly StoreState[] = [attempt.store.state],
    entries: readonly AttemptActivity[] = [],
  ): Promise<Store> {
    const now = this.now();
    const write = async (db: Kysely<Schema>) => {
      const fence = { leaseToken: attempt.job.leaseToken, states };
      const updated = await new StoresRepository(db).update(attempt.store.id, patch, fence, now);
      if (updated) for (const entry of entries) await this.append(db, attempt, entry, now);
      return updated;
    };
    const updated = entries.length > 0 ? await this.db.transaction().execute(write) : await write(this.db);
    if (!updated) throw new StaleAttempt();
    attempt.store = updated;
    return updated;
  }

  private async append(
    db: Kysely<Schema>,
    attempt: Attempt,
    entry: AttemptActivity,
    now: Date,
  ): Promise<void> {
    const details = { attempt: attempt.job.attempts, ...entry.details };
    await new ActivityRepository(db).append(
      { storeId: attempt.store.id, type: entry.type, message: entry.message, details },
      now,
    );
  }

  /** Sets workload conditions False while a step stops their workloads on purpose. */
  markStopped(
    attempt: Attempt,
    types: readonly ConditionType[],
    reason: string,
    message: string,
  ): Promise<Store> {
    let conditions = attempt.store.conditions;
    for (const type of types) {
      conditions = setCondition(conditions, { type, status: 'False', reason, message }, this.now());
    }
    return this.save(attempt, { conditions });
  }

  /** The plan's success state, with the generation settled, any earlier failure cleared, and its entry. */
  settle(
    attempt: Attempt,
    state: StoreState,
    entry: AttemptActivity,
    patch: StorePatch = {},
  ): Promise<Store> {
    return this.save(
      attempt,
      { state, observedGeneration: attempt.store.generation, failure: null, ...patch },
      [attempt.store.state],
      [entry],
    );
  }
}
