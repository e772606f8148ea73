// One attempt at a job, and the only way a worker writes: the attempt store, whose every write is
// fenced by the job's lease (a worker that lost its lease cannot overwrite its successor's work) and
// checked against the lifecycle table by the repository.
import type { ConditionType, Operation, OperationPayload, StoreState } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { StoreTarget } from '../cluster/port.ts';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { Schema } from '../db/schema.ts';
import { type StorePatch, StoresRepository } from '../db/stores-repository.ts';
import type { ActivityType } from '../domain/activity-types.ts';
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

export class AttemptStore {
  private readonly stores: StoresRepository;
  private readonly activity: ActivityRepository;
  private readonly now: () => Date;

  constructor(db: Kysely<Schema>, now: () => Date) {
    this.stores = new StoresRepository(db);
    this.activity = new ActivityRepository(db);
    this.now = now;
  }

  read(storeId: string): Promise<Store | undefined> {
    return this.stores.get(storeId);
  }

  /** Writes a change to the store while the attempt holds its lease; a refused write ends the attempt. */
  async save(attempt: Attempt, patch: StorePatch, states?: readonly StoreState[]): Promise<Store> {
    const updated = await this.stores.update(
      attempt.store.id,
      patch,
      { leaseToken: attempt.job.leaseToken, states: states ?? [attempt.store.state] },
      this.now(),
    );
    if (!updated) throw new StaleAttempt();
    attempt.store = updated;
    return updated;
  }

  async record(
    attempt: Attempt,
    type: ActivityType,
    message: string,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.activity.append(
      { storeId: attempt.store.id, type, message, details: { attempt: attempt.job.attempts, ...details } },
      this.now(),
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

  /** The plan's success state, with the generation settled and any earlier failure cleared. */
  settle(attempt: Attempt, state: StoreState, patch: StorePatch = {}): Promise<Store> {
    return this.save(attempt, {
      state,
      observedGeneration: attempt.store.generation,
      failure: null,
      ...patch,
    });
  }
}
