// What the backup, restore, sleep and wake plans do at each of their steps, and how each ends. The
// reconciler walks the plans and fences every write by the lease; this module says what the steps
// ask of the cluster and of backup storage, and what the store's record says afterwards.
import type { ConditionType } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { BackupRunner } from '../backups/backup-runner.ts';
import type { Cluster } from '../cluster/port.ts';
import type { Schema } from '../db/schema.ts';
import { type StorePatch, StoresRepository } from '../db/stores-repository.ts';
import { setCondition } from '../domain/conditions.ts';
import { LIFECYCLE } from '../domain/lifecycle.ts';
import type { DeployedRecord, Store } from '../domain/store.ts';
import { enqueueJob } from '../queue/work-queue.ts';
import type { JobResult } from '../queue/worker.ts';
import { type Attempt, backupIdOf, StaleAttempt } from './attempt.ts';

export interface DataOperationsOptions {
  db: Kysely<Schema>;
  cluster: Cluster;
  backups: BackupRunner;
  now: () => Date;
  /** The reconciler's lease-fenced write of the store (a refused write ends the attempt). */
  save: (attempt: Attempt, patch: StorePatch, states?: readonly Store['state'][]) => Promise<Store>;
  record: (
    attempt: Attempt,
    type: string,
    message: string,
    details?: Record<string, unknown>,
  ) => Promise<void>;
}

export class DataOperations {
  private readonly options: DataOperationsOptions;

  constructor(options: DataOperationsOptions) {
    this.options = options;
  }

  // Steps.

  async backUp(attempt: Attempt, signal: AbortSignal): Promise<void> {
    const backup = await this.options.backups.take(backupIdOf(attempt), attempt.target, signal);
    attempt.backupSize = backup.sizeBytes ?? 0;
  }

  async stopWriters(attempt: Attempt, signal: AbortSignal): Promise<void> {
    await this.options.cluster.scaleDown(attempt.target, 'writers', signal);
    await this.markStopped(
      attempt,
      ['AppReady'],
      'StoppedForRestore',
      'Stopped while the backup is restored.',
    );
  }

  restoreDatabase(attempt: Attempt, signal: AbortSignal): Promise<void> {
    return this.options.backups.restorePart(backupIdOf(attempt), 'database', attempt.target, signal);
  }

  async startWriters(attempt: Attempt, signal: AbortSignal): Promise<void> {
    await this.options.cluster.scaleUp(attempt.target, 'writers', signal);
    // The data that came back gets the engine's migrations and this store's admin login.
    await this.options.cluster.rerunSetup(attempt.target, `restore-g${attempt.store.generation}`, signal);
  }

  /** After a restore's ready step: the files, which need the app running. */
  restoreFiles(attempt: Attempt, signal: AbortSignal): Promise<void> {
    return this.options.backups.restorePart(backupIdOf(attempt), 'files', attempt.target, signal);
  }

  async scaleDown(attempt: Attempt, signal: AbortSignal): Promise<void> {
    await this.options.cluster.scaleDown(attempt.target, 'all', signal);
    await this.markStopped(
      attempt,
      ['DatabaseReady', 'AppReady'],
      'Asleep',
      'Scaled to zero while the store sleeps.',
    );
  }

  scaleUp(attempt: Attempt, signal: AbortSignal): Promise<void> {
    return this.options.cluster.scaleUp(attempt.target, 'all', signal);
  }

  // Endings.

  async backedUp(attempt: Attempt): Promise<void> {
    const backupId = backupIdOf(attempt);
    // Before the store is Ready again: whoever sees it Ready sees the backups it keeps.
    const removed = await this.options.backups.enforceRetention(attempt.store.id);
    const size = attempt.backupSize ?? 0;
    await this.options.record(
      attempt,
      'backup.succeeded',
      `Backup ${backupId} taken (${formatBytes(size)}).`,
      {
        backupId,
        sizeBytes: size,
        ...(removed.length > 0 ? { expired: removed } : {}),
      },
    );
    for (const id of removed) {
      await this.options.record(
        attempt,
        'backup.expired',
        `Backup ${id} deleted: the store keeps only its newest backups.`,
        { backupId: id },
      );
    }
    await this.options.save(attempt, {
      state: LIFECYCLE.backup.success,
      observedGeneration: attempt.store.generation,
    });
  }

