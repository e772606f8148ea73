// The work behind the backup and restore steps: a backup streams each part of a store's data from
// the cluster into backup storage and records how it went; a restore streams a part back. Retention
// keeps the newest succeeded backups of a store and deletes the rest, rows and parts alike.
//
// Where a backup's row says it lives decides the way: the volume's parts stream through this process
// (exec streams into BACKUP_DIR); an S3 target's never do: a Job in the store's namespace runs the
// engine's dump through the backup agent to the bucket (and back), and the runner records the
// manifest the Job printed.
import type { Manifest } from '@storefleet/backup-agent/core';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  type BackupPart,
  type Cluster,
  type ClusterBackupJobs,
  ClusterError,
  RESTORE_COMMAND_FAILED,
  type StoreTarget,
} from '../cluster/port.ts';
import { type BackupRecord, BackupsRepository } from '../db/backups-repository.ts';
import type { Schema } from '../db/schema.ts';
import type { BackupPlaces } from './backup-places.ts';
import { bucketJobRequest, jobFailure, manifestOfBackupJob, storedBytes } from './bucket-parts.ts';
import type { BackupStorage } from './storage.ts';
import type { BucketTarget } from './target-config.ts';

export interface BackupRunnerOptions {
  db: Kysely<Schema>;
  cluster: Pick<Cluster, 'data' | 'backupJobs'>;
  /** The volume (BACKUP_DIR). */
  storage: BackupStorage;
  places: BackupPlaces;
  /** The longest one backup or restore Job may run (PROVISION_TIMEOUT). */
  jobDeadlineMs: number;
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
    if (backup.target === 's3') {
      const manifest = await this.takeToBucket(backup, parts, target, signal);
      await this.backups.markSucceeded(backupId, storedBytes(manifest), this.now(), manifest);
      return this.find(backupId);
    }
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
    if (backup.target === 's3') {
      await this.restoreFromBucket(backup, part, target, signal);
      return;
    }
    const source = await this.options.storage.read(partKey(backup, part));
    try {
      await this.options.cluster.data.restoreData(target, part, source, signal);
    } finally {
      source.destroy();
    }
  }

  /**
   * Reads every part of a bucket backup back in a Job of the store's namespace (the agent's verify:
   * download, decrypt, every checksum), writing nothing: a restore asks before it stops anything. A
   * backup on the volume (BACKUP_DIR) carries no checksums: nothing to do.
   */
  async verify(backupId: string, target: StoreTarget, signal: AbortSignal): Promise<void> {
    const backup = await this.find(backupId);
    if (backup.target !== 's3') return;
    const { jobs, bucket } = this.bucketWay(backup);
    for (const part of backup.parts) {
      const request = bucketJobRequest(bucket, 'verify', target, backup, part, this.jobDeadlineSeconds());
      const result = await jobs.run(request, signal);
      if (result.exitCode !== 0) throw jobFailure(request, result);
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
    await this.options.places.remove(backup);
    await this.backups.delete(backup.id);
  }

  /** Each part by its own Job; the last manifest holds them all (each upload adds its part). */
  private async takeToBucket(
    backup: BackupRecord,
    parts: BackupPart[],
    target: StoreTarget,
    signal: AbortSignal,
  ): Promise<Manifest> {
    const { jobs, bucket } = this.bucketWay(backup);
    let manifest: Manifest | undefined;
    for (const part of parts) {
      const request = bucketJobRequest(bucket, 'backup', target, backup, part, this.jobDeadlineSeconds());
      manifest = manifestOfBackupJob(request, await jobs.run(request, signal), bucket.keyFingerprint);
    }
    if (!manifest) {
      throw new ClusterError('NoSuchBackupPart', `A ${target.engine} store has no part to back up.`, {
        retryable: false,
      });
    }
    return manifest;
  }

  private async restoreFromBucket(
    backup: BackupRecord,
    part: BackupPart,
    target: StoreTarget,
    signal: AbortSignal,
  ): Promise<void> {
    const { jobs, bucket } = this.bucketWay(backup);
    const request = bucketJobRequest(bucket, 'restore', target, backup, part, this.jobDeadlineSeconds());
    const result = await jobs.run(request, signal);
    if (result.exitCode !== 0) throw jobFailure(request, result);
    if (!result.message.includes('"restored":true')) {
      throw new ClusterError(
        'RestoreFailed',
        `The ${part} restore Job ended without saying it restored anything (exit status 0, not ${RESTORE_COMMAND_FAILED}).`,
        { retryable: true },
      );
    }
  }

  /** The bucket and the cluster's Jobs, for a backup kept in the bucket. */
  private bucketWay(backup: BackupRecord): { jobs: ClusterBackupJobs; bucket: BucketTarget } {
    const target = this.options.places.target;
    const jobs = this.options.cluster.backupJobs;
    if (target.kind !== 's3') {
      throw new ClusterError(
        'BackupJobsUnavailable',
        `Backup ${backup.id} is in an S3 bucket, and this platform is not configured with one (BACKUP_TARGET=s3).`,
        { retryable: false },
      );
    }
    if (!jobs) {
      throw new ClusterError(
        'BackupJobsUnavailable',
        'This cluster cannot run backup Jobs (a simulated or unconfigured cluster): backups to an S3 bucket need a Kubernetes cluster that runs pods.',
        { retryable: false },
      );
    }
    return { jobs, bucket: target };
  }

  private jobDeadlineSeconds(): number {
    return Math.max(60, Math.ceil(this.options.jobDeadlineMs / 1000));
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
