// The workloads of store namespaces seen through informers: per namespace while a store is made,
// and one label-selected watch per kind for every Ready store. A state is handed on only once every
// informer has listed (a half-listed cache would say "not created yet" of what exists), and then after
// every change. What the state is lives in workload-state.ts.
import {
  type KubeConfig,
  type KubernetesObject,
  makeInformer,
  type V1Deployment,
  type V1Job,
  type V1Pod,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type WorkloadObjects, type WorkloadState, workloadState } from './workload-state.ts';

type ListFn<T> = () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;

export interface WorkloadLists {
  statefulSets: ListFn<V1StatefulSet>;
  deployments: ListFn<V1Deployment>;
  jobs: ListFn<V1Job>;
  pods: ListFn<V1Pod>;
}

const RESTART_DELAY_MS = { first: 500, max: 30_000 };

/**
 * Informers on the workloads of one namespace. After the first lists and after every change,
 * `onState` gets the namespace's workload state; calls never overlap. An informer that errors is
 * restarted with backoff until `stop`.
 */
export class WorkloadInformers {
  private readonly informers: Record<keyof WorkloadLists, ReturnType<typeof makeInformer<KubernetesObject>>>;
  private readonly namespace: string;
  private readonly logger: Logger;
  private readonly appComponents: readonly string[];
  private stopped = false;
  /** False until every informer has listed: until then an event sees only part of the namespace. */
  private synced = false;
  private evaluating = Promise.resolve();

  constructor(
    kubeConfig: KubeConfig,
    namespace: string,
    appComponents: readonly string[],
    logger: Logger,
    lists: WorkloadLists,
  ) {
    this.namespace = namespace;
    this.appComponents = appComponents;
    this.logger = logger;
    const ns = namespace;
    this.informers = {
      statefulSets: makeInformer(
        kubeConfig,
        `/apis/apps/v1/namespaces/${ns}/statefulsets`,
        lists.statefulSets,
      ),
      deployments: makeInformer(kubeConfig, `/apis/apps/v1/namespaces/${ns}/deployments`, lists.deployments),
      jobs: makeInformer(kubeConfig, `/apis/batch/v1/namespaces/${ns}/jobs`, lists.jobs),
      pods: makeInformer(kubeConfig, `/api/v1/namespaces/${ns}/pods`, lists.pods),
    };
  }

  /** Resolves once every informer has made its first attempt to list. */
  async start(
    onState: (state: WorkloadState) => Promise<void>,
    onError: (error: unknown) => void,
  ): Promise<void> {
    const evaluate = () => {
      if (!this.synced) return;
      this.evaluating = this.evaluating.then(async () => {
        if (this.stopped) return;
        try {
          await onState(workloadState(this.objects(), this.appComponents));
        } catch (error) {
          onError(error);
        }
      });
    };
    for (const [name, informer] of Object.entries(this.informers)) {
      informer.on('add', evaluate);
      informer.on('update', evaluate);
      informer.on('delete', evaluate);
      restartOnError(
        informer,
        () => this.stopped,
        evaluate,
        (error, delayMs) =>
          this.logger.warn(
            { err: error, namespace: this.namespace, informer: name, delayMs },
            'informer failed; restarting',
          ),
      );
    }
    await Promise.all(Object.values(this.informers).map((informer) => informer.start()));
    this.synced = true;
    evaluate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(Object.values(this.informers).map((informer) => informer.stop()));
    await this.evaluating;
  }

  private objects(): WorkloadObjects {
    return {
      statefulSets: this.informers.statefulSets.list() as V1StatefulSet[],
      deployments: this.informers.deployments.list() as V1Deployment[],
      jobs: this.informers.jobs.list() as V1Job[],
      pods: this.informers.pods.list() as V1Pod[],
    };
  }
}

type AnyInformer = ReturnType<typeof makeInformer<KubernetesObject>>;

/** Restarts an informer that errors, with backoff (reset once it connects again), until stopped. */
function restartOnError(
  informer: AnyInformer,
  stopped: () => boolean,
  onRestarted: () => void,
  warn: (error: unknown, delayMs: number) => void,
): void {
  let delayMs = RESTART_DELAY_MS.first;
  informer.on('error', (error: unknown) => {
    if (stopped()) return;
    warn(error, delayMs);
    setTimeout(() => {
      if (!stopped()) informer.start().then(onRestarted, () => {});
    }, delayMs).unref();
    delayMs = Math.min(delayMs * 2, RESTART_DELAY_MS.max);
  });
  informer.on('connect', () => {
    delayMs = RESTART_DELAY_MS.first;
  });
}

