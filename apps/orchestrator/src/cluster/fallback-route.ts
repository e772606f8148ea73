// Makes the platform the ingress's default backend when the orchestrator runs outside the cluster
// (the local cluster): an ExternalName Service naming the orchestrator's address and an Ingress
// whose only backend is it. Traefik routes a host there when no store serves it, e.g. while the
// store sleeps (its Services have no endpoints). In a cluster, the platform chart renders the same.
import type { V1Ingress, V1Namespace, V1Service } from '@kubernetes/client-node';
import { isStatus } from './cluster-errors.ts';
import { createOrReplace, type KubeApi, withSignal } from './kube-api.ts';
import { LABELS } from './store-labels.ts';
import { COMPONENT_LABEL } from './workload-state.ts';

export const FALLBACK_NAMESPACE = 'storefleet-system';
const NAME = 'storefleet-fallback';

export interface FallbackUpstream {
  host: string;
  port: number;
}

export async function publishFallbackRoute(
  kube: KubeApi,
  upstream: FallbackUpstream,
  ingressClass: string,
  signal: AbortSignal,
): Promise<void> {
  const options = withSignal(signal);
  const namespace = FALLBACK_NAMESPACE;
  const labels = { [LABELS.managedBy]: 'storefleet', [COMPONENT_LABEL]: 'fallback' };
  const ns: V1Namespace = { metadata: { name: namespace, labels } };
  const service: V1Service = {
    metadata: { name: NAME, namespace, labels },
    spec: {
      type: 'ExternalName',
      externalName: upstream.host,
      ports: [{ name: 'http', port: upstream.port }],
    },
  };
  const ingress: V1Ingress = {
    metadata: { name: NAME, namespace, labels },
    spec: {
      ingressClassName: ingressClass,
      defaultBackend: { service: { name: NAME, port: { number: upstream.port } } },
    },
  };
  const { core, networking } = kube;
  try {
    await ignoreConflict(core.createNamespace({ body: ns }, options));
    await createOrReplace(
      () => core.readNamespacedService({ name: NAME, namespace }, options),
      (resourceVersion) =>
        resourceVersion
          ? core.replaceNamespacedService(
              {
                name: NAME,
                namespace,
                body: { ...service, metadata: { ...service.metadata, resourceVersion } },
              },
              options,
            )
          : core.createNamespacedService({ namespace, body: service }, options),
    );
    await createOrReplace(
      () => networking.readNamespacedIngress({ name: NAME, namespace }, options),
      (resourceVersion) =>
        resourceVersion
          ? networking.replaceNamespacedIngress(
              {
                name: NAME,
                namespace,
                body: { ...ingress, metadata: { ...ingress.metadata, resourceVersion } },
              },
              options,
            )
          : networking.createNamespacedIngress({ namespace, body: ingress }, options),
    );
  } catch (error) {
    throw kube.failure(error, 'publish the platform as the ingress default backend', signal);
  }
}

async function ignoreConflict(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!isStatus(error, 409)) throw error;
  }
}
