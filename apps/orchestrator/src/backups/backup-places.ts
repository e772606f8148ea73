// Where each backup lives: a new one goes to the configured target (the volume, or the bucket of an
// S3 target, in the agent's layout `<prefix>/<store id>/<backup id>`); an existing one is removed from
// wherever its row says it was written, so changing the target never strands older backups.
import { backupFolder } from '@storefleet/backup-agent/core';
import type { BackupRecord, BackupTargetKind } from '../db/backups-repository.ts';
import { AppError } from '../errors.ts';
import type { BackupBucket } from './bucket-reader.ts';
import type { BackupStorage } from './storage.ts';
import type { BackupTarget } from './target-config.ts';

/** Where a backup's parts live in the volume. */
export function volumeKeyFor(storeId: string, backupId: string): string {
  return `stores/${storeId}/${backupId}`;
}

export class BackupPlaces {
  readonly target: BackupTarget;
  /** The S3 target's bucket, when that is the target. */
  readonly bucket: BackupBucket | undefined;
  private readonly volume: BackupStorage;

  /** `bucket`: the S3 target's bucket, when that is the target. */
  constructor(target: BackupTarget, volume: BackupStorage, bucket: BackupBucket | undefined) {
    this.target = target;
    this.volume = volume;
    this.bucket = bucket;
  }

  /** Where a new backup goes. */
  placeFor(storeId: string, backupId: string): { target: BackupTargetKind; storageKey: string } {
    if (this.target.kind === 'volume')
      return { target: 'volume', storageKey: volumeKeyFor(storeId, backupId) };
    return { target: 's3', storageKey: backupFolder(this.target.bucket.prefix, { storeId, backupId }) };
  }

  /** Removes a backup's parts where they are; a backup already gone is not an error. */
  async remove(backup: BackupRecord): Promise<void> {
    if (backup.target === 'volume') {
      await this.volume.remove(backup.storageKey);
      return;
    }
    if (!this.bucket) {
      throw new AppError(
        'BACKUP_BUCKET_NOT_CONFIGURED',
        `Backup ${backup.id} is in an S3 bucket, and this platform is not configured with one (BACKUP_TARGET=s3): it cannot remove it.`,
        'unavailable',
        { backupId: backup.id },
      );
    }
    const removed = await this.bucket.removeFolder(backup.storageKey);
    if (!removed.ok) {
      throw new AppError(
        'BACKUP_BUCKET_FAILED',
        `Could not remove backup ${backup.id} from the bucket: ${removed.error.message}`,
        'upstream',
        { backupId: backup.id, reason: removed.error.code },
      );
    }
  }
}
