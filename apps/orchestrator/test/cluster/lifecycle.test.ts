// The whole store lifecycle against a real Kubernetes API server (the local control plane), with the
// real helm and the real store chart, the orchestrator authenticated as its own ServiceAccount.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../src/cluster/connect.ts';
import type { Cluster, ClusterReleases, DeployedRelease, StoreTarget } from '../../src/cluster/port.ts';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import type { Database } from '../../src/db/database.ts';
import type { Store } from '../../src/domain/store.ts';
import { type Platform, startPlatform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, silentLogger, testConfig, waitFor, waitForState } from '../support/harness.ts';
import {
  adminConfig,
  helmAsAdmin,
  orchestratorKubeconfig,
  type TestCluster,
  testCluster,
} from '../support/kube.ts';

const owner = { ownerId: 'merchant-1' };
/** Names differ per run: a cluster reused from an earlier run may still hold its namespaces. */
const run = randomBytes(2).toString('hex');
const ns = (slug: string) => `store-${slug}-${run}`;

let cluster: TestCluster;
let saKubeconfig: string;
let admin: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let test: TestDatabase;
let database: Database;
const platforms: Platform[] = [];

function clusterEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    KUBECONFIG: saKubeconfig,
    HELM_BIN: cluster.helm,
    STORE_CLUSTER_ROLE: 'storefleet-store',
    ORCHESTRATOR_SERVICE_ACCOUNT: 'storefleet/storefleet-orchestrator',
    PROVISION_TIMEOUT: '90s',
    PROVISION_RETRY_BACKOFF: '200ms',
    LEASE_DURATION: '5s',
    ...overrides,
  };
}

async function start(
  overrides: Record<string, string> = {},
  wrap?: (cluster: Cluster) => Cluster,
): Promise<Platform> {
  const config = testConfig(clusterEnv(overrides));
  const real = await connectCluster(config, silentLogger);
  const platform = await startPlatform({
    config,
    logger: silentLogger,
    database,
    cluster: wrap ? wrap(real) : real,
    pollIntervalMs: 50,
    heartbeatIntervalMs: 500,
  });
  platforms.push(platform);
  return platform;
}

function valuesFile(values: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'storefleet-values-')), 'values.json');
  writeFileSync(file, JSON.stringify(values));
  return file;
}

async function namespaceExists(name: string): Promise<boolean> {
  try {
    await core.readNamespace({ name });
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw error;
  }
}

function helmReleases(namespace: string): { name: string; status: string; revision: string }[] {
  return JSON.parse(helmAsAdmin(cluster, ['list', '-n', namespace, '-o', 'json']));
}

beforeAll(async () => {
  cluster = testCluster();
  saKubeconfig = await orchestratorKubeconfig(cluster);
  admin = adminConfig(cluster);
  core = admin.makeApiClient(CoreV1Api);
  apps = admin.makeApiClient(AppsV1Api);
  test = await createTestDatabase('pglite');
  database = test.database;
});

afterEach(async () => {
  for (const platform of platforms.splice(0)) await platform.stop();
});

afterAll(async () => {
  await test?.close();
});