/**
 * One label-selected watch per workload kind across every namespace, shared by all Ready stores
 * (instead of four watches per store): a subscriber gets its namespace's state after the first lists
 * and after every change there. The informers run while anyone subscribes.
 */
export class FleetWorkloadWatch {
  private readonly create: () => Record<keyof WorkloadLists, AnyInformer>;
  private readonly logger: Logger;
  private informers: Record<keyof WorkloadLists, AnyInformer> | undefined;
  private started: Promise<void> | undefined;
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  constructor(kubeConfig: KubeConfig, logger: Logger, lists: WorkloadLists, labelSelector: string) {
    this.logger = logger;
    this.create = () => ({
      statefulSets: makeInformer(kubeConfig, '/apis/apps/v1/statefulsets', lists.statefulSets, labelSelector),
      deployments: makeInformer(kubeConfig, '/apis/apps/v1/deployments', lists.deployments, labelSelector),
      jobs: makeInformer(kubeConfig, '/apis/batch/v1/jobs', lists.jobs, labelSelector),
      pods: makeInformer(kubeConfig, '/api/v1/pods', lists.pods, labelSelector),
    });
  }

  /** Watches one namespace; the returned function ends it. */
  subscribe(
    namespace: string,
    appComponents: readonly string[],
    onState: (state: WorkloadState) => Promise<void>,
    onError: (error: unknown) => void,
  ): () => Promise<void> {
    const subscriber: Subscriber = {
      appComponents,
      onState,
      onError,
      evaluating: Promise.resolve(),
      stopped: false,
    };
    const set = this.subscribers.get(namespace) ?? new Set<Subscriber>();
    set.add(subscriber);
    this.subscribers.set(namespace, set);
    const started = this.ensureStarted().then(
      () => this.evaluate(namespace, subscriber),
      (error: unknown) => onError(error),
    );
    return async () => {
      subscriber.stopped = true;
      set.delete(subscriber);
      if (set.size === 0) this.subscribers.delete(namespace);
      await started;
      await subscriber.evaluating;
      if (this.subscribers.size === 0) await this.stopInformers();
    };
  }

  /** Namespaces subscribed to now. */
  namespaces(): string[] {
    return [...this.subscribers.keys()];
  }

  private ensureStarted(): Promise<void> {
    if (this.started) return this.started;
    const informers = this.create();
    this.informers = informers;
    const stopped = () => this.informers !== informers;
    // Until every informer has listed, an event sees only part of a namespace: subscribers wait.
    let synced = false;
    const changed = (object: KubernetesObject) => {
      const namespace = object.metadata?.namespace;
      if (!namespace || stopped() || !synced) return;
      for (const subscriber of this.subscribers.get(namespace) ?? []) this.evaluate(namespace, subscriber);
    };
    const everyone = () => {
      for (const [namespace, set] of this.subscribers) for (const s of set) this.evaluate(namespace, s);
    };
    for (const [name, informer] of Object.entries(informers)) {
      informer.on('add', changed);
      informer.on('update', changed);
      informer.on('delete', changed);
      restartOnError(informer, stopped, everyone, (error, delayMs) =>
        this.logger.warn({ err: error, informer: name, delayMs }, 'fleet informer failed; restarting'),
      );
    }
    this.started = Promise.all(Object.values(informers).map((informer) => informer.start())).then(() => {
      synced = true;
    });
    return this.started;
  }

  private evaluate(namespace: string, subscriber: Subscriber): void {
    subscriber.evaluating = subscriber.evaluating.then(async () => {
      const informers = this.informers;
      if (subscriber.stopped || !informers) return;
      try {
        await subscriber.onState(
          workloadState(
            {
              statefulSets: informers.statefulSets.list(namespace) as V1StatefulSet[],
              deployments: informers.deployments.list(namespace) as V1Deployment[],
              jobs: informers.jobs.list(namespace) as V1Job[],
              pods: informers.pods.list(namespace) as V1Pod[],
            },
            subscriber.appComponents,
          ),
        );
      } catch (error) {
        subscriber.onError(error);
      }
    });
  }

  private async stopInformers(): Promise<void> {
    const informers = this.informers;
    this.informers = undefined;
    this.started = undefined;
    if (informers) await Promise.allSettled(Object.values(informers).map((informer) => informer.stop()));
  }
}

interface Subscriber {
  appComponents: readonly string[];
  onState: (state: WorkloadState) => Promise<void>;
  onError: (error: unknown) => void;
  evaluating: Promise<void>;
  stopped: boolean;
}
