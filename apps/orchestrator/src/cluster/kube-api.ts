// The typed API clients of one cluster, shared by the role adapters, and what every call needs:
// the caller's AbortSignal on the request and failures that name the API server.
import {
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  Observable,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { apiFailure, isStatus } from './cluster-errors.ts';

export class KubeApi {
  readonly kubeConfig: KubeConfig;
  /** The API server's address, for messages that say where the cluster was looked for. */
  readonly server: string;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  readonly authorization: AuthorizationV1Api;
  readonly networking: NetworkingV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.kubeConfig = kubeConfig;
    this.server = kubeConfig.getCurrentCluster()?.server ?? 'unknown server';
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
    this.rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    this.authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
  }

  /** What to throw for a failed call: the abort reason once `signal` fired, else a ClusterError. */
  failure(error: unknown, action: string, signal?: AbortSignal): unknown {
    return apiFailure(error, action, this.server, signal);
  }
}

/**
 * Per-call options that put `signal` on the request (client-node passes it on to fetch), after the
 * client's own middleware (its User-Agent header).
 */
export function withSignal(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (request) => {
          request.setSignal(signal);
          return new Observable(Promise.resolve(request));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/**
 * Creates an object, or replaces it at the version just read: `write` gets that resourceVersion, or
 * undefined when the read found nothing (404) and the object is to be created.
 */
export async function createOrReplace(
  read: () => Promise<{ metadata?: { resourceVersion?: string } }>,
  write: (resourceVersion: string | undefined) => Promise<unknown>,
): Promise<void> {
  let resourceVersion: string | undefined;
  try {
    resourceVersion = (await read()).metadata?.resourceVersion;
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
  await write(resourceVersion);
}
