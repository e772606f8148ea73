// What the e2e script reads from the cluster itself (KUBECONFIG): the store's credentials Secret, and
// after deletion, that nothing of the store is left.
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export function kubeClient(): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromDefault();
  return config.makeApiClient(CoreV1Api);
}

export async function adminCredentials(
  core: CoreV1Api,
  namespace: string,
): Promise<{ username: string; password: string }> {
  const secret = await core.readNamespacedSecret({ name: 'store-credentials', namespace });
  const read = (key: string) => {
    const value = secret.data?.[key];
    if (!value) throw new Error(`Secret ${namespace}/store-credentials has no ${key}`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
  return { username: read('admin-username'), password: read('admin-password') };
}

/** What is left of a deleted store: its namespace, labelled pods, claims and volumes (empty when clean). */
export async function leftovers(core: CoreV1Api, namespace: string, storeId: string): Promise<string[]> {
  const left: string[] = [];
  try {
    const existing = await core.readNamespace({ name: namespace });
    left.push(`namespace ${namespace} (${existing.status?.phase})`);
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
  }
  const labelSelector = `storefleet.io/store-id=${storeId}`;
  for (const pod of (await core.listPodForAllNamespaces({ labelSelector })).items) {
    left.push(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
  }
  for (const claim of (await core.listPersistentVolumeClaimForAllNamespaces({ labelSelector })).items) {
    left.push(`claim ${claim.metadata?.namespace}/${claim.metadata?.name}`);
  }
  for (const volume of (await core.listPersistentVolume()).items) {
    if (volume.spec?.claimRef?.namespace === namespace) left.push(`volume ${volume.metadata?.name}`);
  }
  return left;
}
