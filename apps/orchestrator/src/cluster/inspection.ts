// What people look at in a store namespace: its objects and recent events, and the admin login in
// the store Secret.
import type { StoreResources } from '@storefleet/contracts';
import { isStatus } from './cluster-errors.ts';
import { type KubeApi, withSignal } from './kube-api.ts';
import { type AdminCredentials, ClusterError, type ClusterInspection, type StoreTarget } from './port.ts';
import { STORE_SECRET_NAME } from './store-secrets.ts';

const MAX_EVENTS = 50;

export class KubernetesInspection implements ClusterInspection {
  private readonly kube: KubeApi;

  constructor(kube: KubeApi) {
    this.kube = kube;
  }

  async resources(target: StoreTarget, signal: AbortSignal): Promise<StoreResources> {
    const namespace = target.namespace;
    const { core, networking, batch } = this.kube;
    const options = withSignal(signal);
    try {
      const [pods, services, ingresses, claims, jobs, events] = await Promise.all([
        core.listNamespacedPod({ namespace }, options),
        core.listNamespacedService({ namespace }, options),
        networking.listNamespacedIngress({ namespace }, options),
        core.listNamespacedPersistentVolumeClaim({ namespace }, options),
        batch.listNamespacedJob({ namespace }, options),
        core.listNamespacedEvent({ namespace }, options),
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
        .slice(0, MAX_EVENTS);
      return { namespace, items, events: recent };
    } catch (error) {
      if (isStatus(error, 404)) return { namespace, items: [], events: [] };
      throw this.kube.failure(error, `list the resources of ${namespace}`, signal);
    }
  }

  async adminCredentials(target: StoreTarget, signal: AbortSignal): Promise<AdminCredentials> {
    try {
      const secret = await this.kube.core.readNamespacedSecret(
        { name: STORE_SECRET_NAME, namespace: target.namespace },
        withSignal(signal),
      );
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
      throw this.kube.failure(error, `read the store Secret in ${target.namespace}`, signal);
    }
  }
}

/** Kubernetes times arrive as Date objects or (micro-time) strings. */
function isoTime(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && value) return new Date(value).toISOString();
  return null;
}
