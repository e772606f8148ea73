// The backups an S3 backup target holds, for operators: every manifest under the prefix, whatever
// store it belongs to, marked with whether this platform knows the store and the backup, and whether
// its key reads it. A platform that lost everything but the bucket and the key starts from this list.
import type { BucketBackup, BucketBackupList } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { BackupBucket } from '../backups/bucket-reader.ts';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class BucketBackups {
  private readonly db: Kysely<Schema>;
  private readonly reader: BackupBucket | undefined;

  /** `reader` is undefined when backups go to the volume (BACKUP_TARGET=volume). */
  constructor(db: Kysely<Schema>, reader: BackupBucket | undefined) {
    this.db = db;
    this.reader = reader;
  }

  async list(): Promise<BucketBackupList> {
    const reader = this.reader;
    if (!reader) {
      throw new AppError(
        'BACKUP_BUCKET_NOT_CONFIGURED',
        'Backups go to the platform volume (BACKUP_TARGET=volume): there is no bucket to list. Set BACKUP_TARGET=s3 with BACKUP_S3_BUCKET and BACKUP_AGE_IDENTITY.',
        'unavailable',
      );
    }
    const listing = await reader.list();
    if (!listing.ok) {
      throw new AppError(
        'BACKUP_BUCKET_FAILED',
        `Could not list the backup bucket: ${listing.error.message}`,
        'upstream',
        { reason: listing.error.code },
      );
    }
    const { backups, unreadable } = listing.value;
    const knownStores = await this.existing(
      'stores',
      backups.map((b) => b.storeId),
    );
    const knownBackups = await this.existing(
      'backups',
      backups.map((b) => b.backupId),
    );
    const items = backups.map(
      (manifest): BucketBackup => ({
        storeId: manifest.storeId,
        backupId: manifest.backupId,
        slug: manifest.slug,
        engine: manifest.engine,
        createdAt: new Date(manifest.createdAt).toISOString(),
        parts: manifest.parts.map(({ name, storedBytes, plainBytes }) => ({ name, storedBytes, plainBytes })),
        storedBytes: manifest.parts.reduce((sum, part) => sum + part.storedBytes, 0),
        manifestKey: manifest.manifestKey,
        keyFingerprint: manifest.encryption.keyFingerprint,
        keyMatches: manifest.encryption.keyFingerprint === reader.keyFingerprint,
        knownStore: knownStores.has(manifest.storeId),
        knownBackup: knownBackups.has(manifest.backupId),
      }),
    );
    return { bucket: reader.location, items, unreadable };
  }

  /** Which of `ids` are rows of `table` (ids that are not UUIDs are no platform's rows). */
  private async existing(table: 'stores' | 'backups', ids: string[]): Promise<Set<string>> {
    const candidates = [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
    if (candidates.length === 0) return new Set();
    const rows = await this.db.selectFrom(table).select('id').where('id', 'in', candidates).execute();
    const found = new Set(rows.map((row) => row.id.toLowerCase()));
    return new Set(ids.filter((id) => found.has(id.toLowerCase())));
  }
}
