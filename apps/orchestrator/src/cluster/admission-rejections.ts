// Admission rejections (quota, limits) of pods that controllers create never reach helm, which would
// only time out: they show as Warning events, watched here while a release installs.
import { Watch } from '@kubernetes/client-node';
import { type KubeApi, withSignal } from './kube-api.ts';
import { ClusterError } from './port.ts';

interface WarningEvent {
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
}

/**
 * Calls `onRejection` for each new Warning event saying the API refused to create an object in
 * `namespace`; returns the function that stops watching. Watching is best effort: when the events
 * cannot be listed, nothing is watched.
 */
export async function watchAdmissionRejections(
  kube: KubeApi,
  namespace: string,
  signal: AbortSignal,
  onRejection: (error: ClusterError) => void,
): Promise<() => void> {
  let resourceVersion: string | undefined;
  try {
    resourceVersion = (await kube.core.listNamespacedEvent({ namespace, limit: 1 }, withSignal(signal)))
      .metadata?.resourceVersion;
  } catch {
    return () => {};
  }
  let controller: AbortController | undefined;
  let stopped = false;
  new Watch(kube.kubeConfig)
    .watch(
      `/api/v1/namespaces/${namespace}/events`,
      { fieldSelector: 'type=Warning', resourceVersion },
      (phase, event: WarningEvent) => {
        if (phase !== 'ADDED') return;
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
