// The Cluster port on a real Kubernetes API server (@kubernetes/client-node) and the helm CLI.
import {
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  Watch,
} from '@kubernetes/client-node';
import {
  ENGINES,
  type Engine,
  type EngineAvailability,
  type ReleaseRevision,
  type StoreResources,
} from '@storefleet/contracts';
import type { Logger } from 'pino';
import type { EngineChart } from '../engines/engine.ts';
import { type ClusterNodes, decideEngine, engineModule, type PlacementPolicy } from '../engines/registry.ts';
import { type HelmCli, HelmError } from './helm-cli.ts';
import {
  type AdminCredentials,
  type Cluster,
  ClusterError,
  type ClusterInfo,
  type DeployedRelease,
  type StoreTarget,
  type WorkloadCondition,
  type WorkloadProgress,
  type WorkloadWatch,
} from './port.ts';
import { generateStoreSecrets, STORE_SECRET_NAME } from './store-secrets.ts';
import { FleetWorkloadWatch, WorkloadInformers, workloadState } from './workload-watch.ts';

/**
 * The store chart's workloads and their pods, in any namespace: the charts label each with the
 * component (database, app, setup, cron) it is.
 */
export const STORE_WORKLOAD_SELECTOR = 'app.kubernetes.io/component,app.kubernetes.io/instance';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  storeId: 'storefleet.io/store-id',
  owner: 'storefleet.io/owner',
} as const;

export interface ChartSettings {
  charts: Record<Engine, EngineChart>;
  baseDomain: string;
  ingressClass: string;
  storageClass: string | undefined;
  environment: 'local' | 'production';
}

export interface KubernetesClusterOptions {
  kubeConfig: KubeConfig;
  helm: HelmCli;
  chart: ChartSettings;
  info: ClusterInfo;
  /** The kinds of nodes found at start-up, and where stores go when there is a real node. */
  nodes: ClusterNodes;
  placement: PlacementPolicy;
  /** When set, each store namespace gets a RoleBinding of this ClusterRole to this ServiceAccount. */
  storeAccess?: { clusterRole: string; serviceAccount: { name: string; namespace: string } };
  logger: Logger;
}

export class KubernetesCluster implements Cluster {
  private readonly options: KubernetesClusterOptions;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly rbac: RbacAuthorizationV1Api;
  private readonly authorization: AuthorizationV1Api;
  private readonly networking: NetworkingV1Api;
  /** Ready stores' workloads: one label-selected watch per kind across namespaces. */
  private readonly fleetWatch: FleetWorkloadWatch;

  constructor(options: KubernetesClusterOptions) {
    this.options = options;
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.batch = options.kubeConfig.makeApiClient(BatchV1Api);
    this.rbac = options.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    this.authorization = options.kubeConfig.makeApiClient(AuthorizationV1Api);
    this.networking = options.kubeConfig.makeApiClient(NetworkingV1Api);
    this.fleetWatch = this.makeFleetWatch();
  }

  info(): ClusterInfo {
    return this.options.info;
  }

  engines(): EngineAvailability[] {
    return ENGINES.map((engine) => this.decide(engine).availability);
  }

  private decide(engine: Engine) {
    return decideEngine(engineModule(engine), this.options.nodes, this.options.placement);
  }

