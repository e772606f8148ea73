// The store Secret: written once before the release, read by the chart as `existingSecret`, never
// regenerated (an earlier attempt's credentials are kept). Beside it, the platform's SMTP password,
// rewritten on every deploy so that a changed password reaches every store with its next upgrade.
import { isStatus } from './cluster-errors.ts';
import { createOrReplace, type KubeApi, withSignal } from './kube-api.ts';
import type { ClusterSecrets, StoreTarget } from './port.ts';
import { storeLabels } from './store-labels.ts';
import {
  generateStoreSecrets,
  SMTP_PASSWORD_KEY,
  SMTP_SECRET_NAME,
  STORE_SECRET_NAME,
} from './store-secrets.ts';

export class KubernetesSecrets implements ClusterSecrets {
  private readonly kube: KubeApi;
  private readonly smtpPassword: string | undefined;

  constructor(kube: KubeApi, smtpPassword?: string) {
    this.kube = kube;
    this.smtpPassword = smtpPassword;
  }

  async ensureSecrets(target: StoreTarget, signal: AbortSignal): Promise<void> {
    await this.ensureCredentials(target, signal);
    if (this.smtpPassword !== undefined) await this.writeSmtpPassword(target, this.smtpPassword, signal);
  }

  private async writeSmtpPassword(target: StoreTarget, password: string, signal: AbortSignal): Promise<void> {
    const { core } = this.kube;
    const options = withSignal(signal);
    const body = {
      metadata: { name: SMTP_SECRET_NAME, labels: storeLabels(target) },
      type: 'Opaque',
      stringData: { [SMTP_PASSWORD_KEY]: password },
    };
    try {
      await createOrReplace(
        () => core.readNamespacedSecret({ name: SMTP_SECRET_NAME, namespace: target.namespace }, options),
        (resourceVersion) =>
          resourceVersion
            ? core.replaceNamespacedSecret(
                {
                  name: SMTP_SECRET_NAME,
                  namespace: target.namespace,
                  body: { ...body, metadata: { ...body.metadata, resourceVersion } },
                },
                options,
              )
            : core.createNamespacedSecret({ namespace: target.namespace, body }, options),
      );
    } catch (error) {
      throw this.kube.failure(error, `write secret ${SMTP_SECRET_NAME}`, signal);
    }
  }

  private async ensureCredentials(target: StoreTarget, signal: AbortSignal): Promise<void> {
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
