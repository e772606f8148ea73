// The policy for the backups of a deleted store (DELETED_STORE_BACKUP_RETENTION): they stay their former
// owner's for that long after the store's deletion (listed, restorable into a new store with
// `fromBackup`, counted in the owner's BACKUP_QUOTA_BYTES), then go from wherever they are (the bucket or
// the volume) with their rows. Swept at start, every hour, and right after a store is deleted (so with
// a retention of 0 its backups go with it). Several replicas may sweep at once: removing is idempotent.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { ActivityRepository } from '../db/activity-repository.ts';
import { BackupsRepository } from '../db/backups-repository.ts';
import type { Schema } from '../db/schema.ts';
import { formatDuration } from '../duration.ts';
import type { BackupPlaces } from './backup-places.ts';

export interface DeletedStoreBackupsOptions {
  db: Kysely<Schema>;
  places: BackupPlaces;
  /** DELETED_STORE_BACKUP_RETENTION; 0: with the store. */
  retentionMs: number;
  intervalMs?: number;
  logger: Logger;
  now?: () => Date;
}

const HOUR_MS = 3_600_000;

export class DeletedStoreBackups {
  private readonly options: DeletedStoreBackupsOptions;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(options: DeletedStoreBackupsOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? HOUR_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** A sweep unless one is under way; its failure is logged (the next one tries again). */
  kick(): void {
    if (this.stopped) return;
    this.running ??= this.sweep()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'could not remove the backups of deleted stores'),
      )
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Removes the backups of stores deleted longer than the retention ago; returns their ids. */
  async sweep(): Promise<string[]> {
    const { db, places, retentionMs } = this.options;
    const backups = new BackupsRepository(db);
    const activity = new ActivityRepository(db);
    const due = await backups.listOfStoresDeletedBy(new Date(this.now().getTime() - retentionMs));
    const removed: string[] = [];
    for (const backup of due) {
      await places.remove(backup);
      await backups.delete(backup.id);
      await activity.append(
        {
          storeId: backup.storeId,
          type: 'backup.expired',
          message:
            retentionMs === 0
              ? `Backup ${backup.id} deleted with its store (DELETED_STORE_BACKUP_RETENTION=0).`
              : `Backup ${backup.id} deleted: its store was deleted more than ${formatDuration(retentionMs)} ago (DELETED_STORE_BACKUP_RETENTION).`,
          details: { backupId: backup.id },
        },
        this.now(),
      );
      removed.push(backup.id);
    }
    if (removed.length > 0)
      this.options.logger.info({ backups: removed }, 'removed backups of deleted stores');
    return removed;
  }
}
