// What people can ask of stores: create, delete, retry, upgrade, roll back. Checks the rules (the
// guards derived from the lifecycle plans), records the request and queues the work in one
// transaction, so nothing is ever half-created. Every request bumps the store's generation.
import { randomUUID } from 'node:crypto';
import type { CreateStoreRequest, Operation, StoreState, StoreValues } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { BackupBucket } from '../backups/bucket-reader.ts';
import { type Cluster, storeTarget } from '../cluster/port.ts';
import { ActivityRepository } from '../db/activity-repository.ts';
import { lockForTransaction } from '../db/locks.ts';
import type { Schema } from '../db/schema.ts';
import { StoresRepository } from '../db/stores-repository.ts';
import type { ActivityType } from '../domain/activity-types.ts';
import {
  assertMayRequest,
  IN_FLIGHT_STATES,
  LIFECYCLE,
  LIVE_STATES,
  resumingOperation,
} from '../domain/lifecycle.ts';
import { slugForStoreName } from '../domain/slug.ts';
import { type JobKind, type JobPayload, newStore, type Store } from '../domain/store.ts';
import { engineModule } from '../engines/registry.ts';
import { AppError, conflict } from '../errors.ts';
import { enqueueJob } from '../queue/work-queue.ts';
import { restorableBackup } from './backup-rules.ts';
import { IDEMPOTENCY_KEY_CONSTRAINT, rememberKey, replayedStoreId, requestHash } from './idempotency.ts';
import { requestOperation } from './request-operation.ts';
import type { StoreQueries } from './store-queries.ts';

export interface StoreCommandOptions {
  db: Kysely<Schema>;
  cluster: Pick<Cluster, 'engines' | 'releases'>;
  queries: StoreQueries;
  maxStores: number;
  maxStoresPerUser: number;
  resourcePrefix: string;
  /** The S3 backup target's bucket, where a new store's backup is checked before anything starts. */
  backupBucket?: BackupBucket;
  now?: () => Date;
}

export interface RequestContext {
  ownerId: string;
  idempotencyKey?: string;
}

export class StoreCommands {
  private readonly db: Kysely<Schema>;
  private readonly options: StoreCommandOptions;
  private readonly queries: StoreQueries;
  private readonly now: () => Date;

  constructor(options: StoreCommandOptions) {
    this.options = options;
    this.db = options.db;
    this.queries = options.queries;
    this.now = options.now ?? (() => new Date());
  }

