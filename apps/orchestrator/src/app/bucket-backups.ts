// The backups an S3 backup target holds, for operators: every manifest under the prefix, whatever
// store it belongs to, marked with whether this platform knows the store and the backup, and whether
// its key reads it. A platform that lost everything but the bucket and the key starts from this list,
// takes in the backups it wants (import) and creates stores from them like from any backup.
import type { BucketBackup, BucketBackupList, ImportBucketBackupRequest } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { BackupBucket } from '../backups/bucket-reader.ts';
import { type BackupRecord, BackupsRepository } from '../db/backups-repository.ts';
import type { Schema } from '../db/schema.ts';
import type { Actor } from '../domain/actor.ts';
import { engineModules } from '../engines/registry.ts';
import { AppError, conflict } from '../errors.ts';

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
    const reader = this.configured();
    const listing = await reader.list();
    if (!listing.ok) {
      throw bucketFailed(`Could not list the backup bucket: ${listing.error.message}`, listing.error.code);
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

  /**
   * Takes a backup of the bucket in as one of `actor`'s: a row for it (its store need not exist here),
   * so a new store can be created from it (`fromBackup`) like from any backup. Only a backup written
   * for this platform's key, of an engine it runs, with a store's database (and files), is taken.
   */
  async import(actor: Actor, request: ImportBucketBackupRequest): Promise<BackupRecord> {
    const reader = this.configured();
    const repository = new BackupsRepository(this.db);
    const existing = await repository.get(request.backupId);
    if (existing) {
      throw conflict(
        'BACKUP_ALREADY_KNOWN',
        `Backup ${request.backupId} is already one of this platform's backups (of store ${existing.storeId}).`,
        { backupId: request.backupId },
      );
    }
    const refuse = (why: string, reason?: string): never => {
      throw new AppError(
        'BACKUP_NOT_RESTORABLE',
        `Backup ${request.backupId} of store ${request.storeId} cannot be taken in: ${why}`,
        'validation',
        { backupId: request.backupId, ...(reason ? { reason } : {}) },
      );
    };
    const found = await reader.manifest(request);
    if (!found.ok) {
      if (found.error.code === 'STORAGE_FAILED') throw bucketFailed(found.error.message);
      return refuse(`${found.error.code}: ${found.error.message}`, found.error.code);
    }
    const manifest = found.value;
    if (!engineModules().some((module) => module.name === manifest.engine)) {
      refuse(`it is a backup of a ${manifest.engine} store, an engine this platform does not run.`);
    }
    const parts = manifest.parts.map((part) => part.name);
    const storeParts = (names: string[]): names is BackupRecord['parts'] =>
      names.includes('database') && names.every((name) => name === 'database' || name === 'files');
    if (!storeParts(parts))
      return refuse(`its parts (${parts.join(', ')}) are not a store's database and files.`);
    const createdAt = new Date(manifest.createdAt);
    const backup: BackupRecord = {
      id: request.backupId,
      storeId: request.storeId,
      ownerId: actor.userId,
      engine: manifest.engine,
      status: 'succeeded',
      trigger: 'manual',
      parts,
      sizeBytes: manifest.parts.reduce((sum, part) => sum + part.storedBytes, 0),
      target: 's3',
      storageKey: reader.folderOf(request),
      failure: null,
      createdAt,
      startedAt: createdAt,
      finishedAt: createdAt,
    };
    await repository.insert(backup);
    await repository.markSucceeded(backup.id, backup.sizeBytes ?? 0, createdAt, manifest);
    return backup;
  }

  private configured(): BackupBucket {
    if (!this.reader) {
      throw new AppError(
        'BACKUP_BUCKET_NOT_CONFIGURED',
        'Backups go to the platform volume (BACKUP_TARGET=volume): there is no bucket. Set BACKUP_TARGET=s3 with BACKUP_S3_BUCKET and BACKUP_AGE_IDENTITY.',
        'unavailable',
      );
    }
    return this.reader;
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

const bucketFailed = (message: string, reason = 'STORAGE_FAILED') =>
  new AppError('BACKUP_BUCKET_FAILED', message, 'upstream', { reason });
