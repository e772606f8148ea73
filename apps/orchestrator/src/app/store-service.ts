// Everything people can do with stores, in one object for the routes and the fleet upgrader: the
// commands (store-commands.ts), the queries (store-queries.ts) and, behind the commands, the
// idempotency keys (idempotency.ts), and the operations on a store's data and sleep
// (store-operations.ts).
import type { Kysely } from 'kysely';
import type { BackupStorage } from '../backups/storage.ts';
import type { Cluster } from '../cluster/port.ts';
import type { Schema } from '../db/schema.ts';
import { StoreCommands } from './store-commands.ts';
import { StoreOperations } from './store-operations.ts';
import { StoreQueries } from './store-queries.ts';

export type { RequestContext } from './store-commands.ts';
export { clusterFailure } from './store-queries.ts';

export interface StoreServiceOptions {
  db: Kysely<Schema>;
  cluster: Cluster;
  maxStores: number;
  maxStoresPerUser: number;
  resourcePrefix: string;
  backupStorage: BackupStorage;
  backupQuotaBytes: number;
  /** PLATFORM_INTERNAL_URL; unset: no backup schedules. */
  internalUrl?: string | undefined;
  now?: () => Date;
}

export class StoreService {
  readonly queries: StoreQueries;
  readonly commands: StoreCommands;
  /** Backups, restore, sleep and wake. */
  readonly operations: StoreOperations;

  constructor(options: StoreServiceOptions) {
    this.queries = new StoreQueries(options);
    this.commands = new StoreCommands({ ...options, queries: this.queries });
    this.operations = new StoreOperations({
      db: options.db,
      cluster: options.cluster,
      queries: this.queries,
      storage: options.backupStorage,
      backupQuotaBytes: options.backupQuotaBytes,
      internalUrl: options.internalUrl,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  readonly create: StoreCommands['create'] = (input, context) => this.commands.create(input, context);
  readonly delete: StoreCommands['delete'] = (id) => this.commands.delete(id);
  readonly retry: StoreCommands['retry'] = (id) => this.commands.retry(id);
  readonly upgrade: StoreCommands['upgrade'] = (id, values) => this.commands.upgrade(id, values);
  readonly rollback: StoreCommands['rollback'] = (id, revision) => this.commands.rollback(id, revision);
  readonly resumeInFlight: StoreCommands['resumeInFlight'] = () => this.commands.resumeInFlight();

  readonly list: StoreQueries['list'] = (query) => this.queries.list(query);
  readonly get: StoreQueries['get'] = (id) => this.queries.get(id);
  readonly getFor: StoreQueries['getFor'] = (id, actor) => this.queries.getFor(id, actor);
  readonly liveStoreCount: StoreQueries['liveStoreCount'] = (actor) => this.queries.liveStoreCount(actor);
  readonly history: StoreQueries['history'] = (id) => this.queries.history(id);
  readonly resources: StoreQueries['resources'] = (id) => this.queries.resources(id);
  readonly credentials: StoreQueries['credentials'] = (id) => this.queries.credentials(id);
}
