// The store namespace: created with the store's labels (refusing one that belongs to someone else),
// the orchestrator's RoleBinding in it, and its deletion down to the last reclaimed volume.
import { Watch } from '@kubernetes/client-node';
import { sleep } from '../sleep.ts';
import { isStatus } from './cluster-errors.ts';
import { type KubeApi, withSignal } from './kube-api.ts';
import { ClusterError, type ClusterNamespaces, type StoreTarget } from './port.ts';
import { LABELS, storeLabels } from './store-labels.ts';

/** The ClusterRole bound in each store namespace to the orchestrator's ServiceAccount. */
export interface StoreAccess {
  clusterRole: string;
  serviceAccount: { name: string; namespace: string };
}

export class KubernetesNamespaces implements ClusterNamespaces {
  private readonly kube: KubeApi;
  private readonly storeAccess: StoreAccess | undefined;

  constructor(kube: KubeApi, storeAccess: StoreAccess | undefined) {
    this.kube = kube;
    this.storeAccess = storeAccess;
  }

  async ensureNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    const { core } = this.kube;
    const options = withSignal(signal);
    const labels = storeLabels(target);
    try {
      await core.createNamespace({ body: { metadata: { name: target.namespace, labels } } }, options);
    } catch (error) {
      if (!isStatus(error, 409))
        throw this.kube.failure(error, `create namespace ${target.namespace}`, signal);
      const existing = await core.readNamespace({ name: target.namespace }, options).catch((e: unknown) => {
        throw this.kube.failure(e, `read namespace ${target.namespace}`, signal);
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
    if (this.storeAccess) await this.bindStoreRole(target, this.storeAccess, labels, signal);
  }

  private async bindStoreRole(
    target: StoreTarget,
    access: StoreAccess,
    labels: Record<string, string>,
    signal: AbortSignal,
  ): Promise<void> {
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
    await this.kube.rbac
      .createNamespacedRoleBinding({ namespace: target.namespace, body }, withSignal(signal))
      .catch((error: unknown) => {
        if (!isStatus(error, 409))
          throw this.kube.failure(error, `bind the store role in ${target.namespace}`, signal);
      });
    await this.untilAllowed(target.namespace, signal);
  }

  /** A new RoleBinding reaches the API server's authorizer a moment later; wait for it. */
  private async untilAllowed(namespace: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const review = await this.kube.authorization
        .createSelfSubjectAccessReview(
          { body: { spec: { resourceAttributes: { namespace, verb: 'create', resource: 'secrets' } } } },
          withSignal(signal),
        )
        .catch((error: unknown) => {
          throw this.kube.failure(error, `check the store role in ${namespace}`, signal);
        });
      if (review.status?.allowed) return;
      await sleep(100, signal);
    }
    throw new ClusterError(
      'Forbidden',
      `The store role bound in ${namespace} does not allow creating secrets there.`,
      { retryable: false },
    );
  }

  async deleteNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    try {
      await this.kube.core.deleteNamespace({ name: target.namespace }, withSignal(signal));
    } catch (error) {
      if (isStatus(error, 404)) return;
      throw this.kube.failure(error, `delete namespace ${target.namespace}`, signal);
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
        const volumes = await this.kube.core.listPersistentVolume({}, withSignal(signal));
        pending = volumes.items.filter(
          (v) =>
            v.spec?.claimRef?.namespace === namespace && v.spec.persistentVolumeReclaimPolicy !== 'Retain',
        ).length;
      } catch (error) {
        throw this.kube.failure(error, `read the persistent volumes of ${namespace}`, signal);
      }
      if (pending === 0) return;
      await sleep(500, signal);
    }
  }

  /** Resolves when the namespace no longer exists, watching it rather than polling. */
  private async untilNamespaceGone(name: string, signal: AbortSignal): Promise<void> {
    const watch = new Watch(this.kube.kubeConfig);
    for (;;) {
      signal.throwIfAborted();
      let resourceVersion: string | undefined;
      try {
        const list = await this.kube.core.listNamespace(
          { fieldSelector: `metadata.name=${name}` },
          withSignal(signal),
        );
        if (list.items.length === 0) return;
        resourceVersion = list.metadata?.resourceVersion;
      } catch (error) {
        throw this.kube.failure(error, `read namespace ${name}`, signal);
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
