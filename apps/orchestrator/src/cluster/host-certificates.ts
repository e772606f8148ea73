// The certificate Secret of a custom domain's host (`tls-<host>` in the store's namespace: cert-manager
// fills it from the Ingress's tls entry). Removing a domain deletes it once the host is off the Ingress,
// so that nothing recreates it; a Secret that is not there (a resolver keeps its certificates itself)
// is fine.
import { isStatus } from './cluster-errors.ts';
import { type KubeApi, withSignal } from './kube-api.ts';
import type { ClusterCertificates, StoreTarget } from './port.ts';

/** The chart's name for a domain's certificate Secret (the charts' templates/ingress.yaml). */
export const hostCertificateSecret = (host: string) => `tls-${host}`;

export class KubernetesHostCertificates implements ClusterCertificates {
  private readonly kube: KubeApi;

  constructor(kube: KubeApi) {
    this.kube = kube;
  }

  async deleteHostCertificate(target: StoreTarget, host: string, signal: AbortSignal): Promise<void> {
    const name = hostCertificateSecret(host);
    try {
      await this.kube.core.deleteNamespacedSecret({ name, namespace: target.namespace }, withSignal(signal));
    } catch (error) {
      if (!isStatus(error, 404)) throw this.kube.failure(error, `delete secret ${name}`, signal);
    }
  }
}
