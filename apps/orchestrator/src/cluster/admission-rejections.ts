// Admission rejections (quota, limits) of pods that controllers create never reach helm, or the
// workloads' status: they show as Warning events, watched here while a store waits for its workloads.
import { Watch } from '@kubernetes/client-node';
import type { KubeApi } from './kube-api.ts';
import { ClusterError } from './port.ts';

interface WarningEvent {
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
  metadata?: { creationTimestamp?: string };
}

/** A little slack for a cluster whose clock runs behind this process's. */
const CLOCK_SLACK_MS = 5_000;

/**
 * Calls `onRejection` for each Warning event, seen last at or after `since`, saying the API refused
 * to create an object in `namespace` (a controller that keeps trying updates the same event, so one
 * refused before the watch began is still seen); returns the function that stops watching. Watching
 * is best effort: when the events cannot be watched, nothing is.
 */
export async function watchAdmissionRejections(
  kube: KubeApi,
  namespace: string,
  since: Date,
  onRejection: (error: ClusterError) => void,
): Promise<() => void> {
  let controller: AbortController | undefined;
  let stopped = false;
  const from = since.getTime() - CLOCK_SLACK_MS;
  await new Watch(kube.kubeConfig)
    .watch(
      `/api/v1/namespaces/${namespace}/events`,
      { fieldSelector: 'type=Warning' },
      (phase, event: WarningEvent) => {
        if (phase !== 'ADDED' && phase !== 'MODIFIED') return;
        if (lastSeen(event) < from) return;
        const rejection = admissionRejection(event);
        if (rejection) onRejection(rejection);
      },
      () => {},
    )
    .then(
      (c) => {
        controller = c;
        if (stopped) c.abort();
      },
      () => {},
    );
  return () => {
    stopped = true;
    controller?.abort();
  };
}

function lastSeen(event: WarningEvent): number {
  const times = [
    event.series?.lastObservedTime,
    event.lastTimestamp,
    event.eventTime,
    event.metadata?.creationTimestamp,
  ].map((text) => (text ? Date.parse(String(text)) : Number.NaN));
  return Math.max(...times.filter((time) => !Number.isNaN(time)), 0);
}

function admissionRejection(event: WarningEvent): ClusterError | undefined {
  if (event.reason !== 'FailedCreate' || !event.message) return undefined;
  const object = `${event.involvedObject?.kind ?? ''} ${event.involvedObject?.name ?? ''}`.trim();
  const quota = /exceeded quota/i.test(event.message);
  if (!quota && !/forbidden/i.test(event.message)) return undefined;
  return new ClusterError(
    quota ? 'QuotaExceeded' : 'AdmissionRejected',
    `The cluster refused to create pods for ${object}: ${event.message}`,
    { retryable: false },
  );
}
