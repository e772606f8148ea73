// The slow periodic resync: every RESYNC_INTERVAL, the workload conditions of every Ready store are
// read again, so that a store whose app or database went away says so (and says when it is back).
// Provisioning itself is driven by watches; this is the only polling, and it is a safety net.
import type { Logger } from 'pino';
import { type Cluster, ClusterError, storeTarget } from '../cluster/port.ts';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { Database } from '../db/database.ts';
import { StoresRepository } from '../db/stores-repository.ts';
import { setCondition } from '../domain/conditions.ts';
import type { Store } from '../domain/store.ts';

export interface StoreMonitorOptions {
  database: Database;
  cluster: Cluster;
  intervalMs: number;
  logger: Logger;
}

export class StoreMonitor {
  private readonly options: StoreMonitorOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(options: StoreMonitorOptions) {
    this.options = options;
  }

  start(): void {
    if (!this.options.cluster.info().configured) return;
    this.timer = setInterval(() => {
      this.running ??= this.resync()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'store resync failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over the Ready stores; returns how many changed. */
  async resync(): Promise<number> {
    const stores = new StoresRepository(this.options.database.db);
    let changed = 0;
    for (const id of await stores.idsInStates(['Ready'])) {
      const store = await stores.get(id);
      if (store && (await this.refresh(store))) changed++;
    }
    return changed;
  }

  private async refresh(store: Store): Promise<boolean> {
    let observed: Awaited<ReturnType<Cluster['observeWorkloads']>>;
    try {
      observed = await this.options.cluster.observeWorkloads(storeTarget(store), AbortSignal.timeout(30_000));
    } catch (error) {
      if (error instanceof ClusterError) return false;
      throw error;
    }
    const now = new Date();
    let conditions = store.conditions;
    const transitions: string[] = [];
    for (const progress of observed) {
      const current = conditions.find((c) => c.type === progress.type);
      if (current?.status === progress.status) continue;
      conditions = setCondition(conditions, progress, now);
      transitions.push(`${progress.type} is ${progress.status}: ${progress.message}`);
    }
    if (transitions.length === 0) return false;
    const updated = await new StoresRepository(this.options.database.db).update(
      store.id,
      { conditions },
      { states: ['Ready'] },
      now,
    );
    if (!updated) return false;
    await new ActivityRepository(this.options.database.db).append(
      { storeId: store.id, type: 'store.health_changed', message: transitions.join(' ') },
      now,
    );
    return true;
  }
}
