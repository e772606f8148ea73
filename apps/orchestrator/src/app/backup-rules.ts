// What makes a backup usable for a restore, and whether a user has room for another backup.
import type { Engine } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { BackupBucket } from '../backups/bucket-reader.ts';
import { type BackupRecord, BackupsRepository } from '../db/backups-repository.ts';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/**
 * The backup, if `ownerId` may restore it into a store of `engine`; otherwise 400 with the reason. A
 * backup in the bucket (`bucket`: the S3 target's) is checked there too, before anything is stopped:
 * its manifest, its key and its parts' sizes.
 */
export async function restorableBackup(
  db: Kysely<Schema>,
  backupId: string,
  ownerId: string,
  engine: Engine,
  bucket?: BackupBucket,
): Promise<BackupRecord> {
  const backup = await new BackupsRepository(db).get(backupId);
  const refuse = (why: string): never => {
    throw new AppError('BACKUP_NOT_RESTORABLE', why, 'validation', { backupId });
  };
  if (!backup || backup.ownerId !== ownerId)
    return refuse(`There is no backup ${backupId} among your backups.`);
  if (backup.status !== 'succeeded') {
    return refuse(`Backup ${backupId} is ${backup.status}; only a succeeded backup can be restored.`);
  }
  if (backup.engine !== engine) {
    return refuse(
      `Backup ${backupId} is of a ${backup.engine} store; it cannot be restored into a ${engine} store.`,
    );
  }
  if (backup.target === 's3') {
    if (!bucket) {
      return refuse(
        `Backup ${backupId} is in an S3 bucket, and this platform is not configured with one (BACKUP_TARGET=s3).`,
      );
    }
    const checked = await bucket.precheck({ storeId: backup.storeId, backupId: backup.id }, backup.parts);
    if (!checked.ok) {
      if (checked.error.code === 'STORAGE_FAILED') {
        throw new AppError(
          'BACKUP_BUCKET_FAILED',
          `Could not read backup ${backupId} in the bucket: ${checked.error.message}`,
          'upstream',
          { backupId },
        );
      }
      return refuse(`Backup ${backupId} cannot be restored: ${checked.error.code}: ${checked.error.message}`);
    }
  }
  return backup;
}

/** Refuses a new backup when the owner's backups already fill their quota. */
export async function assertBackupRoom(
  db: Kysely<Schema>,
  ownerId: string,
  quotaBytes: number,
): Promise<void> {
  const used = await new BackupsRepository(db).bytesOfOwner(ownerId);
  if (used >= quotaBytes) {
    throw new AppError(
      'BACKUP_QUOTA_EXCEEDED',
      `Your backups take ${used} of at most ${quotaBytes} bytes (BACKUP_QUOTA_BYTES); delete older backups or lower how many a store keeps.`,
      'limit',
      { usedBytes: used, quotaBytes },
    );
  }
}
