// What people can ask of a store's data and its sleep: backups (on demand and on a schedule), restore,
// sleep and wake. Each request checks the lifecycle's guards and is recorded with its job in one
// transaction (request-operation.ts); the work itself runs in the reconciler.
import { randomUUID } from 'node:crypto';
import type { BackupList, BackupSchedule, Operation, SetBackupScheduleRequest } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import { newSecret, sha256 } from '../accounts/secrets.ts';
import type { BackupPlaces } from '../backups/backup-places.ts';
import { type Cluster, storeTarget } from '../cluster/port.ts';
import { ActivityRepository } from '../db/activity-repository.ts';
import { type BackupRecord, BackupsRepository, presentBackup } from '../db/backups-repository.ts';
import type { Schema } from '../db/schema.ts';
import type { ActivityType } from '../domain/activity-types.ts';
import { assertMayRequest, LIFECYCLE } from '../domain/lifecycle.ts';
import type { JobPayload, Store } from '../domain/store.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { assertBackupRoom, restorableBackup } from './backup-rules.ts';
import { requestOperation } from './request-operation.ts';
import type { StoreQueries } from './store-queries.ts';

export interface StoreOperationsOptions {
  db: Kysely<Schema>;
  cluster: Pick<Cluster, 'data' | 'backupSchedule'>;
  queries: StoreQueries;
  /** Where new backups go and where each existing one is removed from. */
  places: BackupPlaces;
  backupQuotaBytes: number;
  /** PLATFORM_INTERNAL_URL: where a store's backup CronJob asks for its backup; unset: no schedules. */
  internalUrl: string | undefined;
  /** PORT: where the orchestrator listens (a Service in front of it forwards there). */
  listenPort: number;
  now?: () => Date;
}

/** The path, under PLATFORM_INTERNAL_URL, that a scheduled backup's pod posts to. */
export const SCHEDULED_BACKUP_PATH = '/api/internal/scheduled-backups';

export class StoreOperations {
  private readonly options: StoreOperationsOptions;
  private readonly db: Kysely<Schema>;
  private readonly now: () => Date;

  constructor(options: StoreOperationsOptions) {
    this.options = options;
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
  }

  /** Queues a backup of a Ready store; the backup row exists (pending) as soon as this returns. */
  async backup(store: Store, trigger: 'manual' | 'schedule' = 'manual'): Promise<BackupRecord> {
    assertMayRequest(store, 'backup');
    await assertBackupRoom(this.db, store.ownerId, this.options.backupQuotaBytes);
    const now = this.now();
    const id = randomUUID();
    const backup: BackupRecord = {
      id,
      storeId: store.id,
      ownerId: store.ownerId,
      engine: store.engine,
      status: 'pending',
      trigger,
      parts: this.options.cluster.data.backupParts(storeTarget(store)),
      sizeBytes: null,
      ...this.options.places.placeFor(store.id, id),
      failure: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
    };
    const updated = await requestOperation(
      this.db,
      {
        store,
        to: LIFECYCLE.backup.requested,
        kind: 'backup',
        activityType: 'backup.requested',
        message: `${trigger === 'schedule' ? 'Scheduled backup' : 'Backup'} ${id} requested.`,
        payload: { backupId: id },
        details: { backupId: id, trigger },
        alsoRecord: (trx) => new BackupsRepository(trx).insert(backup),
      },
      now,
    );
    if (!updated) throw changed('backing up');
    return backup;
  }

  async listBackups(store: Store): Promise<BackupList> {
    const repository = new BackupsRepository(this.db);
    const [items, bytes, schedule] = await Promise.all([
      repository.listForStore(store.id),
      repository.bytesOfOwner(store.ownerId),
      this.schedule(store.id),
    ]);
    return {
      items: items.map(presentBackup),
      schedule,
      usage: { bytes, quotaBytes: this.options.backupQuotaBytes },
    };
  }

  async deleteBackup(store: Store, backupId: string): Promise<void> {
    const repository = new BackupsRepository(this.db);
    const backup = await repository.get(backupId);
    if (!backup || backup.storeId !== store.id) throw notFound(`Backup ${backupId}`);
    if (backup.status === 'pending' || backup.status === 'running') {
      throw conflict('STORE_BUSY', 'This backup is still being taken; delete it once it has finished.');
    }
    await this.options.places.remove(backup);
    await repository.delete(backupId);
    await new ActivityRepository(this.db).append(
      {
        storeId: store.id,
        type: 'backup.deleted',
        message: `Backup ${backupId} deleted.`,
        details: { backupId },
      },
      this.now(),
    );
  }

