// A store namespace's workload state, as a pure function of its objects: the database StatefulSet,
// the engine's app Deployments, the setup Job and their pods, summed up as the three workload
// conditions, with the pods' own words (CrashLoopBackOff, an image missing, unschedulable, OOM) and
// a failed setup Job's termination message. The informers that feed it live in workload-watch.ts.
import type { KubernetesObject, V1Deployment, V1Job, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { ClusterError, type WorkloadProgress } from './port.ts';

export const COMPONENT_LABEL = 'app.kubernetes.io/component';

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

export function componentOf(object: KubernetesObject): string | undefined {
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

/**
 * The three workload conditions of a store namespace, from its StatefulSets, Deployments, Jobs and
 * pods; `appComponents` are the Deployments its engine serves with (the engine module says which).
 */
export function workloadState(objects: WorkloadObjects, appComponents: readonly string[]): WorkloadState {
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

  const apps = deployments.filter((d) => appComponents.includes(componentOf(d) ?? ''));
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
