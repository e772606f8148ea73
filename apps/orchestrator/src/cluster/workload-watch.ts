// The workloads of one store namespace, seen through informers: the database StatefulSet, the app
// Deployment, the setup Job and their pods, summed up as the three workload conditions.
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
import { ClusterError, type WorkloadProgress } from './port.ts';

export const COMPONENT_LABEL = 'app.kubernetes.io/component';

type ListFn<T> = () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;

export interface WorkloadLists {
  statefulSets: ListFn<V1StatefulSet>;
  deployments: ListFn<V1Deployment>;
  jobs: ListFn<V1Job>;
  pods: ListFn<V1Pod>;
}

export interface WorkloadObjects {
  statefulSets: readonly V1StatefulSet[];
  deployments: readonly V1Deployment[];
  jobs: readonly V1Job[];
  pods: readonly V1Pod[];
}

export interface WorkloadState {
  progress: WorkloadProgress[];
  failure?: ClusterError;
}

const MAX_DETAIL_LENGTH = 300;
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
  private stopped = false;
  private evaluating = Promise.resolve();

  constructor(kubeConfig: KubeConfig, namespace: string, logger: Logger, lists: WorkloadLists) {
    this.namespace = namespace;
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
      this.evaluating = this.evaluating.then(async () => {
        if (this.stopped) return;
        try {
          await onState(workloadState(this.objects()));
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
    onState: (state: WorkloadState) => Promise<void>,
    onError: (error: unknown) => void,
  ): () => Promise<void> {
    const subscriber: Subscriber = { onState, onError, evaluating: Promise.resolve(), stopped: false };
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
    const changed = (object: KubernetesObject) => {
      const namespace = object.metadata?.namespace;
      if (!namespace || stopped()) return;
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
    this.started = Promise.all(Object.values(informers).map((informer) => informer.start())).then(() => {});
    return this.started;
  }

  private evaluate(namespace: string, subscriber: Subscriber): void {
    subscriber.evaluating = subscriber.evaluating.then(async () => {
      const informers = this.informers;
      if (subscriber.stopped || !informers) return;
      try {
        await subscriber.onState(
          workloadState({
            statefulSets: informers.statefulSets.list(namespace) as V1StatefulSet[],
            deployments: informers.deployments.list(namespace) as V1Deployment[],
            jobs: informers.jobs.list(namespace) as V1Job[],
            pods: informers.pods.list(namespace) as V1Pod[],
          }),
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
  onState: (state: WorkloadState) => Promise<void>;
  onError: (error: unknown) => void;
  evaluating: Promise<void>;
  stopped: boolean;
}

function componentOf(object: KubernetesObject): string | undefined {
  return object.metadata?.labels?.[COMPONENT_LABEL];
}

/** Why a component's pods are not running, in words, when a pod says so. */
export function podProblem(
  pods: readonly V1Pod[],
  component: string,
): { reason: string; message: string } | undefined {
  for (const pod of pods) {
    if (componentOf(pod) !== component || pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? 'unnamed';
    const containers = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ];
    for (const container of containers) {
      const oomKilled = [container.state?.terminated, container.lastState?.terminated].some(
        (terminated) => terminated?.reason === 'OOMKilled',
      );
      if (oomKilled) {
        const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
          (c) => c.name === container.name,
        );
        const limit = spec?.resources?.limits?.memory;
        return {
          reason: 'OOMKilled',
          message: clip(
            `Pod ${name}, container ${container.name} was killed for exceeding its memory limit` +
              (limit ? ` of ${limit}` : '') +
              '; raise the limit or lower what it uses',
          ),
        };
      }
      const waiting = container.state?.waiting;
      if (
        !waiting?.reason ||
        waiting.reason === 'ContainerCreating' ||
        waiting.reason === 'PodInitializing'
      ) {
        continue;
      }
      const detail = waiting.message ? `: ${waiting.message}` : '';
      return {
        reason: waiting.reason,
        message: clip(`Pod ${name}, container ${container.name}: ${waiting.reason}${detail}`),
      };
    }
    const unscheduled = pod.status?.conditions?.find(
      (c) => c.type === 'PodScheduled' && c.status === 'False',
    );
    if (unscheduled) {
      return {
        reason: unscheduled.reason ?? 'Unschedulable',
        message: clip(
          `Pod ${name} cannot be scheduled: ${unscheduled.message ?? unscheduled.reason ?? 'no reason given'}`,
        ),
      };
    }
  }
  return undefined;
}

/**
 * What a failed setup container said last: the chart's setup containers keep the end of their log as
 * their termination message (`FallbackToLogsOnError`).
 */
function setupOutput(pods: readonly V1Pod[]): string | undefined {
  for (const pod of pods) {
    if (componentOf(pod) !== 'setup') continue;
    for (const status of pod.status?.containerStatuses ?? []) {
      const terminated = status.state?.terminated ?? status.lastState?.terminated;
      if (terminated && terminated.exitCode !== 0 && terminated.message?.trim())
        return terminated.message.trim().split('\n').slice(-3).join(' / ');
    }
  }
  return undefined;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length > MAX_DETAIL_LENGTH) return `${oneLine.slice(0, MAX_DETAIL_LENGTH - 1)}….`;
  return /[.!?]$/.test(oneLine) ? oneLine : `${oneLine}.`;
}

function notReady(
  type: 'DatabaseReady' | 'AppReady',
  summary: string,
  pods: readonly V1Pod[],
  component: string,
): WorkloadProgress {
  const problem = podProblem(pods, component);
  return problem
    ? { type, status: 'False', reason: problem.reason, message: `${summary} ${problem.message}` }
    : { type, status: 'False', reason: 'Starting', message: summary };
}

/** The Deployments that serve a store: the engine's app, and where it has them its storefront and worker. */
const APP_COMPONENTS = new Set(['app', 'storefront', 'worker']);

/** The three workload conditions of a store namespace, from its StatefulSets, Deployments, Jobs and pods. */
export function workloadState(objects: WorkloadObjects): WorkloadState {
  const { statefulSets, deployments, jobs, pods } = objects;
  const progress: WorkloadProgress[] = [];
  const databases = statefulSets.filter((s) => componentOf(s) === 'database');
  const notReadyDb = databases.find((s) => (s.status?.readyReplicas ?? 0) < (s.spec?.replicas ?? 1));
  progress.push(
    databases.length === 0
      ? {
          type: 'DatabaseReady',
          status: 'Unknown',
          reason: 'NotCreated',
          message: 'The database has not been created yet.',
        }
      : notReadyDb
        ? notReady(
            'DatabaseReady',
            `Database ${notReadyDb.metadata?.name}: ${notReadyDb.status?.readyReplicas ?? 0}/${notReadyDb.spec?.replicas ?? 1} ready.`,
            pods,
            'database',
          )
        : {
            type: 'DatabaseReady',
            status: 'True',
            reason: 'DatabaseReady',
            message: 'The database is ready.',
          },
  );

  const apps = deployments.filter((d) => APP_COMPONENTS.has(componentOf(d) ?? ''));
  const notReadyApp = apps.find(
    (d) =>
      (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1) ||
      (d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0),
  );
  progress.push(
    apps.length === 0
      ? {
          type: 'AppReady',
          status: 'Unknown',
          reason: 'NotCreated',
          message: 'The store app has not been created yet.',
        }
      : notReadyApp
        ? notReady(
            'AppReady',
            `App ${notReadyApp.metadata?.name}: ${notReadyApp.status?.readyReplicas ?? 0}/${notReadyApp.spec?.replicas ?? 1} ready.`,
            pods,
            componentOf(notReadyApp) ?? 'app',
          )
        : { type: 'AppReady', status: 'True', reason: 'AppReady', message: 'The store app is ready.' },
  );

  const setups = jobs.filter((j) => componentOf(j) === 'setup');
  const failed = setups.find((j) =>
    j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'),
  );
  const pending = setups.find(
    (j) => !j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
  );
  if (failed) {
    const condition = failed.status?.conditions?.find((c) => c.type === 'Failed');
    const said = setupOutput(pods);
    const message = clip(
      `Setup job ${failed.metadata?.name} failed: ${condition?.message ?? condition?.reason ?? 'no reason given'}` +
        (said ? `; its last words: ${said}` : ''),
    );
    progress.push({ type: 'StoreConfigured', status: 'False', reason: 'SetupJobFailed', message });
    return {
      progress,
      failure: new ClusterError('SetupJobFailed', message, { retryable: true, condition: 'StoreConfigured' }),
    };
  }
  progress.push(
    setups.length === 0
      ? {
          type: 'StoreConfigured',
          status: 'Unknown',
          reason: 'NotCreated',
          message: 'The setup job has not been created yet.',
        }
      : pending
        ? {
            type: 'StoreConfigured',
            status: 'False',
            reason: 'SetupRunning',
            message: `Setup job ${pending.metadata?.name} is running.`,
          }
        : {
            type: 'StoreConfigured',
            status: 'True',
            reason: 'SetupJobCompleted',
            message: 'The setup job completed.',
          },
  );
  return { progress };
}