  /** Sets (or with cron null, removes) the store's backup schedule and how many backups it keeps. */
  async setSchedule(store: Store, request: SetBackupScheduleRequest): Promise<BackupSchedule> {
    if (request.cron !== null) {
      if (!this.options.internalUrl) {
        throw new AppError(
          'BACKUP_SCHEDULE_UNAVAILABLE',
          'This platform cannot run scheduled backups: PLATFORM_INTERNAL_URL (the address store pods reach the orchestrator at) is not set. Backups on demand still work.',
          'validation',
        );
      }
      if (!['Ready', 'BackingUp'].includes(store.state)) {
        throw conflict('STORE_NOT_READY', `Schedule backups of a Ready store; this store is ${store.state}.`);
      }
    }
    const token = newSecret();
    const target = storeTarget(store);
    const current = await this.schedule(store.id);
    // Removing a schedule that does not exist asks nothing of the cluster.
    if (request.cron !== null || current.cron !== null) {
      await this.options.queries.askCluster((signal) =>
        this.options.cluster.backupSchedule.applyBackupSchedule(
          target,
          request.cron === null
            ? null
            : {
                cron: request.cron,
                url: `${this.options.internalUrl}${SCHEDULED_BACKUP_PATH}`,
                token,
                platformPort: this.options.listenPort,
              },
          signal,
        ),
      );
    }
    await this.db
      .updateTable('stores')
      .set({
        backup_cron: request.cron,
        backup_keep: request.keep,
        backup_token_hash: request.cron === null ? null : sha256(token),
      })
      .where('id', '=', store.id)
      .execute();
    await new ActivityRepository(this.db).append(
      {
        storeId: store.id,
        type: 'backup.schedule_set',
        message:
          request.cron === null
            ? `Backup schedule removed; the store keeps its newest ${request.keep} backups.`
            : `Backups scheduled at "${request.cron}" (UTC); the store keeps its newest ${request.keep}.`,
        details: { cron: request.cron, keep: request.keep },
      },
      this.now(),
    );
    return { cron: request.cron, keep: request.keep };
  }

  /** A store's backup CronJob asks for its backup: the token says which store. */
  async scheduledBackup(token: string): Promise<BackupRecord> {
    const row = await this.db
      .selectFrom('stores')
      .select('id')
      .where('backup_token_hash', '=', sha256(token))
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row)
      throw new AppError('INVALID_TOKEN', 'This backup token belongs to no store.', 'unauthenticated');
    const store = await this.options.queries.get(row.id);
    try {
      return await this.backup(store, 'schedule');
    } catch (error) {
      if (error instanceof AppError) {
        await new ActivityRepository(this.db).append(
          {
            storeId: store.id,
            type: 'backup.failed',
            message: `Scheduled backup not taken: ${error.message}`,
            details: { trigger: 'schedule', code: error.code },
          },
          this.now(),
        );
      }
      throw error;
    }
  }

  async restore(store: Store, backupId: string): Promise<Store> {
    assertMayRequest(store, 'restore');
    await restorableBackup(this.db, backupId, store.ownerId, store.engine, this.options.places.bucket);
    return this.request(
      store,
      'restore',
      'store.restore_requested',
      `Restore of backup ${backupId} requested.`,
      {
        // A restore refused before anything stopped puts the store back in this state.
        payload: { backupId, from: store.state === 'Ready' ? 'Ready' : 'Failed' },
        details: { backupId },
      },
    );
  }

  /** `idle`: the ingress saw no storefront traffic for IDLE_SLEEP_AFTER. */
  async sleep(store: Store, by: 'owner' | 'idle' = 'owner'): Promise<Store> {
    assertMayRequest(store, 'sleep');
    const message =
      by === 'idle' ? 'Sleep requested: no storefront traffic for IDLE_SLEEP_AFTER.' : 'Sleep requested.';
    return this.request(store, 'sleep', 'store.sleep_requested', message, { details: { by } });
  }

  /** `visitor`: someone pressed the wake button on the store's asleep page. */
  async wake(store: Store, by: 'owner' | 'visitor' = 'owner'): Promise<Store> {
    if (store.state === 'Waking') return store;
    assertMayRequest(store, 'wake');
    const message = by === 'visitor' ? 'Wake requested by a visitor of the asleep page.' : 'Wake requested.';
    return this.request(store, 'wake', 'store.wake_requested', message, { details: { by } });
  }

  private async request(
    store: Store,
    operation: Operation,
    activityType: ActivityType,
    message: string,
    extra: { payload?: JobPayload; details?: Record<string, unknown> } = {},
  ): Promise<Store> {
    const updated = await requestOperation(
      this.db,
      { store, to: LIFECYCLE[operation].requested, kind: operation, activityType, message, ...extra },
      this.now(),
    );
    if (!updated) throw changed(operation);
    return updated;
  }

  private async schedule(storeId: string): Promise<BackupSchedule> {
    const row = await this.db
      .selectFrom('stores')
      .select(['backup_cron', 'backup_keep'])
      .where('id', '=', storeId)
      .executeTakeFirstOrThrow();
    return { cron: row.backup_cron, keep: row.backup_keep };
  }
}

function changed(what: string): AppError {
  return conflict('STORE_CHANGED', `The store changed while ${what}; reload it and try again.`);
}
