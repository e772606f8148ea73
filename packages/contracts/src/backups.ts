// A store's backups, their schedule, and restores.
import { z } from 'zod';
import { Engine } from './store.ts';
import { text } from './text.ts';

export const BACKUP_STATUSES = ['pending', 'running', 'succeeded', 'failed'] as const;
export const BackupStatus = z.enum(BACKUP_STATUSES);
export type BackupStatus = z.infer<typeof BackupStatus>;

/** One backup of a store: its database dump, plus its uploaded files where the engine has them. */
export const Backup = z.object({
  id: z.uuid(),
  storeId: z.uuid(),
  engine: Engine,
  status: BackupStatus,
  /** `schedule`: started by the store's backup CronJob; `manual`: asked for through the API. */
  trigger: z.enum(['manual', 'schedule']),
  /** Bytes kept in backup storage; null until it succeeded. */
  sizeBytes: z.number().int().nonnegative().nullable(),
  /** What it holds: `database`, and `files` for engines with uploads. */
  parts: z.array(z.enum(['database', 'files'])),
  /** Why it failed, in words a person can act on; null unless failed. */
  failure: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
});
export type Backup = z.infer<typeof Backup>;

/** A five-field cron expression (minute hour day-of-month month day-of-week), as a CronJob takes it. */
export const CRON_PATTERN = /^(\S+\s+){4}\S+$/;

export const BackupSchedule = z.object({
  /** When scheduled backups run (UTC), e.g. `0 3 * * *`; null: no schedule. */
  cron: z.string().nullable(),
  /** How many succeeded backups are kept; older ones are deleted after each new one. */
  keep: z.number().int().min(1).max(100),
});
export type BackupSchedule = z.infer<typeof BackupSchedule>;

export const SetBackupScheduleRequest = z.strictObject({
  cron: text()
    .trim()
    .max(100)
    .regex(CRON_PATTERN, 'cron must have five fields, e.g. "0 3 * * *"')
    .nullable()
    .describe('Five-field cron expression in UTC; null removes the schedule.'),
  keep: z.number().int().min(1).max(100).default(7),
});
export type SetBackupScheduleRequest = z.infer<typeof SetBackupScheduleRequest>;

export const BackupList = z.object({
  items: z.array(Backup),
  schedule: BackupSchedule,
  /** Bytes the owner's backups take across all their stores, and the most they may take. */
  usage: z.object({ bytes: z.number().int().nonnegative(), quotaBytes: z.number().int().nonnegative() }),
});
export type BackupList = z.infer<typeof BackupList>;

export const BackupParams = z.strictObject({
  id: z.uuid({ message: 'store id must be a UUID' }),
  backupId: z.uuid({ message: 'backup id must be a UUID' }),
});

export const RestoreStoreRequest = z.strictObject({
  backupId: z.uuid({ message: 'backupId must be a backup id (a UUID)' }),
});
export type RestoreStoreRequest = z.infer<typeof RestoreStoreRequest>;

/** One part of a backup in the bucket, as its manifest describes it. */
export const BucketBackupPart = z.object({
  name: z.string(),
  /** Bytes of the encrypted object in the bucket. */
  storedBytes: z.number().int().nonnegative(),
  /** Bytes of the dump it decrypts to. */
  plainBytes: z.number().int().nonnegative(),
});

/**
 * A backup found in the bucket (BACKUP_TARGET=s3) from its manifest alone: a platform pointed at the
 * bucket lists the backups of every store, those it has never seen included.
 */
export const BucketBackup = z.object({
  storeId: z.string(),
  backupId: z.string(),
  slug: z.string(),
  engine: z.string(),
  createdAt: z.iso.datetime(),
  parts: z.array(BucketBackupPart),
  /** Bytes the backup takes in the bucket. */
  storedBytes: z.number().int().nonnegative(),
  /** Where its manifest is: `<prefix>/<store id>/<backup id>/manifest.json`. */
  manifestKey: z.string(),
  /** `sha256:…` of the age recipient it was encrypted to. */
  keyFingerprint: z.string(),
  /** Whether this platform's key reads it (false: it was written with another key). */
  keyMatches: z.boolean(),
  /** Whether this platform knows the store, and has a row for this backup. */
  knownStore: z.boolean(),
  knownBackup: z.boolean(),
});
export type BucketBackup = z.infer<typeof BucketBackup>;

export const BucketBackupList = z.object({
  /** Where the platform looked (never its credentials). */
  bucket: z.object({ endpoint: z.string().nullable(), bucket: z.string(), prefix: z.string() }),
  /** Oldest first. */
  items: z.array(BucketBackup),
  /** Objects named like a manifest that are not one of ours, or not whole, with the reason. */
  unreadable: z.array(z.object({ manifestKey: z.string(), reason: z.string() })),
});
export type BucketBackupList = z.infer<typeof BucketBackupList>;

/** A backup of the bucket taken in by this platform: it becomes one of the caller's backups. */
export const ImportBucketBackupRequest = z.strictObject({
  storeId: z.uuid({ message: 'storeId must be the store id of a backup in the bucket (a UUID)' }),
  backupId: z.uuid({ message: 'backupId must be the id of a backup in the bucket (a UUID)' }),
});
export type ImportBucketBackupRequest = z.infer<typeof ImportBucketBackupRequest>;
