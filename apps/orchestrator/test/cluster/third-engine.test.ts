// An engine is one folder and one chart: a third engine, from a fixture folder (its engine module and
// its chart) named in ENGINE_MODULES, is offered by GET /api/platform with its descriptor and runs a
// store's whole lifecycle on the simulated nodes of the real API server, with the real helm, the
// orchestrator authenticated as its own ServiceAccount. No other file of the platform names it.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { PlatformInfo, Store } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../src/cluster/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { type Platform, startPlatform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, silentLogger, testConfig, waitForState } from '../support/harness.ts';
import { adminConfig, helmAsAdmin, orchestratorKubeconfig, testCluster } from '../support/kube.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'engines', 'shopfront');
const run = randomBytes(2).toString('hex');
const cluster = testCluster();
let test: TestDatabase;
let database: Database;
let platform: Platform;
let auth: Record<string, string>;

const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
  const response = await platform.app.inject({
    method,
    url,
    headers: auth,
    ...(body ? { payload: body } : {}),
  });
  return { status: response.statusCode, body: response.json() as unknown };
};

beforeAll(async () => {
  test = await createTestDatabase('pglite');
  database = test.database;
  const config = testConfig({
    KUBECONFIG: await orchestratorKubeconfig(cluster),
    HELM_BIN: cluster.helm,
    STORE_CLUSTER_ROLE: 'storefleet-store',
    ORCHESTRATOR_SERVICE_ACCOUNT: 'storefleet/storefleet-orchestrator',
    ENGINE_MODULES: FIXTURE,
    PROVISION_TIMEOUT: '120s',
  });
  platform = await startPlatform({
    config,
    logger: silentLogger,
    database,
    cluster: await connectCluster(config, silentLogger),
    pollIntervalMs: 100,
    heartbeatIntervalMs: 1_000,
  });
  auth = (await signedIn(platform, `third-${run}@example.com`)).headers;
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  await test?.close();
});

describe('a third engine from a fixture folder and chart', { timeout: 300_000 }, () => {
  it('is offered with its descriptor, provisioned to Ready on simulated pods, and deleted', async () => {
    const info = PlatformInfo.parse((await api('GET', '/api/platform')).body);
    expect(info.engines.map((engine) => engine.engine)).toEqual(['woocommerce', 'medusa', 'shopfront']);
    expect(info.engines.find((engine) => engine.engine === 'shopfront')).toEqual({
      engine: 'shopfront',
      displayName: 'Shopfront',
      login: 'username',
      adminPath: '/admin/',
      backupParts: ['database'],
      available: true,
      pods: 'simulated',
      reason: null,
    });

    const created = await api('POST', '/api/stores', { name: `Third ${run}`, engine: 'shopfront' });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const store = Store.parse(created.body);
    expect(store.urls.admin).toBe(`http://third-${run}.localhost/admin/`);
    const ready = await waitForState(database, store.id, 'Ready', 180_000);
    expect(ready.conditions.every((condition) => condition.status === 'True')).toBe(true);
    const releases = JSON.parse(helmAsAdmin(cluster, ['list', '-n', store.namespace, '-o', 'json'])) as {
      chart: string;
      status: string;
    }[];
    expect(releases).toEqual([expect.objectContaining({ chart: 'shopfront-0.1.0', status: 'deployed' })]);
    const pods = await adminConfig(cluster)
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: store.namespace });
    expect(pods.items.map((pod) => pod.metadata?.labels?.['app.kubernetes.io/component']).sort()).toEqual(
      expect.arrayContaining(['app', 'database']),
    );

    expect((await api('DELETE', `/api/stores/${store.id}`)).status).toBe(202);
    await waitForState(database, store.id, 'Deleted', 180_000);
  });
});