describe('store lifecycle on a real API server', { timeout: 240_000 }, () => {
  let ready: Store;

  it('provisions a store to Ready: every condition true, timings recorded, release, Secret, quota and limit range in place', async () => {
    const platform = await start();
    // Its ServiceAccount may list nodes (read only), so it tells that the stores' pods are simulated.
    expect(platform.cluster.info()).toMatchObject({ configured: true, simulated: true });
    expect(platform.cluster.info().description).toMatch(
      /^Local control plane v1\.34\.4 at https:\/\/127\.0\.0\.1:\d+: store pods are simulated/,
    );
    const { store } = await platform.commands.create(
      { name: `Cube Shop ${run}`, engine: 'woocommerce' },
      owner,
    );
    ready = await waitForState(database, store.id, 'Ready', 90_000);

    expect(ready.conditions.every((c) => c.status === 'True')).toBe(true);
    for (const step of ['namespace', 'secrets', 'release', 'ready']) {
      expect(ready.stepTimings.provision?.[step]?.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(ready.revision).toBe(1);
    expect(ready.chartVersion).toBe('0.1.0');

    const namespace = await core.readNamespace({ name: ns('cube-shop') });
    expect(namespace.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'storefleet',
      'storefleet.io/store-id': store.id,
      'storefleet.io/owner': 'merchant-1',
    });
    expect(helmReleases(ns('cube-shop'))).toMatchObject([{ name: ns('cube-shop'), status: 'deployed' }]);
    const secret = await core.readNamespacedSecret({
      name: 'store-credentials',
      namespace: ns('cube-shop'),
    });
    expect(Object.keys(secret.data ?? {})).toEqual(
      expect.arrayContaining(['admin-password', 'database-password', 'database-root-password', 'auth-key']),
    );
    expect((await core.listNamespacedResourceQuota({ namespace: ns('cube-shop') })).items).toHaveLength(1);
    expect((await core.listNamespacedLimitRange({ namespace: ns('cube-shop') })).items).toHaveLength(1);

    const resources = await platform.queries.resources(store.id);
    expect(resources.items.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['Pod', 'Service', 'Job', 'PersistentVolumeClaim', 'Ingress']),
    );
    const history = await platform.queries.history(store.id);
    expect(history.map((h) => [h.revision, h.status])).toEqual([[1, 'deployed']]);
  });

  it('upgrades to a changed value (new revision, Ready) and rolls back to the previous values', async () => {
    const platform = await start();
    await platform.commands.upgrade(ready.id, { replicas: 2 });
    const upgraded = await waitForState(database, ready.id, 'Ready', 90_000);
    expect(upgraded.revision).toBe(2);
    expect(upgraded.values).toEqual({ replicas: 2 });
    const deployment = await apps.readNamespacedDeployment({
      name: `${ns('cube-shop')}-app`,
      namespace: ns('cube-shop'),
    });
    expect(deployment.spec?.replicas).toBe(2);

    await platform.commands.rollback(ready.id, 1);
    const rolledBack = await waitForState(database, ready.id, 'Ready', 90_000);
    expect(rolledBack.revision).toBe(3);
    expect(rolledBack.values).toEqual({});
    const restored = await apps.readNamespacedDeployment({
      name: `${ns('cube-shop')}-app`,
      namespace: ns('cube-shop'),
    });
    expect(restored.spec?.replicas).toBe(1);
    const history = await platform.queries.history(ready.id);
    expect(history.map((h) => h.revision)).toEqual([1, 2, 3]);
    expect(history.at(-1)?.description).toMatch(/Rollback to 1/);
  });

  it('watches a Ready store: an unschedulable database pod turns DatabaseReady False with the reason, True once it runs', async () => {
    const platform = await start();
    const namespace = ns('cube-shop');
    await waitFor(
      async () => platform.monitor.watchedStores().includes(ready.id),
      'the watch on the Ready store',
      30_000,
    );
    const databaseObjects = { namespace, labelSelector: 'app.kubernetes.io/component=database' };
    const name =
      (await apps.listNamespacedStatefulSet(databaseObjects)).items[0]?.metadata?.name ?? 'missing';
    const placeOn = (nodeSelector: Record<string, string> | null) =>
      apps.patchNamespacedStatefulSet(
        { name, namespace, body: { spec: { template: { spec: { nodeSelector } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    const databaseCondition = async () =>
      (await platform.queries.get(ready.id)).conditions.find((c) => c.type === 'DatabaseReady');

    await placeOn({ 'storefleet.io/test-node': 'none-has-this' });
    // The replacement pod is first seen unscheduled (reason Starting), then with the scheduler's verdict.
    const degraded = await waitFor(
      async () => {
        const condition = await databaseCondition();
        return condition?.status === 'False' && condition.reason === 'Unschedulable' ? condition : undefined;
      },
      'DatabaseReady to turn False because the pod cannot be scheduled',
      60_000,
      100,
    );
    expect(degraded.message).toMatch(
      /^Database .*: 0\/1 ready\. Pod .*-0 cannot be scheduled: 0\/\d+ nodes are available/,
    );
    expect((await platform.queries.get(ready.id)).state).toBe('Ready');

    await placeOn(null);
    // A StatefulSet does not replace a pod that never became ready; deleting it applies the fixed template.
    await core.deleteCollectionNamespacedPod(databaseObjects);
    await waitFor(
      async () => (await databaseCondition())?.status === 'True',
      'DatabaseReady to turn True again',
      60_000,
      100,
    );
    // The monitor appends the activity entry just after it updates the condition.
    const activities = new ActivityRepository(database.db);
    const health = await waitFor(
      async () => {
        const entries = await activities.list({ storeId: ready.id, limit: 20 });
        const messages = entries.filter((a) => a.type === 'store.health_changed').map((a) => a.message);
        return messages[0]?.startsWith('DatabaseReady is True') ? messages : undefined;
      },
      'the store.health_changed entry of DatabaseReady turning True',
      10_000,
      100,
    );
    expect(health[0]).toMatch(/^DatabaseReady is True/);
    expect(health[1]).toMatch(/^DatabaseReady is False: Database .*: 0\/1 ready\./);
  });

  it('deletes a store: release gone, namespace gone, Deleted, nothing labelled with the store left', async () => {
    const platform = await start();
    await platform.commands.delete(ready.id);
    const deleted = await waitForState(database, ready.id, 'Deleted', 120_000);
    expect(deleted.deletedAt).not.toBeNull();
    expect(await namespaceExists(ns('cube-shop'))).toBe(false);
    expect(helmReleases(ns('cube-shop'))).toEqual([]);
    const labelled = `storefleet.io/store-id=${ready.id}`;
    expect((await core.listNamespace({ labelSelector: labelled })).items).toEqual([]);
    expect((await core.listPodForAllNamespaces({ labelSelector: labelled })).items).toEqual([]);
    expect((await core.listPersistentVolumeClaimForAllNamespaces({ labelSelector: labelled })).items).toEqual(
      [],
    );
    const volumes = await core.listPersistentVolume();
    expect(volumes.items.filter((v) => v.spec?.claimRef?.namespace === ns('cube-shop'))).toEqual([]);
  });

  it('fails on a helm error with a readable reason, and a retry after the fix reaches Ready', async () => {
    const file = valuesFile({ persistence: { size: 'a lot' } });
    const platform = await start({ ENGINE_VALUES_FILES: `woocommerce=${file}` });
    const { store } = await platform.commands.create(
      { name: `Bad Values ${run}`, engine: 'woocommerce' },
      owner,
    );
    const failed = await waitForState(database, store.id, 'Failed', 90_000);
    expect(failed.failure).toMatchObject({
      operation: 'provision',
      step: 'release',
      reason: 'ChartRejected',
      retryable: false,
    });
    expect(failed.failure?.message).toMatch(/\/persistence\/size/);
    expect(failed.failure?.message).toMatch(/does not match pattern/);

    writeFileSync(file, JSON.stringify({ persistence: { size: '2Gi' } }));
    await platform.commands.retry(store.id);
    const fixed = await waitForState(database, store.id, 'Ready', 90_000);
    expect(fixed.failure).toBeNull();
    await platform.commands.delete(store.id);
    await waitForState(database, store.id, 'Deleted', 120_000);
  });

  it("puts a ResourceQuota admission rejection in the store's reason", async () => {
    const file = valuesFile({ quota: { hard: { 'limits.memory': '600Mi', 'requests.memory': '600Mi' } } });
    const platform = await start({ ENGINE_VALUES_FILES: `woocommerce=${file}` });
    const { store } = await platform.commands.create(
      { name: `Over Quota ${run}`, engine: 'woocommerce' },
      owner,
    );
    const failed = await waitForState(database, store.id, 'Failed', 90_000);
    expect(failed.failure).toMatchObject({ step: 'ready', reason: 'QuotaExceeded', retryable: false });
    expect(failed.failure?.message).toMatch(/exceeded quota/);
    await platform.commands.delete(store.id);
    await waitForState(database, store.id, 'Deleted', 120_000);
    expect(await namespaceExists(ns('over-quota'))).toBe(false);
  });

  it('provisions 10 stores at once with never more than MAX_CONCURRENT_PROVISIONS=3 releases in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const counting = (real: Cluster): Cluster => {
      const releases = Object.create(real.releases) as ClusterReleases;
      releases.installRelease = async (
        target: StoreTarget,
        signal: AbortSignal,
      ): Promise<DeployedRelease> => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await real.releases.installRelease(target, signal);
        } finally {
          inFlight--;
        }
      };
      return { ...real, releases };
    };
    const platform = await start({ MAX_CONCURRENT_PROVISIONS: '3', WORKER_CONCURRENCY: '6' }, counting);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push(
        (await platform.commands.create({ name: `Fleet ${i} ${run}`, engine: 'woocommerce' }, owner)).store
          .id,
      );
    }
    for (const id of ids) await waitForState(database, id, 'Ready', 180_000);
    expect(maxInFlight).toBe(3);
    for (const id of ids) await platform.commands.delete(id);
    for (const id of ids) await waitForState(database, id, 'Deleted', 180_000);
  });

  it('upgrades a fleet of stores to the shipped chart, two at a time', async () => {
    const platform = await start();
    const { headers } = await signedIn(platform, `fleet-${run}@example.com`);
    const ids: string[] = [];
    for (const name of ['North', 'South', 'East']) {
      ids.push(
        (await platform.commands.create({ name: `${name} ${run}`, engine: 'woocommerce' }, owner)).store.id,
      );
    }
    for (const id of ids) await waitForState(database, id, 'Ready', 90_000);
    const started = await platform.app.inject({
      method: 'POST',
      url: '/api/fleet/upgrade',
      headers,
      payload: { storeIds: ids, concurrency: 2 },
    });
    expect(started.statusCode).toBe(202);
    const result = await waitFor(
      async () => {
        const current = (
          await platform.app.inject({
            method: 'GET',
            url: `/api/fleet/upgrade/${started.json().id}`,
            headers,
          })
        ).json();
        return current.state === 'running' ? undefined : current;
      },
      'the fleet upgrade',
      120_000,
    );
    expect(result).toMatchObject({ state: 'succeeded', message: 'All 3 stores upgraded.' });
    for (const id of ids) {
      const store = await platform.queries.get(id);
      expect(store.revision).toBe(2);
      expect(helmReleases(store.namespace)).toMatchObject([{ status: 'deployed', revision: '2' }]);
    }
    for (const id of ids) await platform.commands.delete(id);
    for (const id of ids) await waitForState(database, id, 'Deleted', 120_000);
  });

  it('runs as a least-privilege ServiceAccount that is denied outside store namespaces', async () => {
    const orchestrator = new KubeConfig();
    orchestrator.loadFromFile(saKubeconfig);
    const asOrchestrator = orchestrator.makeApiClient(CoreV1Api);
    const denied = (promise: Promise<unknown>) =>
      promise.then(
        () => 'allowed',
        (error: unknown) => (error instanceof ApiException ? error.code : 'error'),
      );
    expect(await denied(asOrchestrator.listNamespacedSecret({ namespace: 'kube-system' }))).toBe(403);
    expect(
      await denied(asOrchestrator.createNamespace({ body: { metadata: { name: 'not-a-store' } } })),
    ).toBe(422);
    const rbac = orchestrator.makeApiClient(RbacAuthorizationV1Api);
    const binding = {
      metadata: { name: 'sneaky' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'storefleet-store' },
      subjects: [{ kind: 'ServiceAccount', name: 'storefleet-orchestrator', namespace: 'storefleet' }],
    };
    // Refused by the admission policy of charts/storefleet (RBAC alone cannot limit this to store namespaces).
    expect(await denied(rbac.createNamespacedRoleBinding({ namespace: 'default', body: binding }))).toBe(422);
    expect(await denied(asOrchestrator.deleteNamespace({ name: 'storefleet' }))).toBe(422);
  });

  it('tells, with an account that may list nodes, that the local control plane simulates its pods', async () => {
    const config = testConfig(clusterEnv({ KUBECONFIG: cluster.adminKubeconfig }));
    const info = (await connectCluster(config, silentLogger)).info();
    expect(info).toMatchObject({ configured: true, simulated: true });
    expect(info.description).toMatch(/pods are simulated \(KWOK\), store URLs will not serve/);
  });
});
