// The scale of a store's workloads (sleep, wake, and stopping the writers during a restore), and its
// setup run again after a restore. Scaling down remembers each workload's replicas in an annotation,
// so scaling up restores exactly what ran, and running either twice changes nothing.
import type { V1CronJob, V1Deployment, V1Job, V1StatefulSet } from '@kubernetes/client-node';
import { engineModule } from '../engines/registry.ts';
import { isStatus } from './cluster-errors.ts';
import { type KubeApi, withSignal } from './kube-api.ts';
import { ClusterError, type ClusterScaling, type ScaleScope, type StoreTarget } from './port.ts';
import { COMPONENT_LABEL } from './workload-state.ts';

/** Replicas a workload had before it was scaled down; present only while it is down. */
export const AWAKE_REPLICAS = 'storefleet.io/awake-replicas';
/** On a CronJob that scaling down suspended (and scaling up resumes). */
const SUSPENDED_BY_SCALE = 'storefleet.io/suspended-by-scale';
/** On a setup Job that reruns another (after a restore): the original's name. */
const RERUN_OF = 'storefleet.io/rerun-of';

type Scalable = V1Deployment | V1StatefulSet;

export class KubernetesScaling implements ClusterScaling {
  private readonly kube: KubeApi;

  constructor(kube: KubeApi) {
    this.kube = kube;
  }

