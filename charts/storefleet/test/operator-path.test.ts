// The platform as an operator installs it (docs/vps.md), on the real node: `helm install` of this chart
// with the orchestrator image built here, the bundled PostgreSQL, and the dashboard behind the node's
// Traefik. Everything after the install goes through the platform's own URL only: the orchestrator,
// in its pod with the chart's ServiceAccount, provisions a Medusa store, Chromium orders in it, it is
// backed up on demand and by its CronJob (which reaches the orchestrator in-cluster), it sleeps behind
// the chart's fallback Ingress and wakes, the release grows to two replicas while the store keeps
// serving, the store is deleted, and `helm uninstall` leaves nothing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { type Backup, BackupList, Store } from '@storefleet/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from '../../../apps/orchestrator/test/support/browser.ts';
import { type PlatformSend, signUpWith } from '../../../apps/orchestrator/test/support/http-account.ts';
import {
  adminConfig,
  helmAsAdmin,
  holdIngressDefaultBackend,
  testCluster,
} from '../../../apps/orchestrator/test/support/kube.ts';
import { storeHttp } from '../../../apps/orchestrator/test/support/medusa-shopper.ts';
import { podWorkingSetBytes } from '../../../apps/orchestrator/test/support/pod-cgroups.ts';
import { realNode } from '../../../apps/orchestrator/test/support/real-node.ts';
import { checkout } from '../../../apps/orchestrator/test/support/storefront-checkout.ts';
import { until } from '../../../apps/orchestrator/test/support/until.ts';
import { imageRef, readRecipes } from '../../../tools/testcluster/src/node/image-recipes.ts';
import { buildImage, importImage } from '../../../tools/testcluster/src/node/images.ts';
import {
  GATEWAY,
  NODE_LABEL,
  NODE_NAME,
  nodeLayout,
} from '../../../tools/testcluster/src/node/node-layout.ts';
import { CHART, VALUES_LOCAL, valueArgs } from './support/chart.ts';
import { KINDS, releaseObjects } from './support/kube-api.ts';

const cluster = testCluster();
const node = realNode(cluster);
const admin = adminConfig(cluster);
const core = admin.makeApiClient(CoreV1Api);
const apps = admin.makeApiClient(AppsV1Api);
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
const log = (line: string) => process.stderr.write(`[operator path] ${line}\n`);

const id = randomBytes(3).toString('hex');
const RELEASE = `sf-op-${id}`;
const NAMESPACE = `storefleet-op-${id}`;
const FULLNAME = `${RELEASE}-storefleet`;
const HOST = `storefleet-${id}.localhost`;
const API_SERVER_PORT = Number(new URL(admin.getCurrentCluster()?.server ?? 'https://x:0').port);
const MiB = 1024 * 1024;
const runFile = promisify(execFile);

const onTheNode = {
  nodeSelector: { [NODE_LABEL.key]: NODE_LABEL.value },
  tolerations: [{ key: NODE_LABEL.key, operator: 'Equal', value: NODE_LABEL.value, effect: 'NoSchedule' }],
};

/** What an operator sets on top of values-local.yaml for this node (docs/vps.md lists the k3s ones). */
function releaseValues(orchestratorImage: string, replicaCount: number): Record<string, unknown> {
  const [repository, tag] = orchestratorImage.split(':');
  return {
    image: { repository, tag, pullPolicy: 'Never' },
    replicaCount,
    ...onTheNode,
    // Host-path volumes ignore fsGroup (as k3s's local-path does).
    volumePermissions: { enabled: true },
    config: {
      storeUrlPort: node?.ingressPort,
      ingressClass: node?.ingressClass,
      provisionTimeout: '12m',
      maxProvisionRetries: 1,
      provisionRetryBackoff: '2s',
      leaseDuration: '30s',
      // The order shows in the store's insights soon: the orchestrator reads it from the store's app.
      insightsInterval: '10s',
    },
    database: {
      keepOnUninstall: false,
      postgresql: {
        enabled: true,
        image: { repository: 'storefleet.local/postgres', tag: '15', pullPolicy: 'Never' },
        persistence: { size: '1Gi' },
        ...onTheNode,
      },
    },
    // Two replicas share the stores' backups on one node's volume (ReadWriteOnce).
    storeBackups: { persistence: { size: '1Gi', colocateReplicas: true } },
    ingress: { enabled: true, host: HOST },
    // The node's CoreDNS answers on its bridge, and its API server's endpoint has a port of its own.
    networkPolicy: { dnsCidrs: [`${GATEWAY}/32`], apiServerPorts: [443, API_SERVER_PORT] },
  };
}