  async ensureNamespace(target: StoreTarget): Promise<void> {
    const labels = storeLabels(target);
    try {
      await this.core.createNamespace({ body: { metadata: { name: target.namespace, labels } } });
    } catch (error) {
      if (!isStatus(error, 409)) throw apiError(error, `create namespace ${target.namespace}`);
      const existing = await this.core.readNamespace({ name: target.namespace }).catch((e: unknown) => {
        throw apiError(e, `read namespace ${target.namespace}`);
      });
      if (existing.metadata?.labels?.[LABELS.storeId] !== target.storeId) {
        throw new ClusterError(
          'NamespaceConflict',
          `Namespace ${target.namespace} already exists and does not belong to this store; delete it or choose another store name.`,
          { retryable: false },
        );
      }
      if (existing.status?.phase === 'Terminating') {
        throw new ClusterError(
          'NamespaceTerminating',
          `Namespace ${target.namespace} is still being deleted.`,
          {
            retryable: true,
          },
        );
      }
    }
    const access = this.options.storeAccess;
    if (access) {
      const body = {
        metadata: { name: 'storefleet-orchestrator', labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: access.clusterRole },
        subjects: [
          {
            kind: 'ServiceAccount',
            name: access.serviceAccount.name,
            namespace: access.serviceAccount.namespace,
          },
        ],
      };
      await this.rbac
        .createNamespacedRoleBinding({ namespace: target.namespace, body })
        .catch((error: unknown) => {
          if (!isStatus(error, 409)) throw apiError(error, `bind the store role in ${target.namespace}`);
        });
      await this.untilAllowed(target.namespace);
    }
  }

