// A store namespace's workload state, as a pure function of its objects: the database StatefulSet,
// the engine's app Deployments, the setup Job and their pods, summed up as the three workload
// conditions, with the pods' own words (CrashLoopBackOff, an image missing, unschedulable, OOM) and
// a failed setup Job's termination message. A workload counts as ready only once its rollout is
// complete (every replica of the current spec ready, none of an older one left), as helm's watcher
// judged it. A problem that will not pass by waiting (an image the node does not have, a container
// that keeps crashing, a failed setup Job) is a failure at once. The informers that feed it live in
// workload-watch.ts.
import type { KubernetesObject, V1Deployment, V1Job, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { ClusterError, type WorkloadCondition, type WorkloadProgress } from './port.ts';

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
  /** Where the failure's last words are better read from the container's log (see LogWords). */
  logWords?: LogWords;
}

/**
 * A failure whose message ends with what a container said: the container whose log (its previous
 * run's, for a crash) the adapter reads them from, and the message to put them in.
 */
export interface LogWords {
  pod: string;
  container: string;
  previous: boolean;
  /** The message with the words read from the log. */
  messageWith(words: string): string;
}

const MAX_DETAIL_LENGTH = 300;

export function componentOf(object: KubernetesObject): string | undefined {
  return object.metadata?.labels?.[COMPONENT_LABEL];
}

/** Why a component's pods are not running, in words, when a pod says so. */
export interface PodProblem {
  reason: string;
  message: string;
  pod: string;
  container?: string;
  /** Whether the message carries the container's last words. */
  said?: boolean;
  /** Set when waiting will not help: the problem fails the store's readiness at once. */
  fatal?: { retryable: boolean };
}

/** Waiting reasons that no amount of waiting mends: the image is not on the node, or cannot be named. */
const IMAGE_MISSING = new Set(['ErrImageNeverPull', 'InvalidImageName']);
/** A registry that refused twice (the back-off) may answer later: fatal, but worth another attempt. */
const IMAGE_PULL_FAILED = new Set(['ImagePullBackOff']);
/** A container that crashed this many times in a row is not going to start by itself. */
const CRASHES_BEFORE_FAILURE = 3;

export function podProblem(pods: readonly V1Pod[], component: string): PodProblem | undefined {
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
          pod: name,
          container: container.name,
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
      const words = lastWords(container.lastState?.terminated?.message);
      const said = waiting.reason === 'CrashLoopBackOff' && words ? `; it last said: ${words}` : '';
      const fatal = IMAGE_MISSING.has(waiting.reason)
        ? { retryable: false }
        : IMAGE_PULL_FAILED.has(waiting.reason) ||
            (waiting.reason === 'CrashLoopBackOff' && container.restartCount >= CRASHES_BEFORE_FAILURE)
          ? { retryable: true }
          : undefined;
      return {
        reason: waiting.reason,
        pod: name,
        container: container.name,
        message: clip(`Pod ${name}, container ${container.name}: ${waiting.reason}${detail}${said}`),
        said: said !== '',
        ...(fatal ? { fatal } : {}),
      };
    }
    const unscheduled = pod.status?.conditions?.find(
      (c) => c.type === 'PodScheduled' && c.status === 'False',
    );
    if (unscheduled) {
      return {
        reason: unscheduled.reason ?? 'Unschedulable',
        pod: name,
        message: clip(
          `Pod ${name} cannot be scheduled: ${unscheduled.message ?? unscheduled.reason ?? 'no reason given'}`,
        ),
      };
    }
  }
  return undefined;
}

/**
 * The failed setup container and what it said last: the chart's setup containers keep the end of
 * their log as their termination message (`FallbackToLogsOnError`).
 */
function failedSetupContainer(
  pods: readonly V1Pod[],
): { pod: string; container: string; words: string | undefined } | undefined {
  for (const pod of pods) {
    if (componentOf(pod) !== 'setup') continue;
    for (const status of pod.status?.containerStatuses ?? []) {
      const terminated = status.state?.terminated ?? status.lastState?.terminated;
      if (terminated && terminated.exitCode !== 0) {
        return {
          pod: pod.metadata?.name ?? '',
          container: status.name,
          words: lastWords(terminated.message),
        };
      }
    }
  }
  return undefined;
}

/**
 * What a container said last, in one line: the message of its last error when it logs JSON (as
 * Medusa does, with the stack after it), else its last line that is not a fragment of JSON.
 */
