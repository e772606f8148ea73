// A Medusa store's whole lifecycle on the simulated nodes, as the WooCommerce one in lifecycle.test.ts:
// the real API server, helm and charts/medusa, the orchestrator as its own least-privilege account.
// (Real pods and an order in a browser: medusa-order.test.ts.)
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../src/cluster/connect.ts';
import type { Store } from '../../src/domain/store.ts';
import { type Platform, startPlatform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { silentLogger, testConfig, waitForState } from '../support/harness.ts';
import { adminConfig, helmAsAdmin, orchestratorKubeconfig, testCluster } from '../support/kube.ts';

const owner = { ownerId: 'merchant-m' };
const run = randomBytes(2).toString('hex');
const cluster = testCluster();
const core = adminConfig(cluster).makeApiClient(CoreV1Api);
const apps = adminConfig(cluster).makeApiClient(AppsV1Api);
let kubeconfig: string;
let test: TestDatabase;
const platforms: Platform[] = [];

async function start(): Promise<Platform> {
  const config = testConfig({
    KUBECONFIG: kubeconfig,
    HELM_BIN: cluster.helm,
    STORE_CLUSTER_ROLE: 'storefleet-store',
    ORCHESTRATOR_SERVICE_ACCOUNT: 'storefleet/storefleet-orchestrator',
    PROVISION_TIMEOUT: '90s',
    PROVISION_RETRY_BACKOFF: '200ms',
    MAX_PROVISION_RETRIES: '1',
  });
  const platform = await startPlatform({
    config,
    logger: silentLogger,
    database: test.database,
    cluster: await connectCluster(config, silentLogger),
    pollIntervalMs: 50,
    heartbeatIntervalMs: 500,
  });
  platforms.push(platform);
  return platform;
}

const releases = (namespace: string): { revision: string; status: string }[] =>
  JSON.parse(helmAsAdmin(cluster, ['list', '-n', namespace, '-o', 'json']));

beforeAll(async () => {
  kubeconfig = await orchestratorKubeconfig(cluster);
  test = await createTestDatabase('pglite');
});
afterEach(async () => {
  for (const platform of platforms.splice(0)) await platform.stop();
});
afterAll(async () => {
  await test?.close();
});

describe('a Medusa store on the simulated nodes', { timeout: 240_000 }, () => {
  let ready: Store;

  it('provisions to Ready with every condition true: its chart, Secret, guardrails and workloads', async () => {
    const platform = await start();
    const { store } = await platform.commands.create({ name: `Medusa Mart ${run}`, engine: 'medusa' }, owner);
    ready = await waitForState(test.database, store.id, 'Ready', 120_000);
    expect(ready.conditions.every((c) => c.status === 'True')).toBe(true);
    expect(ready.chartVersion).toBe('0.1.0');
    expect(releases(ready.namespace)).toMatchObject([{ status: 'deployed' }]);
    const secret = await core.readNamespacedSecret({ name: 'store-credentials', namespace: ready.namespace });
    expect(Object.keys(secret.data ?? {})).toEqual(
      expect.arrayContaining([
        'admin-email',
        'admin-password',
        'database-password',
        'jwt-secret',
        'cookie-secret',
      ]),
    );
    const components = (await apps.listNamespacedDeployment({ namespace: ready.namespace })).items.map(
      (d) => d.metadata?.labels?.['app.kubernetes.io/component'],
    );
    expect(components.sort()).toEqual(['app', 'storefront']);
    expect((await core.listNamespacedResourceQuota({ namespace: ready.namespace })).items).toHaveLength(1);
    expect((await core.listNamespacedLimitRange({ namespace: ready.namespace })).items).toHaveLength(1);
    const resources = await platform.queries.resources(store.id);
    expect(resources.items.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['Pod', 'Service', 'Job', 'PersistentVolumeClaim', 'Ingress']),
    );
    // Simulated placement: no pod asks for the real node.
    const pods = await core.listNamespacedPod({ namespace: ready.namespace });
    for (const pod of pods.items)
      expect(pod.spec?.nodeSelector ?? {}).not.toHaveProperty('storefleet.io/node');
  });

  it("refuses a second server without Redis with the chart's reason, untouched, and upgrades back", async () => {
    const platform = await start();
    await platform.commands.upgrade(ready.id, { replicas: 2 });
    const failed = await waitForState(test.database, ready.id, 'Failed', 90_000);
    expect(failed.failure?.message).toMatch(/redis/i);
    expect(releases(ready.namespace)).toMatchObject([{ revision: '1', status: 'deployed' }]);
    await platform.commands.upgrade(ready.id, { replicas: 1 });
    const back = await waitForState(test.database, ready.id, 'Ready', 90_000);
    expect(back.values).toEqual({ replicas: 1 });
    expect(back.revision).toBe(2);
    expect(back.conditions.every((c) => c.status === 'True')).toBe(true);
  });

  it('is deleted with nothing left', async () => {
    const platform = await start();
    await platform.commands.delete(ready.id);
    await waitForState(test.database, ready.id, 'Deleted', 120_000);
    const labelled = `storefleet.io/store-id=${ready.id}`;
    expect((await core.listNamespace({ labelSelector: labelled })).items).toEqual([]);
    expect((await core.listPodForAllNamespaces({ labelSelector: labelled })).items).toEqual([]);
    const volumes = await core.listPersistentVolume();
    expect(volumes.items.filter((v) => v.spec?.claimRef?.namespace === ready.namespace)).toEqual([]);
  });
});