  /** A new RoleBinding reaches the API server's authorizer a moment later; wait for it. */
  private async untilAllowed(namespace: string): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const review = await this.authorization.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace, verb: 'create', resource: 'secrets' } } },
      });
      if (review.status?.allowed) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new ClusterError(
      'Forbidden',
      `The store role bound in ${namespace} does not allow creating secrets there.`,
      {
        retryable: false,
      },
    );
  }

  async ensureSecrets(target: StoreTarget): Promise<void> {
    try {
      await this.core.readNamespacedSecret({ name: STORE_SECRET_NAME, namespace: target.namespace });
      return;
    } catch (error) {
      if (!isStatus(error, 404)) throw apiError(error, `read secret ${STORE_SECRET_NAME}`);
    }
    try {
      await this.core.createNamespacedSecret({
        namespace: target.namespace,
        body: {
          metadata: { name: STORE_SECRET_NAME, labels: storeLabels(target) },
          type: 'Opaque',
          stringData: generateStoreSecrets(target.engine, target.slug),
        },
      });
    } catch (error) {
      // Created meanwhile by an earlier attempt: keep it, never regenerate credentials.
      if (!isStatus(error, 409)) throw apiError(error, `create secret ${STORE_SECRET_NAME}`);
    }
  }

  async installRelease(target: StoreTarget, signal: AbortSignal): Promise<DeployedRelease> {
    const { helm } = this.options;
    // Admission rejections (quota, limits) of pods that controllers create never reach helm, which
    // would only time out; watch for them and stop at once with the cluster's own words.
    const rejection = new AbortController();
    let rejectedBy: ClusterError | undefined;
    const stopWatching = await this.watchRejections(target.namespace, (error) => {
      rejectedBy = error;
      rejection.abort(error);
    });
    try {
      await this.recoverInterruptedRelease(target, signal);
      const release = await helm.upgradeInstall(
        {
          release: target.release,
          namespace: target.namespace,
          ...this.options.chart.charts[target.engine],
          values: this.storeValues(target),
        },
        AbortSignal.any([signal, rejection.signal]),
      );
      return { revision: release.revision, chartVersion: release.chartVersion, values: target.values };
    } catch (error) {
      if (rejectedBy && !signal.aborted) throw rejectedBy;
      throw helmFailure(error, 'install the Helm release');
    } finally {
      stopWatching();
    }
  }

  async adminCredentials(target: StoreTarget): Promise<AdminCredentials> {
    try {
      const secret = await this.core.readNamespacedSecret({
        name: STORE_SECRET_NAME,
        namespace: target.namespace,
      });
      const field = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
      return {
        username: field('admin-username'),
        password: field('admin-password'),
        email: field('admin-email'),
      };
    } catch (error) {
      if (isStatus(error, 404)) {
        throw new ClusterError(
          'CredentialsMissing',
          `The store Secret ${STORE_SECRET_NAME} does not exist.`,
          {
            retryable: false,
          },
        );
      }
      throw apiError(error, `read the store Secret in ${target.namespace}`);
    }
  }

  /** Calls `onRejection` for each new Warning event saying the API refused to create an object. */
  private async watchRejections(
    namespace: string,
    onRejection: (error: ClusterError) => void,
  ): Promise<() => void> {
    let resourceVersion: string | undefined;
    try {
      resourceVersion = (await this.core.listNamespacedEvent({ namespace, limit: 1 })).metadata
        ?.resourceVersion;
    } catch {
      return () => {};
    }
    let controller: AbortController | undefined;
    let stopped = false;
    new Watch(this.options.kubeConfig)
      .watch(
        `/api/v1/namespaces/${namespace}/events`,
        { fieldSelector: 'type=Warning', resourceVersion },
        (
          phase,
          event: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } },
        ) => {
          if (phase !== 'ADDED' || event.reason !== 'FailedCreate' || !event.message) return;
          const object = `${event.involvedObject?.kind ?? ''} ${event.involvedObject?.name ?? ''}`.trim();
          const quota = /exceeded quota/i.test(event.message);
          if (!quota && !/forbidden/i.test(event.message)) return;
          onRejection(
            new ClusterError(
              quota ? 'QuotaExceeded' : 'AdmissionRejected',
              `The cluster refused to create pods for ${object}: ${event.message}`,
              { retryable: false },
            ),
          );
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

  async rollbackRelease(
    target: StoreTarget,
    revision: number,
    signal: AbortSignal,
  ): Promise<DeployedRelease> {
    const { helm } = this.options;
    try {
      await helm.rollback(target.release, target.namespace, revision, signal);
      const status = await helm.status(target.release, target.namespace, signal);
      if (!status)
        throw new ClusterError(
          'ReleaseMissing',
          `Release ${target.release} disappeared during the rollback.`,
          { retryable: false },
        );
      const values = await helm.values(target.release, target.namespace, status.revision, signal);
      return {
        revision: status.revision,
        chartVersion: status.chartVersion,
        values: engineModule(target.engine).storeValuesFrom(values),
      };
    } catch (error) {
      throw helmFailure(error, `roll the release back to revision ${revision}`);
    }
  }

  async releaseHistory(target: StoreTarget, signal: AbortSignal): Promise<ReleaseRevision[]> {
    try {
      return await this.options.helm.history(target.release, target.namespace, signal);
    } catch (error) {
      throw helmFailure(error, 'read the release history');
    }
  }

  async resources(target: StoreTarget): Promise<StoreResources> {
    const namespace = target.namespace;
    try {
      const [pods, services, ingresses, claims, jobs, events] = await Promise.all([
        this.core.listNamespacedPod({ namespace }),
        this.core.listNamespacedService({ namespace }),
        this.networking.listNamespacedIngress({ namespace }),
        this.core.listNamespacedPersistentVolumeClaim({ namespace }),
        this.batch.listNamespacedJob({ namespace }),
        this.core.listNamespacedEvent({ namespace }),
      ]);
      const created = (meta: { creationTimestamp?: Date } | undefined) => isoTime(meta?.creationTimestamp);
      const items: StoreResources['items'] = [
        ...pods.items.map((pod) => ({
          kind: 'Pod',
          name: pod.metadata?.name ?? '',
          status: pod.status?.phase ?? 'Unknown',
          details: {
            ready: pod.status?.containerStatuses?.every((c) => c.ready) ?? false,
            restarts: pod.status?.containerStatuses?.reduce((sum, c) => sum + c.restartCount, 0) ?? 0,
            node: pod.spec?.nodeName ?? null,
          },
          createdAt: created(pod.metadata),
        })),
        ...services.items.map((service) => ({
          kind: 'Service',
          name: service.metadata?.name ?? '',
          status: service.spec?.type ?? 'ClusterIP',
          details: { ports: service.spec?.ports?.map((p) => p.port) ?? [] },
          createdAt: created(service.metadata),
        })),
        ...ingresses.items.map((ingress) => ({
          kind: 'Ingress',
          name: ingress.metadata?.name ?? '',
          status: ingress.status?.loadBalancer?.ingress?.length ? 'Admitted' : 'Pending',
          details: {
            hosts: ingress.spec?.rules?.map((r) => r.host ?? '') ?? [],
            className: ingress.spec?.ingressClassName ?? null,
          },
          createdAt: created(ingress.metadata),
        })),
        ...claims.items.map((claim) => ({
          kind: 'PersistentVolumeClaim',
          name: claim.metadata?.name ?? '',
          status: claim.status?.phase ?? 'Unknown',
          details: {
            capacity: claim.status?.capacity?.storage ?? null,
            storageClass: claim.spec?.storageClassName ?? null,
          },
          createdAt: created(claim.metadata),
        })),
        ...jobs.items.map((job) => ({
          kind: 'Job',
          name: job.metadata?.name ?? '',
          status: job.status?.succeeded ? 'Complete' : job.status?.failed ? 'Failing' : 'Running',
          details: { succeeded: job.status?.succeeded ?? 0, failed: job.status?.failed ?? 0 },
          createdAt: created(job.metadata),
        })),
      ];
      const recent = events.items
        .map((event) => ({
          type: event.type ?? 'Normal',
          reason: event.reason ?? '',
          message: event.message ?? '',
          object: `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`,
          count: event.count ?? 1,
          lastSeen: isoTime(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp),
        }))
        .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
        .slice(0, 50);
      return { namespace, items, events: recent };
    } catch (error) {
      if (isStatus(error, 404)) return { namespace, items: [], events: [] };
      throw apiError(error, `list the resources of ${namespace}`);
    }
  }

  /** Non-secret values for one store; everything secret is in the store Secret. */
  storeValues(target: StoreTarget): Record<string, unknown> {
    const { chart } = this.options;
    return engineModule(target.engine).values(
      {
        storeId: target.storeId,
        slug: target.slug,
        owner: labelValue(target.ownerId),
        secretName: STORE_SECRET_NAME,
        ingressClass: chart.ingressClass,
        host: `${target.slug}.${chart.baseDomain}`,
        storageClass: chart.storageClass,
        values: target.values,
      },
      this.decide(target.engine).placement,
    );
  }

  /** A release left pending by a process that died mid-operation blocks every later one: undo it. */
  private async recoverInterruptedRelease(target: StoreTarget, signal: AbortSignal): Promise<void> {
    const { helm, logger } = this.options;
    const status = await helm.status(target.release, target.namespace, signal);
    if (!status?.status.startsWith('pending-')) return;
    const deployed = (await helm.history(target.release, target.namespace, signal))
      .filter((revision) => revision.status === 'deployed' || revision.status === 'superseded')
      .at(-1);
    logger.warn(
      { release: target.release, status: status.status },
      'recovering an interrupted helm operation',
    );
    if (status.status === 'pending-install' || !deployed)
      await helm.uninstall(target.release, target.namespace, signal);
    else await helm.rollback(target.release, target.namespace, deployed.revision, signal);
  }

  async waitUntilReady(
    target: StoreTarget,
    signal: AbortSignal,
    onProgress: (progress: WorkloadProgress) => Promise<void>,
  ): Promise<void> {
    signal.throwIfAborted();
    const informers = this.workloadInformers(target.namespace);
    const reported = new Map<WorkloadCondition, string>();
    try {
      await new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        informers
          .start(async (state) => {
            for (const progress of state.progress) {
              const key = `${progress.status}/${progress.reason}/${progress.message}`;
              if (reported.get(progress.type) === key) continue;
              reported.set(progress.type, key);
              await onProgress(progress);
            }
            if (state.failure) reject(state.failure);
            else if (state.progress.every((p) => p.status === 'True')) resolve();
          }, reject)
          .catch((error: unknown) => reject(apiError(error, `watch the workloads of ${target.namespace}`)));
      });
    } finally {
      await informers.stop();
    }
  }

  watchWorkloads(
    target: StoreTarget,
    onChange: (progress: WorkloadProgress[]) => Promise<void>,
  ): WorkloadWatch {
    const logger = this.options.logger;
    const stop = this.fleetWatch.subscribe(
      target.namespace,
      (state) => onChange(state.progress),
      (error: unknown) => logger.warn({ err: error, storeId: target.storeId }, 'store health update failed'),
    );
    return { stop };
  }

  async observeWorkloads(target: StoreTarget): Promise<WorkloadProgress[]> {
    const namespace = target.namespace;
    try {
      const [statefulSets, deployments, jobs, pods] = await Promise.all([
        this.apps.listNamespacedStatefulSet({ namespace }),
        this.apps.listNamespacedDeployment({ namespace }),
        this.batch.listNamespacedJob({ namespace }),
        this.core.listNamespacedPod({ namespace }),
      ]);
      return workloadState({
        statefulSets: statefulSets.items,
        deployments: deployments.items,
        jobs: jobs.items,
        pods: pods.items,
      }).progress;
    } catch (error) {
      throw apiError(error, `read the workloads of ${namespace}`);
    }
  }

  private makeFleetWatch(): FleetWorkloadWatch {
    const labelSelector = STORE_WORKLOAD_SELECTOR;
    return new FleetWorkloadWatch(
      this.options.kubeConfig,
      this.options.logger,
      {
        statefulSets: () => this.apps.listStatefulSetForAllNamespaces({ labelSelector }),
        deployments: () => this.apps.listDeploymentForAllNamespaces({ labelSelector }),
        jobs: () => this.batch.listJobForAllNamespaces({ labelSelector }),
        pods: () => this.core.listPodForAllNamespaces({ labelSelector }),
      },
      labelSelector,
    );
  }

  private workloadInformers(namespace: string): WorkloadInformers {
    return new WorkloadInformers(this.options.kubeConfig, namespace, this.options.logger, {
      statefulSets: () => this.apps.listNamespacedStatefulSet({ namespace }),
      deployments: () => this.apps.listNamespacedDeployment({ namespace }),
      jobs: () => this.batch.listNamespacedJob({ namespace }),
      pods: () => this.core.listNamespacedPod({ namespace }),
    });
  }

  async uninstallRelease(target: StoreTarget, signal: AbortSignal): Promise<void> {
    try {
      await this.options.helm.uninstall(target.release, target.namespace, signal);
    } catch (error) {
      if (error instanceof HelmError && /namespaces? .* not found/i.test(error.stderr)) return;
      throw helmFailure(error, 'uninstall the Helm release');
    }
  }

  async deleteNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    try {
      await this.core.deleteNamespace({ name: target.namespace });
    } catch (error) {
      if (isStatus(error, 404)) return;
      throw apiError(error, `delete namespace ${target.namespace}`);
    }
    await this.untilNamespaceGone(target.namespace, signal);
    await this.untilVolumesReclaimed(target.namespace, signal);
  }

  /**
   * A PersistentVolume outlives its namespace until the volume controller reclaims it; a store is
   * only gone once the volumes its claims bound with reclaim policy Delete are gone too. Volumes an
   * operator set to Retain are kept on purpose and not waited for.
   */
  private async untilVolumesReclaimed(namespace: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      let pending: number;
      try {
        const volumes = await this.core.listPersistentVolume();
        pending = volumes.items.filter(
          (v) =>
            v.spec?.claimRef?.namespace === namespace && v.spec.persistentVolumeReclaimPolicy !== 'Retain',
        ).length;
      } catch (error) {
        throw apiError(error, `read the persistent volumes of ${namespace}`);
      }
      if (pending === 0) return;
      await abortableDelay(500, signal);
    }
  }

  /** Resolves when the namespace no longer exists, watching it rather than polling. */
  private async untilNamespaceGone(name: string, signal: AbortSignal): Promise<void> {
    const watch = new Watch(this.options.kubeConfig);
    for (;;) {
      signal.throwIfAborted();
      let resourceVersion: string | undefined;
      try {
        const list = await this.core.listNamespace({ fieldSelector: `metadata.name=${name}` });
        if (list.items.length === 0) return;
        resourceVersion = list.metadata?.resourceVersion;
      } catch (error) {
        throw apiError(error, `read namespace ${name}`);
      }
      const gone = await new Promise<boolean>((resolve) => {
        let controller: AbortController | undefined;
        const onAbort = () => {
          controller?.abort();
          resolve(false);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        watch
          .watch(
            '/api/v1/namespaces',
            {
              fieldSelector: `metadata.name=${name}`,
              resourceVersion,
              allowWatchBookmarks: true,
              timeoutSeconds: 60,
            },
            (phase) => {
              if (phase === 'DELETED') {
                signal.removeEventListener('abort', onAbort);
                controller?.abort();
                resolve(true);
              }
            },
            () => {
              signal.removeEventListener('abort', onAbort);
              resolve(false);
            },
          )
          .then(
            (c) => {
              controller = c;
            },
            () => resolve(false),
          );
      });
      if (gone) return;
    }
  }
}