  /** Creates a store and queues its provisioning; a replayed idempotency key returns the first result. */
  async create(
    input: CreateStoreRequest,
    context: RequestContext,
  ): Promise<{ store: Store; replayed: boolean }> {
    const slug = slugForStoreName(input.name);
    engineModule(input.engine);
    const engine = this.options.cluster.engines().find((candidate) => candidate.engine === input.engine);
    if (engine && !engine.available) {
      throw new AppError(
        'ENGINE_UNAVAILABLE',
        engine.reason ?? `${input.engine} cannot run on this cluster.`,
        'validation',
        { engine: input.engine },
      );
    }
    if (input.fromBackup !== undefined) {
      await restorableBackup(
        this.db,
        input.fromBackup,
        context.ownerId,
        input.engine,
        this.options.backupBucket,
      );
    }
    const hash = requestHash(input);
    if (context.idempotencyKey !== undefined) {
      const replay = await this.replay(context.ownerId, context.idempotencyKey, hash);
      if (replay) return { store: replay, replayed: true };
    }

    const now = this.now();
    const store = newStore({
      id: randomUUID(),
      name: input.name,
      slug,
      engine: input.engine,
      ownerId: context.ownerId,
      resourcePrefix: this.options.resourcePrefix,
      now,
    });
    const operation = input.fromBackup === undefined ? 'provision' : 'provision-from-backup';
    store.operation = operation;
    store.payload = input.fromBackup === undefined ? {} : { backupId: input.fromBackup };
    try {
      await this.db.transaction().execute(async (trx) => {
        await lockForTransaction(trx, 'store-create');
        const live = await new StoresRepository(trx).countInStates(LIVE_STATES);
        if (live >= this.options.maxStores) {
          throw new AppError(
            'STORE_LIMIT_REACHED',
            `The platform already runs ${live} of at most ${this.options.maxStores} stores (MAX_STORES); delete a store or raise the limit.`,
            'limit',
            { limit: this.options.maxStores, current: live },
          );
        }
        const own = await new StoresRepository(trx).countInStates(LIVE_STATES, context.ownerId);
        if (own >= this.options.maxStoresPerUser) {
          throw new AppError(
            'USER_STORE_LIMIT_REACHED',
            `You already have ${own} of at most ${this.options.maxStoresPerUser} stores (MAX_STORES_PER_USER); delete one first.`,
            'limit',
            { limit: this.options.maxStoresPerUser, current: own },
          );
        }
        await new StoresRepository(trx).insert(store);
        await enqueueJob(trx, store.id, operation, { now, payload: store.payload });
        if (context.idempotencyKey !== undefined) {
          await rememberKey(trx, {
            ownerId: context.ownerId,
            key: context.idempotencyKey,
            hash,
            storeId: store.id,
            now,
          });
        }
        await new ActivityRepository(trx).append(
          {
            storeId: store.id,
            type: 'store.created',
            message: `Store "${store.name}" requested (${store.engine}).`,
            details: { slug },
          },
          now,
        );
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === 'stores_live_slug') {
        throw conflict(
          'STORE_NAME_TAKEN',
          `A store with the address "${slug}" already exists; choose another name.`,
          {
            slug,
          },
        );
      }
      if (constraint === IDEMPOTENCY_KEY_CONSTRAINT && context.idempotencyKey !== undefined) {
        // Another request with the same key won the race; answer as its replay.
        const replay = await this.replay(context.ownerId, context.idempotencyKey, hash);
        if (replay) return { store: replay, replayed: true };
      }
      throw error;
    }
    return { store, replayed: false };
  }

  /** Asks for the store to be deleted. Allowed from any state; repeating it changes nothing. */
  async delete(id: string): Promise<Store> {
    for (;;) {
      const store = await this.queries.get(id);
      if (store.state === 'Deleting' || store.state === 'Deleted') return store;
      assertMayRequest(store, 'delete');
      const updated = await this.transition(
        store,
        LIFECYCLE.delete.requested,
        'delete',
        'store.delete_requested',
        'Deletion requested.',
      );
      if (updated) return updated;
    }
  }

  /**
   * Runs the failed operation again from the start of its retry budget, with the payload it failed
   * with (a restore's backup, a rollback's revision). Only from Failed, as the table says.
   */
  async retry(id: string): Promise<Store> {
    const store = await this.queries.get(id);
    assertMayRequest(store, 'retry');
    const operation: Operation = store.failure?.operation ?? store.operation ?? 'provision';
    const updated = await this.transition(
      store,
      LIFECYCLE[operation].requested,
      operation,
      'store.retry_requested',
      `Retry requested (${operation}).`,
      { payload: store.operation === operation ? retriedPayload(store.payload) : {}, details: { operation } },
    );
    if (!updated)
      throw conflict('STORE_CHANGED', 'The store changed while retrying; reload it and try again.');
    return updated;
  }

  /** Upgrades the release to the shipped chart with the store's values changed as asked. */
  async upgrade(id: string, values: StoreValues): Promise<Store> {
    const store = await this.queries.get(id);
    assertMayRequest(store, 'upgrade');
    const desired = { ...store.values, ...values };
    const updated = await this.transition(
      store,
      LIFECYCLE.upgrade.requested,
      'upgrade',
      'store.upgrade_requested',
      'Upgrade requested.',
      {
        patch: { values: desired },
        details: { values: desired },
      },
    );
    if (!updated)
      throw conflict('STORE_CHANGED', 'The store changed while upgrading; reload it and try again.');
    return updated;
  }

  /** Rolls the release back to one of its earlier revisions. */
  async rollback(id: string, revision: number): Promise<Store> {
    const store = await this.queries.get(id);
    assertMayRequest(store, 'rollback');
    const history = await this.queries.askCluster((signal) =>
      this.options.cluster.releases.releaseHistory(storeTarget(store), signal),
    );
    if (!history.some((entry) => entry.revision === revision)) {
      throw new AppError(
        'REVISION_NOT_FOUND',
        `Revision ${revision} is not in this store's release history (revisions: ${history.map((h) => h.revision).join(', ') || 'none'}).`,
        'validation',
      );
    }
    if (revision === store.revision) {
      throw conflict('ALREADY_AT_REVISION', `The store already runs revision ${revision}.`);
    }
    const updated = await this.transition(
      store,
      LIFECYCLE.rollback.requested,
      'rollback',
      'store.rollback_requested',
      `Rollback to revision ${revision} requested.`,
      { payload: { revision }, details: { revision } },
    );
    if (!updated)
      throw conflict('STORE_CHANGED', 'The store changed while rolling back; reload it and try again.');
    return updated;
  }

  /**
   * Queues work for every store that is mid-flight but has no job (e.g. after a crash between
   * writes): the operation it records, with the payload it records.
   */
  async resumeInFlight(): Promise<number> {
    const orphans = await this.db
      .selectFrom('stores')
      .leftJoin('work_queue', 'work_queue.store_id', 'stores.id')
      .select(['stores.id', 'stores.state', 'stores.operation', 'stores.payload'])
      .where('stores.state', 'in', IN_FLIGHT_STATES)
      .where('work_queue.id', 'is', null)
      .execute();
    for (const orphan of orphans) {
      const recorded = orphan.operation as Operation | null;
      const kind = resumingOperation(orphan.state as StoreState, recorded);
      if (!kind) continue;
      const payload = kind === recorded ? orphan.payload : {};
      await enqueueJob(this.db, orphan.id, kind, { now: this.now(), payload });
    }
    return orphans.length;
  }

  private async replay(ownerId: string, key: string, hash: string): Promise<Store | undefined> {
    const storeId = await replayedStoreId(this.db, ownerId, key, hash);
    return storeId === undefined ? undefined : this.queries.get(storeId);
  }

  private transition(
    store: Store,
    to: StoreState,
    kind: JobKind,
    activityType: ActivityType,
    message: string,
    extra: { patch?: { values?: StoreValues }; payload?: JobPayload; details?: Record<string, unknown> } = {},
  ): Promise<Store | undefined> {
    return requestOperation(this.db, { store, to, kind, activityType, message, ...extra }, this.now());
  }
}

/** The constraint a PostgreSQL unique violation (SQLSTATE 23505) names, if that is what `error` is. */
function uniqueViolation(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (record.code !== '23505') return undefined;
  if (typeof record.constraint === 'string') return record.constraint;
  const match = typeof record.message === 'string' ? /constraint "([^"]+)"/.exec(record.message) : null;
  return match?.[1];
}

/** The failed operation's payload, now requested from Failed (where a refused restore returns). */
function retriedPayload(payload: Store['payload']): Store['payload'] {
  if (!('from' in payload) || !('backupId' in payload)) return payload;
  return { backupId: payload.backupId, from: 'Failed' };
}
