// Idle sleep: a Ready store whose storefront the ingress has not served for IDLE_SLEEP_AFTER is put
// to sleep, as its owner would with the sleep button. Traffic is read from the ingress's counters
// every check; a counter that moved (or a store not seen before) counts as traffic now.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import { StoresRepository } from '../db/stores-repository.ts';
import { AppError } from '../errors.ts';
import { requestsByNamespace, type TrafficSource } from '../ingress/traffic.ts';
import type { StoreOperations } from './store-operations.ts';

export interface IdleSleeperOptions {
  db: Kysely<Schema>;
  operations: StoreOperations;
  traffic: TrafficSource;
  idleAfterMs: number;
  /** How often traffic is read; default a quarter of idleAfterMs, at most a minute. */
  intervalMs?: number;
  logger: Logger;
  now?: () => Date;
}

export class IdleSleeper {
  private readonly options: IdleSleeperOptions;
  private readonly stores: StoresRepository;
  private readonly now: () => Date;
  /** The last reading of each store's requests, by store id. */
  private readonly lastCounts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(options: IdleSleeperOptions) {
    this.options = options;
    this.stores = new StoresRepository(options.db);
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    const interval =
      this.options.intervalMs ?? Math.min(60_000, Math.max(1_000, this.options.idleAfterMs / 4));
    this.timer = setInterval(() => {
      this.running ??= this.check()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'idle sleep check failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One check: records traffic, and puts the stores idle for too long to sleep. Returns their ids. */
  async check(): Promise<string[]> {
    const counts = await this.options.traffic.requestCounts(AbortSignal.timeout(10_000));
    const now = this.now();
    const live = await this.options.db
      .selectFrom('stores')
      .select(['id', 'namespace', 'state', 'ready_at', 'updated_at', 'last_traffic_at'])
      .where('state', '!=', 'Deleted')
      .execute();
    const requestsOf = requestsByNamespace(
      counts,
      live.map((row) => row.namespace),
    );
    const visited: string[] = [];
    const idle: string[] = [];
    for (const row of live) {
      if (row.state !== 'Ready') continue;
      const requests = requestsOf.get(row.namespace) ?? 0;
      const previous = this.lastCounts.get(row.id);
      this.lastCounts.set(row.id, requests);
      if (previous === undefined || requests !== previous) {
        visited.push(row.id);
        continue;
      }
      const since = new Date(row.last_traffic_at ?? row.ready_at ?? row.updated_at);
      if (now.getTime() - since.getTime() >= this.options.idleAfterMs) idle.push(row.id);
    }
    if (visited.length > 0) {
      await this.options.db
        .updateTable('stores')
        .set({ last_traffic_at: now })
        .where('id', 'in', visited)
        .execute();
    }
    const slept: string[] = [];
    for (const id of idle) {
      const store = await this.stores.get(id);
      if (store?.state !== 'Ready') continue;
      try {
        await this.options.operations.sleep(store, 'idle');
        slept.push(id);
        this.options.logger.info({ storeId: id, slug: store.slug }, 'idle store put to sleep');
      } catch (error) {
        // Busy or changed meanwhile: the next check looks again.
        if (!(error instanceof AppError)) throw error;
      }
    }
    return slept;
  }
}
