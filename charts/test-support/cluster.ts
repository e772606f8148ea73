// A chart's tests on the local control plane: namespaces made for the test file (deleted after it),
// and helm install/upgrade and status as the cluster admin, the way the orchestrator installs a store.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import {
  adminConfig,
  helmAsAdmin,
  type TestCluster,
  testCluster,
} from '../../apps/orchestrator/test/support/kube.ts';

/** Call at the top of a test file: registers the hooks that connect and clean up. */
export function chartOnCluster(chartDir: string, namespacePrefix: string) {
  let cluster: TestCluster;
  let admin: KubeConfig;
  let core: CoreV1Api;
  const namespaces: string[] = [];

  beforeAll(() => {
    cluster = testCluster();
    admin = adminConfig(cluster);
    core = admin.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => {});
  });

  return {
    admin: (): KubeConfig => admin,
    helm: (args: string[]): string => helmAsAdmin(cluster, args),

    /** A fresh namespace `<prefix>-<purpose>-<random>`, deleted after the file's tests. */
    async newNamespace(purpose: string): Promise<string> {
      const name = `${namespacePrefix}-${purpose}-${randomBytes(3).toString('hex')}`;
      await core.createNamespace({ body: { metadata: { name } } });
      namespaces.push(name);
      return name;
    },

    /** `helm upgrade --install` that waits for the workloads and Jobs, and rolls back on failure. */
    install(release: string, namespace: string, args: string[]): void {
      helmAsAdmin(cluster, [
        'upgrade',
        '--install',
        release,
        chartDir,
        '-n',
        namespace,
        '--wait=watcher',
        '--wait-for-jobs',
        '--rollback-on-failure',
        '--timeout',
        '3m',
        ...args,
      ]);
    },

    /** The release's status (`deployed`, `failed`, …). */
    status(release: string, namespace: string): string {
      return JSON.parse(helmAsAdmin(cluster, ['status', release, '-n', namespace, '-o', 'json'])).info.status;
    },
  };
}
