// Helpers for tests against the real API server of the local control plane.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

export const REPO = resolve(import.meta.dirname, '../../../..');
export const STORE_CHART = process.env.STOREFLEET_TEST_STORE_CHART ?? join(REPO, 'charts/store');
export const PLATFORM_CHART = join(REPO, 'charts/storefleet');
export const PLATFORM_NAMESPACE = 'storefleet';
export const SERVICE_ACCOUNT = 'storefleet-orchestrator';

export interface TestCluster {
  adminKubeconfig: string;
  helm: string;
}

export function testCluster(): TestCluster {
  return { adminKubeconfig: inject('kubeconfig'), helm: inject('helm') };
}

export function adminConfig(cluster: TestCluster): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(cluster.adminKubeconfig);
  return config;
}

/** Runs the pinned helm as the cluster admin; returns stdout. */
export function helmAsAdmin(cluster: TestCluster, args: string[]): string {
  return execFileSync(cluster.helm, [...args, '--kubeconfig', cluster.adminKubeconfig], { encoding: 'utf8' });
}

/** Installs the platform RBAC (charts/storefleet) and returns a kubeconfig authenticated as its ServiceAccount. */
export async function orchestratorKubeconfig(cluster: TestCluster): Promise<string> {
  helmAsAdmin(cluster, [
    'upgrade',
    '--install',
    'storefleet',
    PLATFORM_CHART,
    '-n',
    PLATFORM_NAMESPACE,
    '--create-namespace',
    '--wait=watcher',
  ]);
  const admin = adminConfig(cluster);
  const request = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: SERVICE_ACCOUNT,
    namespace: PLATFORM_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 7200 } },
  });
  const current = admin.getCurrentCluster();
  if (!current) throw new Error('admin kubeconfig has no cluster');
  const file = join(mkdtempSync(join(tmpdir(), 'storefleet-sa-')), 'orchestrator.kubeconfig');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server: current.server, caData: current.caData, caFile: current.caFile }],
    users: [{ name: SERVICE_ACCOUNT, token: request.status?.token }],
    contexts: [{ name: 'orchestrator', cluster: 'test', user: SERVICE_ACCOUNT }],
    currentContext: 'orchestrator',
  });
  writeFileSync(file, config.exportConfig(), { mode: 0o600 });
  return file;
}