  async scaleDown(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void> {
    for (const workload of await this.workloads(target, scope, signal)) {
      const annotations = workload.metadata?.annotations ?? {};
      const replicas = workload.spec?.replicas ?? 1;
      if (annotations[AWAKE_REPLICAS] !== undefined && replicas === 0) continue;
      const remembered = annotations[AWAKE_REPLICAS] ?? String(replicas);
      await this.replace(workload, { ...annotations, [AWAKE_REPLICAS]: remembered }, 0, signal);
    }
    for (const cronJob of await this.cronJobs(target, scope, signal)) {
      if (cronJob.spec?.suspend) continue;
      await this.suspend(cronJob, true, signal);
    }
  }

  async scaleUp(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void> {
    for (const workload of await this.workloads(target, scope, signal)) {
      const annotations = { ...(workload.metadata?.annotations ?? {}) };
      const remembered = annotations[AWAKE_REPLICAS];
      if (remembered === undefined) continue;
      delete annotations[AWAKE_REPLICAS];
      await this.replace(workload, annotations, Number.parseInt(remembered, 10) || 1, signal);
    }
    for (const cronJob of await this.cronJobs(target, scope, signal)) {
      if (cronJob.metadata?.annotations?.[SUSPENDED_BY_SCALE] === undefined) continue;
      await this.suspend(cronJob, false, signal);
    }
  }

  /**
   * Runs the store's setup again, as a copy of its setup Job named with `tag` (a copy that exists
   * already is left alone): after a restore, the engine's migrations and the store's own admin login
   * are applied to the data that came back.
   */
  async rerunSetup(target: StoreTarget, tag: string, signal: AbortSignal): Promise<void> {
    const { batch } = this.kube;
    const options = withSignal(signal);
    let jobs: V1Job[];
    try {
      jobs = (
        await batch.listNamespacedJob(
          { namespace: target.namespace, labelSelector: `${COMPONENT_LABEL}=setup` },
          options,
        )
      ).items;
    } catch (error) {
      throw this.kube.failure(error, 'find the setup job', signal);
    }
    const original = jobs
      .filter((job) => !job.metadata?.annotations?.[RERUN_OF])
      .sort((a, b) =>
        String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)),
      )
      .at(-1);
    if (!original?.metadata?.name || !original.spec) {
      throw new ClusterError(
        'SetupJobMissing',
        'Could not run the setup again: the store has no setup job.',
        {
          retryable: false,
        },
      );
    }
    const name = `${original.metadata.name.slice(0, 63 - tag.length - 1)}-${tag}`;
    const podLabels = { ...(original.spec.template.metadata?.labels ?? {}) };
    for (const key of Object.keys(podLabels)) if (/controller-uid|job-name/.test(key)) delete podLabels[key];
    const labels = { ...(original.metadata.labels ?? {}) };
    for (const key of Object.keys(labels)) if (/controller-uid|job-name/.test(key)) delete labels[key];
    const copy: V1Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: target.namespace,
        labels,
        annotations: { [RERUN_OF]: original.metadata.name },
      },
      spec: {
        ...(original.spec.backoffLimit === undefined ? {} : { backoffLimit: original.spec.backoffLimit }),
        ...(original.spec.activeDeadlineSeconds === undefined
          ? {}
          : { activeDeadlineSeconds: original.spec.activeDeadlineSeconds }),
        template: {
          ...original.spec.template,
          metadata: { ...original.spec.template.metadata, labels: podLabels },
        },
      },
    };
    try {
      await batch.createNamespacedJob({ namespace: target.namespace, body: copy }, options);
    } catch (error) {
      if (!isStatus(error, 409)) throw this.kube.failure(error, `create setup job ${name}`, signal);
    }
  }

  private async workloads(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<Scalable[]> {
    const { apps } = this.kube;
    const options = withSignal(signal);
    const labelSelector = this.selector(target, scope);
    try {
      const [deployments, statefulSets] = await Promise.all([
        apps.listNamespacedDeployment({ namespace: target.namespace, labelSelector }, options),
        apps.listNamespacedStatefulSet({ namespace: target.namespace, labelSelector }, options),
      ]);
      return [
        ...deployments.items.map((item) => ({ ...item, kind: 'Deployment' })),
        ...statefulSets.items.map((item) => ({ ...item, kind: 'StatefulSet' })),
      ];
    } catch (error) {
      throw this.kube.failure(error, `list the workloads of ${target.namespace}`, signal);
    }
  }

  private async cronJobs(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<V1CronJob[]> {
    try {
      const list = await this.kube.batch.listNamespacedCronJob(
        { namespace: target.namespace, labelSelector: this.selector(target, scope) },
        withSignal(signal),
      );
      return list.items;
    } catch (error) {
      throw this.kube.failure(error, `list the CronJobs of ${target.namespace}`, signal);
    }
  }

  private selector(target: StoreTarget, scope: ScaleScope): string {
    if (scope === 'all') return COMPONENT_LABEL;
    return `${COMPONENT_LABEL} in (${engineModule(target.engine).backup.writers.join(',')})`;
  }

  private async replace(
    workload: Scalable,
    annotations: Record<string, string>,
    replicas: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { apps } = this.kube;
    const name = workload.metadata?.name ?? '';
    const namespace = workload.metadata?.namespace ?? '';
    const body = {
      ...workload,
      metadata: { ...workload.metadata, annotations },
      spec: { ...workload.spec, replicas },
    } as Scalable;
    try {
      if (workload.kind === 'StatefulSet') {
        await apps.replaceNamespacedStatefulSet(
          { name, namespace, body: body as V1StatefulSet },
          withSignal(signal),
        );
      } else {
        await apps.replaceNamespacedDeployment(
          { name, namespace, body: body as V1Deployment },
          withSignal(signal),
        );
      }
    } catch (error) {
      // 409: changed meanwhile (by its controller); the retried step reads it again.
      throw this.kube.failure(error, `scale ${workload.kind} ${name} to ${replicas}`, signal);
    }
  }

  private async suspend(cronJob: V1CronJob, suspend: boolean, signal: AbortSignal): Promise<void> {
    const name = cronJob.metadata?.name ?? '';
    const namespace = cronJob.metadata?.namespace ?? '';
    const annotations = { ...(cronJob.metadata?.annotations ?? {}) };
    if (suspend) annotations[SUSPENDED_BY_SCALE] = 'true';
    else delete annotations[SUSPENDED_BY_SCALE];
    const body = {
      ...cronJob,
      metadata: { ...cronJob.metadata, annotations },
      spec: { ...cronJob.spec, suspend },
    };
    try {
      await this.kube.batch.replaceNamespacedCronJob(
        { name, namespace, body: body as V1CronJob },
        withSignal(signal),
      );
    } catch (error) {
      throw this.kube.failure(error, `${suspend ? 'suspend' : 'resume'} CronJob ${name}`, signal);
    }
  }
}
