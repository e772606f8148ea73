// The work behind the backup and restore steps: a backup streams each part of a store's data from
// the cluster into backup storage and records how it went; a restore streams a part back. Retention
// keeps the newest succeeded backups of a store and deletes the rest, rows and parts alike.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BackupPart, Cluster, StoreTarget } from '../cluster/port.ts';
import { type BackupRecord, BackupsRepository } from '../db/backups-repository.ts';
import type { Schema } from '../db/schema.ts';
import type { BackupStorage } from './storage.ts';

export interface BackupRunnerOptions {
  db: Kysely<Schema>;
  cluster: Pick<Cluster, 'data'>;
  storage: BackupStorage;
  logger: Logger;
  now?: () => Date;
}

export class BackupNotFound extends Error {}

export class BackupRunner {
  private readonly options: BackupRunnerOptions;
  private readonly backups: BackupsRepository;
  private readonly now: () => Date;

  constructor(options: BackupRunnerOptions) {
    this.options = options;
    this.backups = new BackupsRepository(options.db);
    this.now = options.now ?? (() => new Date());
  }

  /** Takes the backup: every part into storage, then the row says succeeded with the total size. */
  async take(backupId: string, target: StoreTarget, signal: AbortSignal): Promise<BackupRecord> {
    const backup = await this.find(backupId);
    if (backup.status === 'succeeded') return backup;
    const parts = this.options.cluster.data.backupParts(target);
    await this.backups.markRunning(backupId, parts, this.now());
    let size = 0;
    for (const part of parts) {
      const writer = await this.options.storage.write(partKey(backup, part));
      try {
        await this.options.cluster.data.dumpData(target, part, writer.stream, signal);
        size += await writer.commit();
      } catch (error) {
        await writer.abort();
        throw error;
      }
    }
    await this.backups.markSucceeded(backupId, size, this.now());
    return this.find(backupId);
  }

  async markFailed(backupId: string, reason: string): Promise<void> {
    await this.backups.markFailed(backupId, reason, this.now());
  }

  /** Marks the store's pending or running backups failed (the store went away under them). */
  async failUnfinished(storeId: string, reason: string): Promise<void> {
    for (const backup of await this.backups.listForStore(storeId)) {
      if (backup.status === 'pending' || backup.status === 'running')
        await this.markFailed(backup.id, reason);
    }
  }

  /** Streams one part of a backup back into the store. */
  async restorePart(
    backupId: string,
    part: BackupPart,
    target: StoreTarget,
    signal: AbortSignal,
  ): Promise<void> {
    const backup = await this.find(backupId);
    if (!backup.parts.includes(part)) return;
    const source = await this.options.storage.read(partKey(backup, part));
    try {
      await this.options.cluster.data.restoreData(target, part, source, signal);
    } finally {
      source.destroy();
    }
  }

  async parts(backupId: string): Promise<BackupPart[]> {
    return (await this.find(backupId)).parts;
  }

  /** Keeps the store's newest succeeded backups (as many as its schedule keeps); returns the ids it deleted. */
  async enforceRetention(storeId: string): Promise<string[]> {
    const { backup_keep: keep } = await this.options.db
      .selectFrom('stores')
      .select('backup_keep')
      .where('id', '=', storeId)
      .executeTakeFirstOrThrow();
    const succeeded = (await this.backups.listForStore(storeId)).filter((b) => b.status === 'succeeded');
    const expired = succeeded.slice(keep);
    for (const backup of expired) await this.remove(backup);
    return expired.map((backup) => backup.id);
  }

  /** Deletes a backup's parts, then its row. */
  async remove(backup: BackupRecord): Promise<void> {
    await this.options.storage.remove(backup.storageKey);
    await this.backups.delete(backup.id);
  }

  private async find(backupId: string): Promise<BackupRecord> {
    const backup = await this.backups.get(backupId);
    if (!backup) throw new BackupNotFound(`backup ${backupId} no longer exists`);
    return backup;
  }
}

function partKey(backup: BackupRecord, part: BackupPart): string {
  return `${backup.storageKey}/${part === 'database' ? 'database.dump' : 'files.tar'}`;
}

/** Where a backup's parts live in storage. */
export function storageKeyFor(storeId: string, backupId: string): string {
  return `stores/${storeId}/${backupId}`;
}