export function lastWords(text: string | undefined): string | undefined {
  const lines = (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  let plain: string | undefined;
  for (const line of lines.toReversed()) {
    if (line.startsWith('{')) {
      const entry = parseJson(line);
      if (entry && /^(error|fatal)$/i.test(String(entry.level)) && typeof entry.message === 'string')
        return entry.message.split('\n')[0]?.trim() || undefined;
      continue;
    }
    if (plain === undefined && !/^["\]}]|",/.test(line)) plain = line;
  }
  return plain;
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length > MAX_DETAIL_LENGTH) return `${oneLine.slice(0, MAX_DETAIL_LENGTH - 1)}….`;
  return /[.!?]$/.test(oneLine) ? oneLine : `${oneLine}.`;
}

/** The component's progress while it is not ready; a fatal pod problem is also the state's failure. */
function notReady(
  type: WorkloadCondition,
  summary: string,
  pods: readonly V1Pod[],
  component: string,
  notReadyReason: string,
): ComponentState {
  const problem = podProblem(pods, component);
  if (!problem) return { progress: { type, status: 'False', reason: notReadyReason, message: summary } };
  const message = `${summary} ${problem.message}`;
  const progress: WorkloadProgress = { type, status: 'False', reason: problem.reason, message };
  if (!problem.fatal) return { progress };
  const code =
    IMAGE_MISSING.has(problem.reason) || IMAGE_PULL_FAILED.has(problem.reason)
      ? 'ImageMissing'
      : 'ContainerCrashing';
  const failure = new ClusterError(code, message, { retryable: problem.fatal.retryable, condition: type });
  if (code !== 'ContainerCrashing' || !problem.container || problem.said) return { progress, failure };
  const logWords: LogWords = {
    pod: problem.pod,
    container: problem.container,
    previous: true,
    messageWith: (words) => clip(`${message.replace(/\.$/, '')}; it last said: ${words}`),
  };
  return { progress, failure, logWords };
}

interface ComponentState {
  progress: WorkloadProgress;
  failure?: ClusterError;
  logWords?: LogWords;
}

/**
 * The ready replicas of the workload's current spec: none while its status is older than its spec,
 * and no more than the replicas already updated while a rollout is under way (the old pods' readiness
 * says nothing of the new spec).
 */
function currentReady(workload: V1StatefulSet | V1Deployment): number {
  const status = workload.status;
  if (!status || (status.observedGeneration ?? 0) < (workload.metadata?.generation ?? 0)) return 0;
  const ready = status.readyReplicas ?? 0;
  const rolling =
    'currentRevision' in status
      ? Boolean(status.updateRevision) && status.currentRevision !== status.updateRevision
      : status.updatedReplicas !== undefined;
  return rolling ? Math.min(ready, status.updatedReplicas ?? 0) : ready;
}

/** Whether a StatefulSet runs its current spec on every replica, all ready. */
function statefulSetReady(set: V1StatefulSet): boolean {
  const wanted = set.spec?.replicas ?? 1;
  const status = set.status;
  if (!status || (status.observedGeneration ?? 0) < (set.metadata?.generation ?? 0)) return false;
  if ((status.readyReplicas ?? 0) < wanted) return false;
  const rolling = status.updateRevision && status.currentRevision !== status.updateRevision;
  return !rolling || (status.updatedReplicas ?? 0) >= wanted;
}

/** Whether a Deployment's rollout is complete: every replica of the current spec ready, no old one left. */
function deploymentReady(deployment: V1Deployment): boolean {
  const wanted = deployment.spec?.replicas ?? 1;
  const status = deployment.status;
  if (!status || (status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) return false;
  if ((status.readyReplicas ?? 0) < wanted) return false;
  // A status written before the rollout began has no updatedReplicas: readiness then is the old pods'.
  if (status.updatedReplicas !== undefined && status.updatedReplicas < wanted) return false;
  return (status.replicas ?? wanted) <= wanted;
}

/**
 * A setup Job is done once it is Complete, or once as many of its pods succeeded as it asks for: the
 * Job controller batches pod updates and marks the Job a second or so after its pod exited 0, and a
 * store's Ready waited for that.
 */
function setupDone(job: V1Job, pods: readonly V1Pod[]): boolean {
  if (job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) return true;
  const uid = job.metadata?.uid;
  if (!uid) return false;
  const succeeded = pods.filter(
    (pod) =>
      pod.status?.phase === 'Succeeded' && pod.metadata?.ownerReferences?.some((owner) => owner.uid === uid),
  ).length;
  return succeeded >= (job.spec?.completions ?? 1);
}

/**
 * The three workload conditions of a store namespace, from its StatefulSets, Deployments, Jobs and
 * pods; `appComponents` are the Deployments its engine serves with (the engine module says which).
 */
export function workloadState(objects: WorkloadObjects, appComponents: readonly string[]): WorkloadState {
  const { statefulSets, deployments, jobs, pods } = objects;
  const progress: WorkloadProgress[] = [];
  const failures: ComponentState[] = [];
  const track = (state: ComponentState) => {
    progress.push(state.progress);
    if (state.failure) failures.push(state);
  };

  const databases = statefulSets.filter((s) => componentOf(s) === 'database');
  const notReadyDb = databases.find((s) => !statefulSetReady(s));
  track(
    databases.length === 0
      ? {
          progress: {
            type: 'DatabaseReady',
            status: 'Unknown',
            reason: 'NotCreated',
            message: 'The database has not been created yet.',
          },
        }
      : notReadyDb
        ? notReady(
            'DatabaseReady',
            `Database ${notReadyDb.metadata?.name}: ${currentReady(notReadyDb)}/${notReadyDb.spec?.replicas ?? 1} ready.`,
            pods,
            'database',
            'Starting',
          )
        : {
            progress: {
              type: 'DatabaseReady',
              status: 'True',
              reason: 'DatabaseReady',
              message: 'The database is ready.',
            },
          },
  );

  const apps = deployments.filter((d) => appComponents.includes(componentOf(d) ?? ''));
  const notReadyApp = apps.find((d) => !deploymentReady(d));
  track(
    apps.length === 0
      ? {
          progress: {
            type: 'AppReady',
            status: 'Unknown',
            reason: 'NotCreated',
            message: 'The store app has not been created yet.',
          },
        }
      : notReadyApp
        ? notReady(
            'AppReady',
            `App ${notReadyApp.metadata?.name}: ${currentReady(notReadyApp)}/${notReadyApp.spec?.replicas ?? 1} ready.`,
            pods,
            componentOf(notReadyApp) ?? 'app',
            'Starting',
          )
        : {
            progress: {
              type: 'AppReady',
              status: 'True',
              reason: 'AppReady',
              message: 'The store app is ready.',
            },
          },
  );

  const setups = jobs.filter((j) => componentOf(j) === 'setup');
  const failed = setups.find((j) =>
    j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'),
  );
  const pending = setups.find((j) => !setupDone(j, pods));
  if (failed) {
    const condition = failed.status?.conditions?.find((c) => c.type === 'Failed');
    const container = failedSetupContainer(pods);
    const base = `Setup job ${failed.metadata?.name} failed: ${condition?.message ?? condition?.reason ?? 'no reason given'}`;
    const messageWith = (words: string | undefined) =>
      clip(base + (words ? `; its last words: ${words}` : ''));
    const message = messageWith(container?.words);
    progress.push({ type: 'StoreConfigured', status: 'False', reason: 'SetupJobFailed', message });
    failures.unshift({
      progress: progress.at(-1) as WorkloadProgress,
      failure: new ClusterError('SetupJobFailed', message, { retryable: true, condition: 'StoreConfigured' }),
      ...(container
        ? { logWords: { pod: container.pod, container: container.container, previous: false, messageWith } }
        : {}),
    });
  } else if (setups.length === 0) {
    progress.push({
      type: 'StoreConfigured',
      status: 'Unknown',
      reason: 'NotCreated',
      message: 'The setup job has not been created yet.',
    });
  } else if (pending) {
    track(
      notReady(
        'StoreConfigured',
        `Setup job ${pending.metadata?.name} is running.`,
        pods,
        'setup',
        'SetupRunning',
      ),
    );
  } else {
    progress.push({
      type: 'StoreConfigured',
      status: 'True',
      reason: 'SetupJobCompleted',
      message: 'The setup job completed.',
    });
  }
  const first = failures[0];
  if (!first?.failure) return { progress };
  return first.logWords
    ? { progress, failure: first.failure, logWords: first.logWords }
    : { progress, failure: first.failure };
}
