// What a fresh control plane gets before it is handed out: fake nodes for kwok to run, a default
// StorageClass backed by the controller manager's host-path provisioner, and the wait until pods can
// be created (nodes Ready, the default ServiceAccount exists — admission rejects pods before that).
import { setTimeout as sleep } from 'node:timers/promises';
import { type AdminApi, callApi, createIfAbsent } from './admin-api.ts';
import type { Log } from './log.ts';

/**
 * A volume directory of the in-tree host-path provisioner: `/tmp/hostpath_pv/<uuid>`, hard-coded upstream
 * and shared by every cluster on the machine. A hostPath PV anywhere else was not made by it.
 */
export const PROVISIONED_DIR = /^\/tmp\/hostpath_pv\/[0-9a-f-]+$/;

const NODE_RESOURCES = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };

export function fakeNode(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    // Kept at creation and preserved by kwok when it initialises the node.
    status: { allocatable: NODE_RESOURCES, capacity: NODE_RESOURCES },
  };
}

export const STANDARD_STORAGE_CLASS = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'kubernetes.io/host-path',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
};

interface Condition {
  type: string;
  status: string;
}

export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(250);
  }
}

export async function bootstrapCluster(api: AdminApi, nodeCount: number, log: Log): Promise<void> {
  const names = Array.from({ length: nodeCount }, (_, i) => `kwok-node-${i}`);
  for (const name of names) await createIfAbsent(api, '/api/v1/nodes', fakeNode(name));
  await createIfAbsent(api, '/apis/storage.k8s.io/v1/storageclasses', STANDARD_STORAGE_CLASS);
  await waitFor(`${nodeCount} nodes to be Ready (kwok)`, 60_000, async () => {
    const list = await callApi<{
      items: { metadata: { name: string }; status?: { conditions?: Condition[] } }[];
    }>(api, 'GET', '/api/v1/nodes');
    const ready = list.items.filter((node) =>
      node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    return names.every((name) => ready.some((node) => node.metadata.name === name));
  });
  await waitFor('the default ServiceAccount', 60_000, async () => {
    await callApi(api, 'GET', '/api/v1/namespaces/default/serviceaccounts/default');
    return true;
  });
  log(`${nodeCount} nodes Ready, StorageClass standard (default)`);
}

/** Directories the host-path provisioner made for this cluster's volumes (deleted with the cluster). */
export async function hostPathVolumeDirs(api: AdminApi): Promise<string[]> {
  const list = await callApi<{ items: { spec?: { hostPath?: { path?: string } } }[] }>(
    api,
    'GET',
    '/api/v1/persistentvolumes',
  );
  return list.items.map((pv) => pv.spec?.hostPath?.path ?? '').filter((path) => PROVISIONED_DIR.test(path));
}
