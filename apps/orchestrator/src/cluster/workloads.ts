// The store's workloads: waiting for readiness with per-namespace informers, following Ready stores
// through the fleet-wide watch, and reading their conditions once (uses workload-watch.ts).
import type { Logger } from 'pino';
import { engineModule } from '../engines/registry.ts';
import { watchAdmissionRejections } from './admission-rejections.ts';
import { type KubeApi, withSignal } from './kube-api.ts';
import {
  ClusterError,
  type ClusterWorkloads,
  type StoreTarget,
  type WorkloadCondition,
  type WorkloadProgress,
  type WorkloadWatch,
} from './port.ts';
import { STORE_WORKLOAD_SELECTOR } from './store-labels.ts';
import { lastWords, type WorkloadState, workloadState } from './workload-state.ts';
import { FleetWorkloadWatch, WorkloadInformers } from './workload-watch.ts';

export class KubernetesWorkloads implements ClusterWorkloads {
  private readonly kube: KubeApi;
  private readonly logger: Logger;
  /** Ready stores' workloads: one label-selected watch per kind across namespaces. */
  private readonly fleetWatch: FleetWorkloadWatch;

  constructor(kube: KubeApi, logger: Logger) {
    this.kube = kube;
    this.logger = logger;
    this.fleetWatch = this.makeFleetWatch();
  }

  async waitUntilReady(
    target: StoreTarget,
    signal: AbortSignal,
    onProgress: (progress: WorkloadProgress) => Promise<void>,
    since: Date,
  ): Promise<void> {
    signal.throwIfAborted();
    const informers = this.workloadInformers(target, signal);
    const reported = new Map<WorkloadCondition, string>();
    // Pods the API refuses (quota, limits) never exist: only a Warning event says so.
    let refusal: ClusterError | undefined;
    let refuse = (error: ClusterError) => {
      refusal ??= error;
    };
    let stopWatchingRejections = () => {};
    try {
      stopWatchingRejections = await watchAdmissionRejections(this.kube, target.namespace, since, (error) =>
        refuse(error),
      );
      await new Promise<void>((resolve, reject) => {
        if (refusal) return reject(refusal);
        refuse = reject;
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        informers
          .start(async (state) => {
            for (const progress of state.progress) {
              const key = `${progress.status}/${progress.reason}/${progress.message}`;
              if (reported.get(progress.type) === key) continue;
              reported.set(progress.type, key);
              await onProgress(progress);
            }
            if (state.failure) reject(await this.withLastWords(target, state));
            else if (state.progress.every((p) => p.status === 'True')) resolve();
          }, reject)
          .catch((error: unknown) =>
            reject(this.kube.failure(error, `watch the workloads of ${target.namespace}`, signal)),
          );
      });
    } finally {
      stopWatchingRejections();
      await informers.stop();
    }
  }

  /**
   * A failure whose last words are better read from the container's log than from its termination
   * message (none kept, or its tail cut inside a long line): the failure with them.
   */
  private async withLastWords(target: StoreTarget, state: WorkloadState): Promise<ClusterError | undefined> {
    const { failure, logWords } = state;
    if (!failure || !logWords) return failure;
    try {
      const log = await this.kube.core.readNamespacedPodLog({
        name: logWords.pod,
        namespace: target.namespace,
        container: logWords.container,
        previous: logWords.previous,
        tailLines: 200,
        limitBytes: 256 * 1024,
      });
      const words = lastWords(typeof log === 'string' ? log : String(log));
      if (!words) return failure;
      return new ClusterError(failure.code, logWords.messageWith(words.slice(0, 200)), {
        retryable: failure.retryable,
        ...(failure.condition ? { condition: failure.condition } : {}),
      });
    } catch (error) {
      this.logger.debug(
        { err: error, storeId: target.storeId },
        'could not read the log of a failed container',
      );
      return failure;
    }
  }

  watchWorkloads(
    target: StoreTarget,
    onChange: (progress: WorkloadProgress[]) => Promise<void>,
  ): WorkloadWatch {
    const stop = this.fleetWatch.subscribe(
      target.namespace,
      engineModule(target.engine).appComponents,
      (state) => onChange(state.progress),
      (error: unknown) =>
        this.logger.warn({ err: error, storeId: target.storeId }, 'store health update failed'),
    );
    return { stop };
  }

  async observeWorkloads(target: StoreTarget, signal: AbortSignal): Promise<WorkloadProgress[]> {
    const namespace = target.namespace;
    const { apps, batch, core } = this.kube;
    const options = withSignal(signal);
    try {
      const [statefulSets, deployments, jobs, pods] = await Promise.all([
        apps.listNamespacedStatefulSet({ namespace }, options),
        apps.listNamespacedDeployment({ namespace }, options),
        batch.listNamespacedJob({ namespace }, options),
        core.listNamespacedPod({ namespace }, options),
      ]);
      return workloadState(
        {
          statefulSets: statefulSets.items,
          deployments: deployments.items,
          jobs: jobs.items,
          pods: pods.items,
        },
        engineModule(target.engine).appComponents,
      ).progress;
    } catch (error) {
      throw this.kube.failure(error, `read the workloads of ${namespace}`, signal);
    }
  }

  private makeFleetWatch(): FleetWorkloadWatch {
    const labelSelector = STORE_WORKLOAD_SELECTOR;
    const { apps, batch, core } = this.kube;
    return new FleetWorkloadWatch(
      this.kube.kubeConfig,
      this.logger,
      {
        statefulSets: () => apps.listStatefulSetForAllNamespaces({ labelSelector }),
        deployments: () => apps.listDeploymentForAllNamespaces({ labelSelector }),
        jobs: () => batch.listJobForAllNamespaces({ labelSelector }),
        pods: () => core.listPodForAllNamespaces({ labelSelector }),
      },
      labelSelector,
    );
  }

  /** The informers' lists carry `signal`; their watches end when the informers stop. */
  private workloadInformers(target: StoreTarget, signal: AbortSignal): WorkloadInformers {
    const { apps, batch, core } = this.kube;
    const { namespace } = target;
    const options = withSignal(signal);
    const appComponents = engineModule(target.engine).appComponents;
    return new WorkloadInformers(this.kube.kubeConfig, namespace, appComponents, this.logger, {
      statefulSets: () => apps.listNamespacedStatefulSet({ namespace }, options),
      deployments: () => apps.listNamespacedDeployment({ namespace }, options),
      jobs: () => batch.listNamespacedJob({ namespace }, options),
      pods: () => core.listNamespacedPod({ namespace }, options),
    });
  }
}