/** Kubernetes times arrive as Date objects or (micro-time) strings. */
function isoTime(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && value) return new Date(value).toISOString();
  return null;
}

function storeLabels(target: StoreTarget): Record<string, string> {
  return {
    [LABELS.managedBy]: 'storefleet',
    [LABELS.storeId]: target.storeId,
    [LABELS.owner]: labelValue(target.ownerId),
  };
}

/** Kubernetes label values: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends. */
function labelValue(value: string): string {
  return (
    value
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .slice(0, 63)
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'unknown'
  );
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

/** A Kubernetes API failure in words, retryable unless the server refused for good. */
function apiError(error: unknown, action: string): ClusterError {
  if (error instanceof ClusterError) return error;
  if (error instanceof ApiException) {
    const body =
      typeof error.body === 'string'
        ? safeJson(error.body)
        : (error.body as { message?: string } | undefined);
    const message = body?.message ?? error.message;
    const code = error.code;
    const reason =
      code === 403
        ? 'Forbidden'
        : code === 422
          ? 'Invalid'
          : code === 401
            ? 'Unauthorized'
            : 'KubernetesApiError';
    return new ClusterError(reason, `Could not ${action}: ${message}`, {
      retryable: code >= 500 || code === 409 || code === 429,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ClusterError('ClusterUnreachable', `Could not ${action}: ${message}`, { retryable: true });
}

function safeJson(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return undefined;
  }
}

/** A helm failure in words, classified: quota and chart errors do not heal by retrying. */
function helmFailure(error: unknown, action: string): ClusterError {
  if (error instanceof ClusterError) return error;
  if (!(error instanceof HelmError)) return apiError(error, action);
  const text = error.message;
  if (/exceeded quota|forbidden: exceeded/i.test(text)) {
    return new ClusterError('QuotaExceeded', `Could not ${action}: ${stripPrefix(text)}`, {
      retryable: false,
    });
  }
  if (
    /values don't meet the specifications|execution error|parse error|template:|INSTALLATION FAILED: .*chart/i.test(
      text,
    )
  ) {
    return new ClusterError('ChartRejected', `Could not ${action}: ${stripPrefix(text)}`, {
      retryable: false,
    });
  }
  if (/forbidden/i.test(text)) {
    return new ClusterError('Forbidden', `Could not ${action}: ${stripPrefix(text)}`, { retryable: false });
  }
  return new ClusterError('HelmFailed', `Could not ${action}: ${stripPrefix(text)}`, { retryable: true });
}

function stripPrefix(text: string): string {
  return text.replace(/^helm \w+ failed: /, '');
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
