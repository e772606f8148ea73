// The insights sampler: once per interval (never per request) it reads the ingress's counters, the
// nodes' resource usage and each store's orders, writes one point per running store, and applies
// downsampling and retention. Points sit on the interval's grid, so replicas sampling at once write
// one point per store (the second write is ignored).
import type { Engine } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AdminCredentials, Cluster, StoreTarget } from '../cluster/port.ts';
import { InsightsRepository, type StoreSample } from '../db/insights-repository.ts';
import type { Schema } from '../db/schema.ts';
import { type ServiceTraffic, trafficByNamespace, trafficDelta } from '../ingress/service-metrics.ts';
import type { OrdersFigure, OrdersReaders } from './orders.ts';
import { type CpuMark, type NamespaceUsage, namespaceUsage } from './usage.ts';

/** States in which a store's namespace and workloads exist (asleep ones included: they use nothing). */
export const SAMPLED_STATES = [
  'Ready',
  'Upgrading',
  'RollingBack',
  'BackingUp',
  'Restoring',
  'Sleeping',
  'Asleep',
  'Waking',
] as const;

/** Stores whose orders are read at once, and how long one read may take. */
const ORDERS_CONCURRENCY = 4;
const ORDERS_TIMEOUT_MS = 10_000;
/** How long a store's admin login is kept before its Secret is read again. */
const LOGIN_CACHE_MS = 5 * 60_000;

/** What the sampler needs of a store: where it runs, and its state. */
interface SampledStore extends StoreTarget {
  id: string;
  state: string;
}

export interface IngressTraffic {
  serviceTraffic(signal: AbortSignal): Promise<Map<string, ServiceTraffic>>;
}

export interface InsightsSamplerOptions {
  db: Kysely<Schema>;
  cluster: Pick<Cluster, 'engines' | 'inspection' | 'usage'>;
  /** The ingress's counters; without them traffic is not reported. */
  traffic?: IngressTraffic;
  orders: OrdersReaders;
  intervalMs: number;
  logger: Logger;
  now?: () => Date;
}