async function helmInstall(verb: 'install' | 'upgrade', values: Record<string, unknown>): Promise<void> {
  const started = Date.now();
  // Not execFileSync: requests keep being made while it runs.
  await runFile(cluster.helm, [
    '--kubeconfig',
    cluster.adminKubeconfig,
    verb,
    RELEASE,
    CHART,
    '-n',
    NAMESPACE,
    ...(verb === 'install' ? ['--create-namespace'] : []),
    '--wait=watcher',
    '--timeout',
    '6m',
    ...valueArgs({ files: [VALUES_LOCAL], values }),
  ]);
  log(`helm ${verb} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The platform's API through Traefik at its host, as a browser or curl would call it. */
let auth: Record<string, string> = {};
async function api(method: string, path: string, body?: unknown) {
  const response = await storeHttp(node?.ingressPort ?? 0, HOST, method, path, auth, body);
  return { status: response.status, body: response.body as Record<string, unknown>, response };
}

/** Sign-up through the ingress at the platform's host (Node cannot resolve *.localhost for fetch). */
const throughIngress: PlatformSend = async (method, path, headers, body) => {
  const response = await storeHttp(node?.ingressPort ?? 0, HOST, method, path, headers, body);
  return { ...response, setCookie: String(response.headers['set-cookie'] ?? '') };
};

const storeState = async (storeId: string) => Store.parse((await api('GET', `/api/stores/${storeId}`)).body);

function untilState(storeId: string, state: Store['state'], timeoutMs: number): Promise<Store> {
  return until(`the store to be ${state}`, timeoutMs, async () => {
    const store = await storeState(storeId);
    if (store.state === 'Failed') throw new Error(`the store failed: ${JSON.stringify(store.conditions)}`);
    return store.state === state ? store : undefined;
  });
}

async function backups(storeId: string): Promise<BackupList> {
  return BackupList.parse((await api('GET', `/api/stores/${storeId}/backups`)).body);
}

function untilBackup(storeId: string, what: string, pick: (b: Backup) => boolean): Promise<Backup> {
  return until(what, 5 * 60_000, async () => {
    const found = (await backups(storeId)).items.find(pick);
    if (found?.status === 'failed') throw new Error(`${what}: the backup failed: ${found.failure}`);
    return found?.status === 'succeeded' ? found : undefined;
  });
}

const hostOf = (store: Store) => new URL(store.urls.storefront).hostname;

/**
 * GETs each of `paths` (host, path) over and over until `done` settles and `settleMs` more have
 * passed; returns every answer that was not a 200 within 5 s (a request sent to a pod that is gone
 * waits for the ingress's 30 s dial timeout).
 */
async function watchAnswers(paths: [string, string][], done: Promise<unknown>, settleMs: number) {
  const misses: string[] = [];
  let stopAt = Number.POSITIVE_INFINITY;
  void done.finally(() => {
    stopAt = Date.now() + settleMs;
  });
  let asked = 0;
  while (Date.now() < stopAt) {
    for (const [host, path] of paths) {
      const started = Date.now();
      const answer = await Promise.race([
        storeHttp(node?.ingressPort ?? 0, host, 'GET', path, host === HOST ? auth : {}).then((r) =>
          String(r.status),
        ),
        sleep(5_000).then(() => 'no answer within 5 s'),
      ]).catch((error: Error) => error.message);
      asked += 1;
      if (answer !== '200') misses.push(`${new Date(started).toISOString()} ${host}${path}: ${answer}`);
    }
    await sleep(200);
  }
  return { asked, misses };
}
function namespaceGone(name: string, timeoutMs: number): Promise<true> {
  return until(`namespace ${name} to go`, timeoutMs, async () =>
    (await core.listNamespace()).items.some((ns) => ns.metadata?.name === name) ? undefined : true,
  );
}

const storefrontAnswers = async (store: Store) =>
  (await storeHttp(node?.ingressPort ?? 0, hostOf(store), 'GET', '/')).status;

async function orchestratorPods() {
  const pods = await core.listNamespacedPod({
    namespace: NAMESPACE,
    labelSelector: 'app.kubernetes.io/component=orchestrator',
  });
  return pods.items.filter((pod) => !pod.metadata?.deletionTimestamp);
}

/**
 * Everything of the release still in the cluster, namespaced and cluster-scoped. Traefik's Middleware
 * is left out: this cluster has no such CRD, and the release renders one only for https redirects.
 */
const leftovers = () =>
  releaseObjects(
    admin,
    RELEASE,
    NAMESPACE,
    KINDS.filter((kind) => kind !== 'Middleware'),
  );

const title = node
  ? 'the platform chart installed as an operator would, on the real node'
  : 'the platform chart on the real node (skipped: the test cluster has no real node on this host)';

describe.runIf(node)(title, { timeout: 15 * 60_000 }, () => {
  let store: Store | undefined;
  let browser: Browser | undefined;
  let uninstalled = false;
  let releaseDefaultBackend: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // The release's fallback Ingress is the ingress's default backend from install to uninstall.
    releaseDefaultBackend = await holdIngressDefaultBackend(cluster);
    const recipe = (await readRecipes()).get('orchestrator');
    if (!recipe) throw new Error('no images/orchestrator/image.json');
    const archive = await buildImage('orchestrator', recipe, log);
    await importImage(
      nodeLayout(dirname(cluster.adminKubeconfig)).containerdSocket,
      imageRef(recipe),
      archive,
      log,
    );
    await helmInstall('install', releaseValues(imageRef(recipe), 1));
  }, 30 * 60_000);

  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    for (const pod of await orchestratorPods().catch(() => [])) {
      const name = pod.metadata?.name ?? '';
      const logs = await core
        .readNamespacedPodLog({ name, namespace: NAMESPACE, container: 'orchestrator', tailLines: 40 })
        .catch((error: Error) => error.message);
      log(`the last lines of ${name}:\n${logs}`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    if (store && !uninstalled) {
      await api('DELETE', `/api/stores/${store.id}`).catch(() => undefined);
      await namespaceGone(store.namespace, 180_000).catch(() => undefined);
    }
    if (!uninstalled) {
      try {
        helmAsAdmin(cluster, ['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '3m']);
      } catch {}
    }
    await core.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
    await releaseDefaultBackend?.();
  }, 8 * 60_000);

  it('runs the orchestrator image and the bundled PostgreSQL on the real node', async () => {
    const pods = (await core.listNamespacedPod({ namespace: NAMESPACE })).items;
    const components = pods.map((pod) => pod.metadata?.labels?.['app.kubernetes.io/component']).sort();
    expect(components).toEqual(['orchestrator', 'postgresql']);
    for (const pod of pods) {
      expect(pod.spec?.nodeName, pod.metadata?.name).toBe(NODE_NAME);
      expect(pod.status?.phase, pod.metadata?.name).toBe('Running');
    }
    const [orchestrator] = await orchestratorPods();
    expect(orchestrator?.spec?.serviceAccountName).toBe(`${FULLNAME}-orchestrator`);
    const memory = podWorkingSetBytes(orchestrator?.metadata?.uid ?? '');
    log(`orchestrator pod memory at rest (on PostgreSQL): ${(memory / MiB).toFixed(0)} MiB`);
    expect(memory).toBeGreaterThan(0);
  });

  it("serves the dashboard and the API at the platform's host through the ingress", async () => {
    // Traefik applies a new Ingress within seconds of the install.
    const page = await until('the dashboard at its host', 30_000, async () => {
      const answer = await storeHttp(node?.ingressPort ?? 0, HOST, 'GET', '/');
      return answer.status === 200 ? answer : undefined;
    });
    expect(page.text).toMatch(/<div id="root">/);
    auth = await signUpWith(throughIngress, `operator-${id}@example.com`);
    const platform = await api('GET', '/api/platform');
    expect(platform.status).toBe(200);
    const cluster = platform.body.cluster as { simulated: boolean };
    expect(cluster.simulated).toBe(false);
    const engines = platform.body.engines as { engine: string; available: boolean }[];
    expect(engines.find((e) => e.engine === 'medusa')?.available).toBe(true);
  });

  it('provisions a Medusa store from its pod, with the release’s own store role', async () => {
    const created = await api('POST', '/api/stores', { name: `Operator ${id}`, engine: 'medusa' });
    expect(created.status, created.response.text).toBe(202);
    const started = Date.now();
    store = await untilState(Store.parse(created.body).id, 'Ready', 12 * 60_000);
    log(`Medusa store Ready ${((Date.now() - started) / 1000).toFixed(0)} s after POST`);
    expect(store.urls.storefront).toBe(`http://${store.slug}.localhost:${node?.ingressPort}`);
    const pods = await core.listNamespacedPod({ namespace: store.namespace });
    expect(pods.items.length).toBeGreaterThan(0);
    for (const pod of pods.items) expect(pod.spec?.nodeName, pod.metadata?.name).toBe(NODE_NAME);
    // Only this release's orchestrator knows its store ClusterRole: it bound it in the store's namespace.
    const bindings = await rbac.listNamespacedRoleBinding({ namespace: store.namespace });
    expect(bindings.items.map((binding) => binding.roleRef.name)).toContain(`${FULLNAME}-store`);
  });

  it('takes an order in Chromium through the store’s storefront, which its insights count', async () => {
    if (!store) throw new Error('no store: the previous test failed');
    browser = await launchBrowser({ width: 1280, height: 900 });
    const { orderNumber } = await checkout(browser.page, store.urls.storefront, `shopper-${id}@example.com`);
    expect(Number(orderNumber)).toBeGreaterThan(0);
    // Read by the orchestrator in its pod from the store's app, through both sides' NetworkPolicies.
    const current = store;
    await until('the order in the store insights', 120_000, async () => {
      const insights = await api('GET', `/api/stores/${current.id}/insights?range=1h`);
      const totals = insights.body.totals as { orders: number | null } | undefined;
      return (totals?.orders ?? 0) >= 1 ? true : undefined;
    });
  });

  it('backs the store up on demand and by its schedule (the CronJob reaches the orchestrator in-cluster)', async () => {
    if (!store) throw new Error('no store: the previous test failed');
    const asked = await api('POST', `/api/stores/${store.id}/backups`);
    expect(asked.status, asked.response.text).toBe(202);
    const manual = await untilBackup(store.id, 'the backup on demand', (b) => b.trigger === 'manual');
    expect(manual.sizeBytes).toBeGreaterThan(0);
    await untilState(store.id, 'Ready', 120_000);

    const every = await api('PUT', `/api/stores/${store.id}/backup-schedule`, { cron: '* * * * *', keep: 5 });
    expect(every.status, every.response.text).toBe(200);
    const scheduled = await untilBackup(store.id, 'a scheduled backup', (b) => b.trigger === 'schedule');
    expect(scheduled.sizeBytes).toBeGreaterThan(0);
    const off = await api('PUT', `/api/stores/${store.id}/backup-schedule`, { cron: null, keep: 5 });
    expect(off.status, off.response.text).toBe(200);
    await untilState(store.id, 'Ready', 120_000);
  });

  it("sleeps behind the chart's fallback Ingress, which serves the asleep page, and wakes from it", async () => {
    if (!store) throw new Error('no store: the previous test failed');
    const current = store;
    expect((await api('POST', `/api/stores/${current.id}/sleep`)).status).toBe(202);
    await untilState(current.id, 'Asleep', 5 * 60_000);
    const asleep = await until('the asleep page at the store host', 60_000, async () => {
      const visit = await storeHttp(node?.ingressPort ?? 0, hostOf(current), 'GET', '/');
      return visit.headers['x-storefleet-page'] === 'asleep' ? visit : undefined;
    });
    expect(asleep.status).toBe(503);
    expect(asleep.text).toContain('Wake the store');
    // A visitor's wake button posts to the store's own host: the fallback hands it to the orchestrator.
    const wake = await storeHttp(node?.ingressPort ?? 0, hostOf(current), 'POST', '/.storefleet/wake');
    expect(wake.status).toBe(303);
    await untilState(current.id, 'Ready', 5 * 60_000);
    await until('the storefront to answer again', 120_000, async () =>
      (await storefrontAnswers(current)) === 200 ? true : undefined,
    );
  });

  it('grows to two replicas with helm upgrade while the store keeps serving and working', async () => {
    if (!store) throw new Error('no store: the previous test failed');
    const recipe = (await readRecipes()).get('orchestrator');
    const upgraded = helmInstall('upgrade', releaseValues(imageRef(recipe ?? expect.unreachable()), 2));
    // The old pod stops once both new ones serve; its requests must have gone elsewhere by then.
    const watched = watchAnswers(
      [
        [HOST, '/api/platform'],
        [hostOf(store), '/'],
      ],
      upgraded,
      20_000,
    );
    await upgraded;
    const { asked, misses } = await watched;
    log(`${asked} requests to the platform and the storefront during and after the upgrade`);
    expect(misses).toEqual([]);
    expect(asked).toBeGreaterThan(20);
    const deployment = await apps.readNamespacedDeployment({
      name: `${FULLNAME}-orchestrator`,
      namespace: NAMESPACE,
    });
    expect(deployment.status?.availableReplicas).toBe(2);
    const pods = await orchestratorPods();
    expect(pods).toHaveLength(2);
    for (const pod of pods) expect(pod.spec?.nodeName).toBe(NODE_NAME);
    expect(await storefrontAnswers(store)).toBe(200);
    expect((await storeState(store.id)).state).toBe('Ready');
    // Work still gets done: a backup through whichever replica takes the job.
    const before = new Set((await backups(store.id)).items.map((b) => b.id));
    expect((await api('POST', `/api/stores/${store.id}/backups`)).status).toBe(202);
    await untilBackup(store.id, 'a backup after the upgrade', (b) => !before.has(b.id));
  });

  it('deletes the store: its namespace goes', async () => {
    if (!store) throw new Error('no store: the previous test failed');
    expect((await api('DELETE', `/api/stores/${store.id}`)).status).toBe(202);
    await namespaceGone(store.namespace, 5 * 60_000);
    expect((await storeState(store.id)).state).toBe('Deleted');
    store = undefined;
  });

  it('uninstalls without leaving anything behind', async () => {
    helmAsAdmin(cluster, ['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '3m']);
    uninstalled = true;
    await until('the release to be gone', 120_000, async () =>
      (await leftovers()).length === 0 ? true : undefined,
    );
    const claims = await core.listNamespacedPersistentVolumeClaim({ namespace: NAMESPACE });
    expect(claims.items.map((claim) => claim.metadata?.name)).toEqual([]);
    const secrets = await core.listNamespacedSecret({ namespace: NAMESPACE });
    expect(secrets.items.map((secret) => secret.metadata?.name)).toEqual([]);
    await until('the pods to stop', 120_000, async () =>
      (await core.listNamespacedPod({ namespace: NAMESPACE })).items.length === 0 ? true : undefined,
    );
    // Their volumes go with the claims (reclaim policy Delete).
    await until('the volumes to go', 120_000, async () =>
      (await core.listPersistentVolume()).items.some(
        (volume) => volume.spec?.claimRef?.namespace === NAMESPACE,
      )
        ? undefined
        : true,
    );
  });
});
