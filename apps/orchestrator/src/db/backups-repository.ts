// Backups as rows: what was asked, how it went, and where its parts are kept in backup storage.
import type { Backup, BackupStatus, Engine } from '@storefleet/contracts';
import type { Kysely, Selectable } from 'kysely';
import type { BackupsTable, Schema } from './schema.ts';

export type BackupTargetKind = 'volume' | 's3';

export interface BackupRecord {
  id: string;
  storeId: string;
  ownerId: string;
  engine: Engine;
  status: BackupStatus;
  trigger: Backup['trigger'];
  parts: Backup['parts'];
  sizeBytes: number | null;
  /** Where it is kept: the volume (BACKUP_DIR) or the bucket of an S3 target. */
  target: BackupTargetKind;
  /** Its folder in that storage. */
  storageKey: string;
  failure: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export class BackupsRepository {
  private readonly db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.db = db;
  }

  async insert(backup: BackupRecord): Promise<void> {
    await this.db
      .insertInto('backups')
      .values({
        id: backup.id,
        store_id: backup.storeId,
        owner_id: backup.ownerId,
        engine: backup.engine,
        status: backup.status,
        trigger: backup.trigger,
        parts: JSON.stringify(backup.parts),
        size_bytes: backup.sizeBytes,
        storage_key: backup.storageKey,
        target: backup.target,
        failure: backup.failure,
        created_at: backup.createdAt,
        started_at: backup.startedAt,
        finished_at: backup.finishedAt,
      })
      .execute();
  }

  async get(id: string): Promise<BackupRecord | undefined> {
    const row = await this.db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** A store's backups, newest first. */
  async listForStore(storeId: string): Promise<BackupRecord[]> {
    const rows = await this.db
      .selectFrom('backups')
      .selectAll()
      .where('store_id', '=', storeId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  /** The backups of stores deleted at or before `cutoff`. */
  async listOfStoresDeletedBy(cutoff: Date): Promise<BackupRecord[]> {
    const rows = await this.db
      .selectFrom('backups')
      .innerJoin('stores', 'stores.id', 'backups.store_id')
      .selectAll('backups')
      .where('stores.state', '=', 'Deleted')
      .where('stores.deleted_at', '<=', cutoff)
      .execute();
    return rows.map(fromRow);
  }

  async markRunning(id: string, parts: Backup['parts'], now: Date): Promise<void> {
    await this.db
      .updateTable('backups')
      .set({ status: 'running', parts: JSON.stringify(parts), started_at: now, failure: null })
      .where('id', '=', id)
      .execute();
  }

  /** `manifest`: what the agent wrote beside a backup in the bucket. */
  async markSucceeded(id: string, sizeBytes: number, now: Date, manifest?: unknown): Promise<void> {
    await this.db
      .updateTable('backups')
      .set({
        status: 'succeeded',
        size_bytes: sizeBytes,
        finished_at: now,
        failure: null,
        ...(manifest === undefined ? {} : { manifest: JSON.stringify(manifest) }),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Marks a backup that has not succeeded as failed (a succeeded one stays as it is). */
  async markFailed(id: string, failure: string, now: Date): Promise<void> {
    await this.db
      .updateTable('backups')
      .set({ status: 'failed', failure, finished_at: now })
      .where('id', '=', id)
      .where('status', '!=', 'succeeded')
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('backups').where('id', '=', id).execute();
  }

  /** Bytes the owner's backups hold in storage (succeeded ones; others hold nothing kept). */
  async bytesOfOwner(ownerId: string): Promise<number> {
    const row = await this.db
      .selectFrom('backups')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('size_bytes'), eb.val('0')).as('bytes'))
      .where('owner_id', '=', ownerId)
      .where('status', '=', 'succeeded')
      .executeTakeFirstOrThrow();
    return Number(row.bytes);
  }
}

function fromRow(row: Selectable<BackupsTable>): BackupRecord {
  return {
    id: row.id,
    storeId: row.store_id,
    ownerId: row.owner_id,
    engine: row.engine as Engine,
    status: row.status as BackupStatus,
    trigger: row.trigger as Backup['trigger'],
    parts: row.parts as Backup['parts'],
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    target: row.target === 's3' ? 's3' : 'volume',
    storageKey: row.storage_key,
    failure: row.failure,
    createdAt: new Date(row.created_at),
    startedAt: row.started_at ? new Date(row.started_at) : null,
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
  };
}

export function presentBackup(backup: BackupRecord): Backup {
  return {
    id: backup.id,
    storeId: backup.storeId,
    engine: backup.engine,
    status: backup.status,
    trigger: backup.trigger,
    sizeBytes: backup.sizeBytes,
    parts: backup.parts,
    failure: backup.failure,
    createdAt: backup.createdAt.toISOString(),
    startedAt: backup.startedAt?.toISOString() ?? null,
    finishedAt: backup.finishedAt?.toISOString() ?? null,
    durationMs:
      backup.startedAt && backup.finishedAt ? backup.finishedAt.getTime() - backup.startedAt.getTime() : null,
  };
}