export class InsightsSampler {
  private readonly options: InsightsSamplerOptions;
  private readonly samples: InsightsRepository;
  private readonly now: () => Date;
  private lastTraffic = new Map<string, ServiceTraffic>();
  private lastTrafficAt: number | undefined;
  private cpuMarks = new Map<string, CpuMark>();
  /** Where each store's next orders window starts. */
  private readonly ordersFrom = new Map<string, Date>();
  private readonly logins = new Map<string, { login: AdminCredentials; until: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(options: InsightsSamplerOptions) {
    this.options = options;
    this.samples = new InsightsRepository(options.db);
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** The next sample at the next point of the interval's grid. */
  private schedule(): void {
    if (this.stopped) return;
    const interval = this.options.intervalMs;
    const delay = interval - (this.now().getTime() % interval) + 50;
    this.timer = setTimeout(() => {
      this.running = this.sample()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'store insights sample failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, delay);
    this.timer.unref();
  }

  /** One sample of every running store; returns what was written. */
  async sample(): Promise<StoreSample[]> {
    const now = this.now();
    const at = new Date(Math.floor(now.getTime() / this.options.intervalMs) * this.options.intervalMs);
    const signal = AbortSignal.timeout(Math.max(10_000, this.options.intervalMs - 1_000));
    const stores = await this.sampledStores();
    const namespaces = stores.map((s) => s.namespace);
    const [traffic, usage] = await Promise.all([
      this.readTraffic(namespaces, now, signal),
      this.readUsage(signal),
    ]);
    const orders = await this.readAllOrders(stores, at, signal);
    const samples: StoreSample[] = [];
    for (const store of stores) {
      const delta = traffic.deltas?.get(store.namespace);
      const used = this.usageOf(store, usage);
      const quota = used === undefined ? undefined : await this.quota(store.namespace, signal);
      const figure = orders.get(store.id) ?? null;
      samples.push({
        storeId: store.id,
        requests: delta?.requests ?? null,
        clientErrors: delta?.clientErrors ?? null,
        serverErrors: delta?.serverErrors ?? null,
        latencyP95Ms: delta?.latencyP95Ms ?? null,
        cpuMillicores: used === undefined ? null : (used?.cpuMillicores ?? (used === null ? 0 : null)),
        cpuLimitMillicores: quota?.cpuMillicores ?? null,
        memoryBytes: used === undefined ? null : (used?.memoryBytes ?? 0),
        memoryLimitBytes: quota?.memoryBytes ?? null,
        diskBytes: usage?.disk.get(store.namespace) ?? null,
        orders: figure?.orders ?? null,
        revenue: figure === null ? null : Math.round(figure.revenue * 100) / 100,
        currency: figure?.currency ?? null,
      });
    }
    // A point with nothing reported says nothing: it is not kept.
    const reported = samples.filter((s) =>
      Object.values(s).some((value) => value !== null && value !== s.storeId),
    );
    await this.samples.record(at, traffic.seconds ?? this.options.intervalMs / 1000, reported);
    await this.samples.compact(now);
    return reported;
  }

  private async sampledStores(): Promise<SampledStore[]> {
    const rows = await this.options.db
      .selectFrom('stores')
      .select([
        'id',
        'slug',
        'name',
        'engine',
        'owner_id',
        'namespace',
        'release',
        'values',
        'state',
        'generation',
      ])
      .where('state', 'in', [...SAMPLED_STATES])
      .execute();
    return rows.map((row) => ({
      storeId: row.id,
      id: row.id,
      slug: row.slug,
      name: row.name,
      engine: row.engine as Engine,
      ownerId: row.owner_id,
      namespace: row.namespace,
      release: row.release,
      values: row.values,
      generation: row.generation,
      state: row.state,
    }));
  }

  private async readTraffic(namespaces: string[], now: Date, signal: AbortSignal) {
    const source = this.options.traffic;
    if (!source) return { deltas: undefined, seconds: undefined };
    try {
      const current = trafficByNamespace(await source.serviceTraffic(signal), namespaces);
      const first = this.lastTrafficAt === undefined;
      const seconds = first ? undefined : (now.getTime() - (this.lastTrafficAt ?? 0)) / 1000;
      const deltas = new Map(
        [...current].flatMap(([namespace, counters]) => {
          const before = this.lastTraffic.get(namespace);
          // The first reading of a store is its baseline: what it counted before is not this point's.
          return first || !before ? [] : [[namespace, trafficDelta(before, counters)] as const];
        }),
      );
      this.lastTraffic = current;
      this.lastTrafficAt = now.getTime();
      return { deltas, seconds };
    } catch (error) {
      if (signal.aborted) throw error;
      this.options.logger.warn({ err: error }, 'store insights: the ingress metrics did not answer');
      return { deltas: undefined, seconds: undefined };
    }
  }

  private async readUsage(signal: AbortSignal) {
    const usage = this.options.cluster.usage;
    if (!usage || !this.options.cluster.engines().some((e) => e.pods === 'real')) return undefined;
    try {
      const reading = await usage.readUsage(signal);
      if (reading.nodes === 0) return undefined;
      const { usage: byNamespace, marks } = namespaceUsage(reading.containers, this.cpuMarks, Date.now());
      this.cpuMarks = marks;
      return { byNamespace, disk: reading.disk };
    } catch (error) {
      if (signal.aborted) throw error;
      this.options.logger.warn({ err: error }, 'store insights: the nodes did not report resource usage');
      return undefined;
    }
  }

  /**
   * A store's usage: undefined when not reported (no reading, or its engine's pods are simulated),
   * null when nothing of it runs (asleep), else what its containers use.
   */
  private usageOf(
    store: SampledStore,
    usage: { byNamespace: Map<string, NamespaceUsage> } | undefined,
  ): NamespaceUsage | null | undefined {
    if (!usage) return undefined;
    const placement = this.options.cluster.engines().find((e) => e.engine === store.engine);
    if (placement?.pods !== 'real') return undefined;
    return usage.byNamespace.get(store.namespace) ?? null;
  }

  private async quota(namespace: string, signal: AbortSignal) {
    try {
      return await this.options.cluster.usage?.quota(namespace, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      return undefined;
    }
  }

  /** Every store's orders, a few stores at a time, each read bounded in time. */
  private async readAllOrders(stores: SampledStore[], to: Date, signal: AbortSignal) {
    const figures = new Map<string, OrdersFigure>();
    const queue = [...stores];
    const worker = async () => {
      for (let store = queue.shift(); store; store = queue.shift()) {
        try {
          const one = AbortSignal.any([signal, AbortSignal.timeout(ORDERS_TIMEOUT_MS)]);
          const figure = await this.readOrders(store, to, one);
          if (figure) figures.set(store.id, figure);
        } catch (error) {
          // One store's slow answer is its own "not reported"; the sample's deadline is everyone's.
          if (signal.aborted) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: ORDERS_CONCURRENCY }, worker));
    if (signal.aborted) throw signal.reason;
    return figures;
  }

  /** The store's orders since its last window (or since it was ready); null when not reported. */
  private async readOrders(store: SampledStore, to: Date, signal: AbortSignal): Promise<OrdersFigure | null> {
    const reader = this.options.orders[store.engine];
    const usage = this.options.cluster.usage;
    if (!reader || !usage) return null;
    // Simulated pods serve nothing: there is no admin API to ask.
    if (this.options.cluster.engines().find((e) => e.engine === store.engine)?.pods !== 'real') return null;
    // An asleep store runs nothing: it takes no orders.
    if (store.state === 'Asleep') return { orders: 0, revenue: 0, currency: null };
    if (store.state !== 'Ready') return null;
    const from = this.ordersFrom.get(store.id) ?? (await this.lastOrdersAt(store)) ?? new Date(0);
    if (from >= to) return null;
    try {
      const baseUrl = await usage.appAddress(store.namespace, reader.component, signal);
      if (!baseUrl) return null;
      const login = await this.login(store, signal);
      const figure = await reader.read({ baseUrl, login, from, to, signal });
      this.ordersFrom.set(store.id, to);
      return figure;
    } catch (error) {
      if (signal.aborted) throw error;
      this.options.logger.debug({ err: error, storeId: store.id }, 'store insights: orders not read');
      return null;
    }
  }

  /** The store's admin login, read from its Secret once in a while (it is generated once). */
  private async login(store: SampledStore, signal: AbortSignal): Promise<AdminCredentials> {
    const cached = this.logins.get(store.id);
    if (cached && cached.until > Date.now()) return cached.login;
    const login = await this.options.cluster.inspection.adminCredentials(store, signal);
    this.logins.set(store.id, { login, until: Date.now() + LOGIN_CACHE_MS });
    return login;
  }

  private async lastOrdersAt(store: SampledStore): Promise<Date | undefined> {
    const row = await this.options.db
      .selectFrom('store_samples')
      .select((eb) => eb.fn.max('at').as('at'))
      .where('store_id', '=', store.id)
      .where('orders', 'is not', null)
      .executeTakeFirst();
    return row?.at ? new Date(row.at) : undefined;
  }
}
