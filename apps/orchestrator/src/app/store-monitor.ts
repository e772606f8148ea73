// Keeps the workload conditions of Ready stores true to the cluster. Each Ready store is watched
// (informers on its namespace), so a store whose app or database goes away says so at once, and says
// when it is back. Every RESYNC_INTERVAL a slow pass reads every Ready store again and re-aligns the
// set of watches: the only polling, and a safety net for anything a watch missed.
import type { Logger } from 'pino';
import {
  type Cluster,
  ClusterError,
  storeTarget,
  type WorkloadProgress,
  type WorkloadWatch,
} from '../cluster/port.ts';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { Database } from '../db/database.ts';
import { StoresRepository } from '../db/stores-repository.ts';
import { setCondition } from '../domain/conditions.ts';
import type { Store } from '../domain/store.ts';
import type { EventHub } from './event-hub.ts';

export interface StoreMonitorOptions {
  database: Database;
  cluster: Pick<Cluster, 'info' | 'workloads'>;
  hub: EventHub;
  intervalMs: number;
  logger: Logger;
}

interface WatchEntry {
  watch?: WorkloadWatch;
}

/** Tries to apply an observation this many times when another writer changes the store meanwhile. */
const APPLY_ATTEMPTS = 3;

export class StoreMonitor {
  private readonly options: StoreMonitorOptions;
  private readonly watches = new Map<string, WatchEntry>();
  private readonly applying = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(options: StoreMonitorOptions) {
    this.options = options;
  }

  start(): void {
    if (!this.options.cluster.info().configured) return;
    this.unsubscribe = this.options.hub.subscribe((event) => {
      if (event.type === 'store') this.follow(event.store);
    });
    this.runExclusive(() => this.alignWatches());
    this.timer = setInterval(() => this.runExclusive(() => this.resync()), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.timer);
    await this.running;
    const watches = [...this.watches.values()];
    this.watches.clear();
    await Promise.allSettled(watches.map((entry) => entry.watch?.stop()));
    await Promise.allSettled([...this.applying]);
  }

  /** The ids of the stores being watched now. */
  watchedStores(): string[] {
    return [...this.watches.keys()];
  }

  /** One pass over the Ready stores: re-reads each and re-aligns the watches; returns how many changed. */
  async resync(): Promise<number> {
    let changed = 0;
    for (const store of await this.readyStores()) {
      let observed: WorkloadProgress[];
      try {
        observed = await this.options.cluster.workloads.observeWorkloads(
          storeTarget(store),
          AbortSignal.timeout(30_000),
        );
      } catch (error) {
        if (error instanceof ClusterError) continue;
        throw error;
      }
      if (await this.apply(store.id, observed)) changed++;
    }
    await this.alignWatches();
    return changed;
  }

  private runExclusive(work: () => Promise<unknown>): void {
    this.running ??= work()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'store resync failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async readyStores(): Promise<Store[]> {
    const stores = new StoresRepository(this.options.database.db);
    const found: Store[] = [];
    for (const id of await stores.idsInStates(['Ready'])) {
      const store = await stores.get(id);
      if (store?.state === 'Ready') found.push(store);
    }
    return found;
  }

  /** Watches exactly the stores that are Ready. */
  private async alignWatches(): Promise<void> {
    const ready = await this.readyStores();
    const ids = new Set(ready.map((store) => store.id));
    for (const id of this.watches.keys()) if (!ids.has(id)) this.unwatch(id);
    for (const store of ready) this.follow(store);
  }

  /** Starts or stops watching a store as it enters or leaves Ready. */
  private follow(store: Store): void {
    if (this.stopped) return;
    if (store.state !== 'Ready') {
      this.unwatch(store.id);
      return;
    }
    if (this.watches.has(store.id)) return;
    const entry: WatchEntry = {};
    this.watches.set(store.id, entry);
    try {
      entry.watch = this.options.cluster.workloads.watchWorkloads(storeTarget(store), async (observed) => {
        if (this.watches.get(store.id) !== entry) return;
        const applying = this.apply(store.id, observed).catch((error: unknown) =>
          this.options.logger.warn({ err: error, storeId: store.id }, 'store health update failed'),
        );
        this.applying.add(applying);
        await applying.finally(() => this.applying.delete(applying));
      });
    } catch (error) {
      this.watches.delete(store.id);
      this.options.logger.warn({ err: error, storeId: store.id }, 'could not watch the store');
    }
  }

  private unwatch(id: string): void {
    const watch = this.watches.get(id)?.watch;
    this.watches.delete(id);
    watch
      ?.stop()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error, storeId: id }, 'stopping a watch failed'),
      );
  }

  /**
   * Writes the observed conditions of a Ready store when they differ from the recorded ones, and an
   * activity entry when a status changed. Guarded so that a concurrent writer (another replica, the
   * reconciler) is never overwritten; returns whether this call changed the store.
   */
  private async apply(id: string, observed: readonly WorkloadProgress[]): Promise<boolean> {
    const stores = new StoresRepository(this.options.database.db);
    for (let attempt = 0; attempt < APPLY_ATTEMPTS; attempt++) {
      const store = await stores.get(id);
      if (store?.state !== 'Ready') return false;
      const now = new Date();
      let conditions = store.conditions;
      const transitions: string[] = [];
      for (const progress of observed) {
        const current = conditions.find((c) => c.type === progress.type);
        if (current?.status === progress.status && current.reason === progress.reason) continue;
        conditions = setCondition(conditions, progress, now);
        if (current?.status !== progress.status) {
          transitions.push(`${progress.type} is ${progress.status}: ${progress.message}`);
        }
      }
      if (conditions === store.conditions) return false;
      const updated = await stores.update(
        id,
        { conditions },
        { states: ['Ready'], unchangedSince: store.updatedAt },
        now,
      );
      if (!updated) continue;
      if (transitions.length > 0) {
        await new ActivityRepository(this.options.database.db).append(
          { storeId: id, type: 'store.health_changed', message: transitions.join(' ') },
          now,
        );
      }
      return true;
    }
    return false;
  }
}
