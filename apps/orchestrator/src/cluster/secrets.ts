// The store Secret: written once before the release, read by the chart as `existingSecret`, never
// regenerated (an earlier attempt's credentials are kept).
import { isStatus } from './cluster-errors.ts';
import { type KubeApi, withSignal } from './kube-api.ts';
import type { ClusterSecrets, StoreTarget } from './port.ts';
import { storeLabels } from './store-labels.ts';
import { generateStoreSecrets, STORE_SECRET_NAME } from './store-secrets.ts';

export class KubernetesSecrets implements ClusterSecrets {
  private readonly kube: KubeApi;

  constructor(kube: KubeApi) {
    this.kube = kube;
  }

  async ensureSecrets(target: StoreTarget, signal: AbortSignal): Promise<void> {
    const { core } = this.kube;
    const options = withSignal(signal);
    try {
      await core.readNamespacedSecret({ name: STORE_SECRET_NAME, namespace: target.namespace }, options);
      return;
    } catch (error) {
      if (!isStatus(error, 404)) throw this.kube.failure(error, `read secret ${STORE_SECRET_NAME}`, signal);
    }
    try {
      await core.createNamespacedSecret(
        {
          namespace: target.namespace,
          body: {
            metadata: { name: STORE_SECRET_NAME, labels: storeLabels(target) },
            type: 'Opaque',
            stringData: generateStoreSecrets(target.engine, target.slug),
          },
        },
        options,
      );
    } catch (error) {
      // Created meanwhile by an earlier attempt: keep it, never regenerate credentials.
      if (!isStatus(error, 409)) throw this.kube.failure(error, `create secret ${STORE_SECRET_NAME}`, signal);
    }
  }
}
