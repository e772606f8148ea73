// How every request that starts an operation on a store is recorded: the store moves to the plan's
// requested state with its generation bumped, the job is queued and the activity written, all in one
// transaction (with whatever else the request must record), so nothing is ever half-requested.
import type { StoreState, StoreValues } from '@storefleet/contracts';
import type { Kysely, Transaction } from 'kysely';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { Schema } from '../db/schema.ts';
import { StoresRepository } from '../db/stores-repository.ts';
import type { ActivityType } from '../domain/activity-types.ts';
import type { JobKind, JobPayload, Store } from '../domain/store.ts';
import { enqueueJob } from '../queue/work-queue.ts';

export interface OperationRequest {
  store: Store;
  to: StoreState;
  kind: JobKind;
  activityType: ActivityType;
  message: string;
  patch?: { values?: StoreValues };
  payload?: JobPayload;
  details?: Record<string, unknown>;
  /** More to record in the same transaction (e.g. the backup row a backup job takes). */
  alsoRecord?: (trx: Transaction<Schema>) => Promise<void>;
}

/** Returns the updated store, or undefined when it changed state meanwhile (nothing was written). */
export async function requestOperation(
  db: Kysely<Schema>,
  request: OperationRequest,
  now: Date,
): Promise<Store | undefined> {
  const { store } = request;
  return db.transaction().execute(async (trx) => {
    const updated = await new StoresRepository(trx).update(
      store.id,
      {
        state: request.to,
        generation: store.generation + 1,
        failure: null,
        attempts: 0,
        operation: request.kind,
        payload: request.payload ?? {},
        ...request.patch,
      },
      { states: [store.state] },
      now,
    );
    if (!updated) return undefined;
    await request.alsoRecord?.(trx);
    await enqueueJob(trx, store.id, request.kind, { now, payload: request.payload ?? {} });
    await new ActivityRepository(trx).append(
      {
        storeId: store.id,
        type: request.activityType,
        message: request.message,
        ...(request.details ? { details: request.details } : {}),
      },
      now,
    );
    return updated;
  });
}
