// Helpers for tests against the real API server of the local control plane.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { holdFileLock, withFileLock } from '../../../../tools/testcluster/src/file-lock.ts';
import { stderrLog } from '../../../../tools/testcluster/src/log.ts';

export const REPO = resolve(import.meta.dirname, '../../../..');
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

const PLATFORM_RELEASE = 'storefleet';

/**
 * A release left pending by a helm that was killed (a test run stopped mid-upgrade) refuses every
 * later upgrade ("another operation is in progress"): undo it, as the orchestrator does for stores.
 * Only under the lock below, where no other test process can be running helm on it.
 */
function recoverInterruptedPlatformRelease(cluster: TestCluster): void {
  const namespace = ['-n', PLATFORM_NAMESPACE];
  const [release] = JSON.parse(
    helmAsAdmin(cluster, [
      'list',
      ...namespace,
      '--pending',
      '--filter',
      `^${PLATFORM_RELEASE}$`,
      '-o',
      'json',
    ]),
  ) as { status: string }[];
  if (!release) return;
  const history = JSON.parse(
    helmAsAdmin(cluster, ['history', PLATFORM_RELEASE, ...namespace, '-o', 'json']),
  ) as { revision: number; status: string }[];
  const deployed = history.filter((r) => r.status === 'deployed' || r.status === 'superseded').at(-1);
  process.stderr.write(`[kube.ts] recovering the ${release.status} platform release ${PLATFORM_RELEASE}\n`);
  if (release.status === 'pending-install' || !deployed) {
    helmAsAdmin(cluster, ['uninstall', PLATFORM_RELEASE, ...namespace, '--wait=watcher']);
  } else {
    helmAsAdmin(cluster, [
      'rollback',
      PLATFORM_RELEASE,
      String(deployed.revision),
      ...namespace,
      '--wait=watcher',
    ]);
  }
}

/** Installs the platform RBAC (charts/storefleet) and returns a kubeconfig authenticated as its ServiceAccount. */
export async function orchestratorKubeconfig(cluster: TestCluster): Promise<string> {
  // Test files run in parallel and each installs the release: one helm at a time, or the others
  // fail with "another operation (install/upgrade/rollback) is in progress".
  const lock = join(dirname(cluster.adminKubeconfig), 'platform-release.lock');
  await withFileLock(
    lock,
    { what: `the ${PLATFORM_RELEASE} platform release`, timeoutMs: 10 * 60_000, log: stderrLog },
    async () => {
      recoverInterruptedPlatformRelease(cluster);
      helmAsAdmin(cluster, [
        'upgrade',
        '--install',
        PLATFORM_RELEASE,
        PLATFORM_CHART,
        '-n',
        PLATFORM_NAMESPACE,
        '--create-namespace',
        '--wait=watcher',
      ]);
    },
  );
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

/**
 * The ingress's default backend (hosts no store serves, such as an asleep store's) for one test file
 * at a time: Traefik takes only one, so two platforms publishing theirs at once would answer for each
 * other. Returns the release.
 */
export function holdIngressDefaultBackend(cluster: TestCluster): Promise<() => Promise<void>> {
  return holdFileLock(join(dirname(cluster.adminKubeconfig), 'ingress-default-backend.lock'), {
    what: "the ingress's default backend",
    timeoutMs: 20 * 60_000,
    log: stderrLog,
  });
}
