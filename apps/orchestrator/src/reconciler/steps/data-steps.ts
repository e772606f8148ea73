import { BackupNotFound, type BackupRunner } from '../../backups/backup-runner.ts';
import { type BackupPart, ClusterError, type ClusterScaling } from '../../cluster/port.ts';
import { LIFECYCLE } from '../../domain/lifecycle.ts';
import type { Store } from '../../domain/store.ts';
import type { JobResult } from '../../queue/worker.ts';
import { type Attempt, type AttemptActivity, type AttemptStore, backupIdOf } from '../attempt.ts';
import { deployedOf } from './release-steps.ts';
import type { StepFamily } from './step-family.ts';

export interface DataStepsOptions {
  scaling: ClusterScaling;
  backups: BackupRunner;
  writes: AttemptStore;
  now: () => Date;
}

type FailureEnding = (
  attempt: Attempt,
  conditions: Store['conditions'],
  message: string,
  reason: string,
) => Promise<JobResult>;

export function dataSteps(options: DataStepsOptions): StepFamily & {
  backupFailed: FailureEnding;
  restoreRefused: FailureEnding;
} {
  const { scaling, backups, writes } = options;

  /** One part of the backup back into the store; a dump the store's tools refuse is the backup's fault. */
  const restorePart = async (attempt: Attempt, part: BackupPart, signal: AbortSignal) => {
    const backupId = backupIdOf(attempt);
    try {
      await backups.restorePart(backupId, part, attempt.target, signal);
    } catch (error) {
      if (error instanceof BackupNotFound) throw backupMissing(backupId);
      if (error instanceof ClusterError && error.code === 'CommandFailed') {
        throw new ClusterError('RestoreFailed', error.message, { retryable: true });
      }
      throw error;
    }
  };

  const restored = async (attempt: Attempt, via: 'restore' | 'provision-from-backup') => {
    const backupId = backupIdOf(attempt);
    const patch =
      via === 'provision-from-backup'
        ? (() => {
            const deployed = deployedOf(attempt);
            return {
              readyAt: options.now(),
              revision: deployed.revision,
              chartVersion: deployed.chartVersion,
            };
          })()
        : {};
    const message =
      via === 'restore'
        ? `Restored backup ${backupId}; the store is ready.`
        : `Store is ready with the data of backup ${backupId}.`;
    const type = via === 'restore' ? 'store.restored' : 'store.ready';
    await writes.settle(attempt, LIFECYCLE[via].success, { type, message, details: { backupId } }, patch);
    attempt.log.info({ backupId }, message);
  };

  return {
    steps: {
      'backup-verify': async (attempt, signal) => {
        try {
          await backups.verify(backupIdOf(attempt), attempt.target, signal);
        } catch (error) {
          if (error instanceof BackupNotFound) throw backupMissing(backupIdOf(attempt));
          throw error;
        }
      },
      backup: async (attempt, signal) => {
        const backup = await backups.take(backupIdOf(attempt), attempt.target, signal);
        attempt.backupSize = backup.sizeBytes ?? 0;
      },
      'app-stop': async (attempt, signal) => {
        await scaling.scaleDown(attempt.target, 'writers', signal);
        await writes.markStopped(
          attempt,
          ['AppReady'],
          'StoppedForRestore',
          'Stopped while the backup is restored.',
        );
      },
      'data-restore': (attempt, signal) => restorePart(attempt, 'database', signal),
      'app-start': async (attempt, signal) => {
        await scaling.scaleUp(attempt.target, 'writers', signal);
        // The data that came back gets the engine's migrations and this store's admin login.
        await scaling.rerunSetup(attempt.target, `restore-g${attempt.store.generation}`, signal);
      },
      'files-restore': (attempt, signal) => restorePart(attempt, 'files', signal),
    },
    endings: {
      backup: async (attempt) => {
        const backupId = backupIdOf(attempt);
        // Before the store is Ready again: whoever sees it Ready sees the backups it keeps.
        const removed = await backups.enforceRetention(attempt.store.id);
        const size = attempt.backupSize ?? 0;
        const succeeded: AttemptActivity = {
          type: 'backup.succeeded',
          message: `Backup ${backupId} taken (${formatBytes(size)}).`,
          details: { backupId, sizeBytes: size, ...(removed.length > 0 ? { expired: removed } : {}) },
        };
        const expired = removed.map(
          (id): AttemptActivity => ({
            type: 'backup.expired',
            message: `Backup ${id} deleted: the store keeps only its newest backups.`,
            details: { backupId: id },
          }),
        );
        await writes.save(
          attempt,
          { state: LIFECYCLE.backup.success, observedGeneration: attempt.store.generation },
          [attempt.store.state],
          [succeeded, ...expired],
        );
      },
      restore: (attempt) => restored(attempt, 'restore'),
      'provision-from-backup': (attempt) => restored(attempt, 'provision-from-backup'),
    },
    /**
     * A backup that failed for good: the store goes back to what it was (its data untouched), and the
     * failure is told where people look for it: the backup, its condition and the activity feed.
     */
    backupFailed: async (attempt, conditions, message, reason) => {
      const plan = LIFECYCLE.backup;
      const backupId = backupIdOf(attempt);
      await backups.markFailed(backupId, message);
      await writes.save(
        attempt,
        { state: plan.failure, observedGeneration: attempt.store.generation, conditions },
        [plan.running],
        [
          {
            type: 'backup.failed',
            message: `Backup ${backupId} failed. ${message}`,
            details: { backupId, reason },
          },
        ],
      );
      attempt.log.error({ reason, backupId }, 'backup failed');
      return { outcome: 'done' };
    },
    /**
     * A restore of a Ready store refused before it changed anything (the backup did not read back): the
     * store is Ready again, running as it was; the reason is in its Restored condition and the
     * activity feed.
     */
    restoreRefused: async (attempt, conditions, message, reason) => {
      const plan = LIFECYCLE[attempt.operation];
      const backupId = backupIdOf(attempt);
      await writes.save(
        attempt,
        { state: plan.success, observedGeneration: attempt.store.generation, conditions },
        [plan.running],
        [
          {
            type: 'store.restore_refused',
            message: `Restore of backup ${backupId} refused; nothing was stopped or changed. ${message}`,
            details: { backupId, reason },
          },
        ],
      );
      attempt.log.warn({ reason, backupId }, 'restore refused before anything stopped');
      return { outcome: 'done' };
    },
  };
}

function backupMissing(backupId: string): ClusterError {
  return new ClusterError('BackupMissing', `Backup ${backupId} no longer exists; restore another one.`, {
    retryable: false,
  });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
