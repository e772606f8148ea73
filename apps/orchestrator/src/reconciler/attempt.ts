// One attempt at a job, as the reconciler and its operation modules share it.
import type { Operation } from '@storefleet/contracts';
import type { Logger } from 'pino';
import type { StoreTarget } from '../cluster/port.ts';
import type { DeployedRecord, Store } from '../domain/store.ts';
import type { Job } from '../queue/work-queue.ts';

/** The store changed under us (deleted, or the lease moved on): this attempt has nothing more to do. */
export class StaleAttempt extends Error {}

export interface Attempt {
  job: Job;
  operation: Operation;
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

/** The backup a backup or restore job carries. */
export function backupIdOf(attempt: Attempt): string {
  const backupId = attempt.job.payload.backupId;
  if (!backupId) throw new Error(`a ${attempt.operation} job carries no backup id`);
  return backupId;
}