  restored(attempt: Attempt): Promise<void> {
    return this.settled(
      attempt,
      'restore',
      'store.restored',
      `Restored backup ${backupIdOf(attempt)}; the store is ready.`,
    );
  }

  asleep(attempt: Attempt): Promise<void> {
    return this.settled(attempt, 'sleep', 'store.asleep', 'The store is asleep: its workloads run no pods.');
  }

  async awake(attempt: Attempt): Promise<void> {
    // Asleep is a condition of sleeping stores only: an awake store has none.
    await this.options.save(attempt, {
      conditions: attempt.store.conditions.filter((c) => c.type !== 'Asleep'),
    });
    await this.settled(attempt, 'wake', 'store.woken', 'The store is awake and ready.');
  }

  /**
   * A backup that failed for good: the store goes back to what it was (its data untouched), and the
   * failure is told where people look for it: the backup, its condition and the activity feed.
   */
  async backupFailed(
    attempt: Attempt,
    conditions: Store['conditions'],
    message: string,
    reason: string,
  ): Promise<JobResult> {
    const plan = LIFECYCLE.backup;
    await this.options.save(
      attempt,
      { state: plan.failure, observedGeneration: attempt.store.generation, conditions },
      [plan.running],
    );
    const backupId = attempt.job.payload.backupId;
    if (backupId) await this.options.backups.markFailed(backupId, message);
    await this.options.record(attempt, 'backup.failed', `Backup ${backupId ?? ''} failed. ${message}`, {
      backupId,
      reason,
    });
    attempt.log.error({ reason, backupId }, 'backup failed');
    return { outcome: 'done' };
  }

  /** A store created from a backup: provisioned, it goes straight on to restore (one transaction). */
  async restoreAfterProvisioning(
    attempt: Attempt,
    backupId: string,
    deployed: DeployedRecord,
  ): Promise<void> {
    const now = this.options.now();
    const restoring = await this.options.db.transaction().execute(async (trx) => {
      const updated = await new StoresRepository(trx).update(
        attempt.store.id,
        {
          state: LIFECYCLE.restore.requested,
          generation: attempt.store.generation + 1,
          revision: deployed.revision,
          chartVersion: deployed.chartVersion,
          attempts: 0,
          failure: null,
        },
        { leaseToken: attempt.job.leaseToken, states: [attempt.store.state] },
        now,
      );
      if (!updated) return undefined;
      await enqueueJob(trx, attempt.store.id, 'restore', { now, payload: { backupId } });
      return updated;
    });
    if (!restoring) throw new StaleAttempt();
    attempt.store = restoring;
    await this.options.record(
      attempt,
      'store.restore_requested',
      `Provisioned; now restoring backup ${backupId}.`,
      {
        backupId,
      },
    );
  }

  /** The plan's success state, with the generation settled. */
  private async settled(
    attempt: Attempt,
    operation: 'restore' | 'sleep' | 'wake',
    type: string,
    message: string,
  ): Promise<void> {
    await this.options.save(attempt, {
      state: LIFECYCLE[operation].success,
      observedGeneration: attempt.store.generation,
      failure: null,
    });
    await this.options.record(attempt, type, message);
    attempt.log.info(message);
  }

  /** Sets workload conditions False while a step stops their workloads on purpose. */
  private async markStopped(
    attempt: Attempt,
    types: readonly ConditionType[],
    reason: string,
    message: string,
  ): Promise<void> {
    let conditions = attempt.store.conditions;
    for (const type of types) {
      conditions = setCondition(conditions, { type, status: 'False', reason, message }, this.options.now());
    }
    await this.options.save(attempt, { conditions });
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
