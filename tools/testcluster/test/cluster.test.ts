// The real thing: a control plane from the pinned binaries (built first if missing), workloads on it
// through @kubernetes/client-node, helm, and a teardown that leaves nothing behind.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ApiException, AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBinaries, resolveHelm } from '../src/binaries.ts';
import { clusterStatus } from '../src/cluster-status.ts';
import { clusterDown, clusterUp } from '../src/control-plane.ts';
import { clusterLayout } from '../src/layout.ts';
import { isRunning, readProcessRecords } from '../src/processes.ts';
import { acquireCluster } from '../src/shared-cluster.ts';

const root = await mkdtemp(join(tmpdir(), 'testcluster-it-'));
const started: string[] = [];

beforeAll(async () => {
  // The first build on a machine takes about 10 minutes; it prints progress to stderr.
  await resolveBinaries({ build: true });
  await resolveHelm({ build: true });
}, 45 * 60_000);

afterAll(async () => {
  for (const dir of started) await clusterDown(dir).catch(() => {});
  await rm(root, { recursive: true, force: true });
}, 60_000);

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function clients(kubeconfig: string) {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  return {
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
  };
}

const image = 'registry.invalid/app:1'; // never pulled: kwok runs no containers

async function expectRejected(promise: Promise<unknown>, code: number, pattern: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  expect((error as ApiException<unknown>).code).toBe(code);
  const body = (error as ApiException<unknown>).body;
  expect((JSON.parse(String(body)) as { message: string }).message).toMatch(pattern);
}

describe('the test cluster', () => {
  it('runs workloads, enforces admission, installs a chart, and is removed without a trace', async () => {
    const dir = join(root, 'one');
    started.push(dir);
    const t0 = Date.now();
    const cluster = await clusterUp({ dir, node: 'simulated' });
    const upMs = Date.now() - t0;
    expect(cluster).toMatchObject({ dir, kubeconfig: join(dir, 'admin.kubeconfig'), started: true });
    const { core, apps, batch } = clients(cluster.kubeconfig);
    const namespace = 'smoke';
    await core.createNamespace({ body: { metadata: { name: namespace } } });

    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image }] } },
        },
      },
    });
    await batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'once' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'once', image }] } } },
      },
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });

    await eventually('the Deployment to be Ready', async () => {
      const { status } = await apps.readNamespacedDeployment({ name: 'web', namespace });
      return status?.readyReplicas === 3 && status.availableReplicas === 3;
    });
    await eventually('the Job to complete', async () => {
      const { status } = await batch.readNamespacedJob({ name: 'once', namespace });
      return status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
    });
    const volumeName = await eventually('the PVC to bind', async () => {
      const pvc = await core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace });
      return pvc.status?.phase === 'Bound' ? pvc.spec?.volumeName : undefined;
    });
    const pv = await core.readPersistentVolume({ name: volumeName });
    expect(pv.spec?.storageClassName).toBe('standard');
    const volumeDir = pv.spec?.hostPath?.path ?? '';
    expect(volumeDir).toMatch(/^\/tmp\/hostpath_pv\//);
    expect(existsSync(volumeDir)).toBe(true);

    // NamespaceLifecycle, LimitRanger and ResourceQuota are active.
    await expectRejected(
      core.createNamespacedConfigMap({ namespace: 'no-such-namespace', body: { metadata: { name: 'x' } } }),
      404,
      /namespaces "no-such-namespace" not found/,
    );
    await core.createNamespacedLimitRange({
      namespace,
      body: {
        metadata: { name: 'defaults' },
        spec: { limits: [{ type: 'Container', _default: { cpu: '250m' }, defaultRequest: { cpu: '100m' } }] },
      },
    });
    // The admission plugins read LimitRanges and ResourceQuotas from the API server's informer cache,
    // and remember for a while that a namespace had none (here: since the Deployment above): a new one
    // applies a moment later. Dry runs (admitted, never stored) until it does.
    const pod = await eventually('the LimitRange defaults to be applied', async () => {
      const created = await core.createNamespacedPod({
        namespace,
        dryRun: 'All',
        body: { metadata: { name: 'limited' }, spec: { containers: [{ name: 'c', image }] } },
      });
      return created.spec?.containers[0]?.resources?.limits ? created : undefined;
    });
    expect(pod.spec?.containers[0]?.resources?.limits).toEqual({ cpu: '250m' });
    await core.createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: 'quota' }, spec: { hard: { secrets: '1' } } },
    });
    await eventually('the quota to be counted', async () => {
      const quota = await core.readNamespacedResourceQuota({ name: 'quota', namespace });
      return quota.status?.used?.secrets !== undefined;
    });
    // Refused ("status unknown for quota") until the admission plugin sees the counted quota.
    await eventually('the first secret to be admitted', () =>
      core.createNamespacedSecret({ namespace, body: { metadata: { name: 'first' } } }).then(() => true),
    );
    const second = { namespace, body: { metadata: { name: 'second' } } };
    // Admitted as long as the plugin has not seen the quota (or its count of the first secret) yet.
    await eventually('the quota to refuse a second secret', () =>
      core.createNamespacedSecret({ ...second, dryRun: 'All' }).then(
        () => undefined,
        (error: unknown) =>
          error instanceof ApiException && error.code === 403 && /exceeded quota/.test(String(error.body))
            ? true
            : undefined,
      ),
    );
    await expectRejected(core.createNamespacedSecret(second), 403, /exceeded quota/);

    // The pinned helm against this cluster, waiting for workloads and jobs as the orchestrator does.
    const chart = join(dir, 'smoke-chart');
    await mkdir(join(chart, 'templates'), { recursive: true });
    await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: smoke\nversion: 0.1.0\n');
    await writeFile(
      join(chart, 'templates', 'all.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: ${image}}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: migrate, image: ${image}}]}
`,
    );
    const helm = await resolveHelm({ build: false });
    const { stdout } = await promisify(execFile)(
      helm,
      [
        'install',
        'smoke',
        chart,
        '-n',
        'smoke-helm',
        '--create-namespace',
        '--wait=watcher',
        '--wait-for-jobs',
        '--timeout=120s',
        '-o',
        'json',
      ],
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HELM_NO_PLUGINS: '1' } },
    );
    expect((JSON.parse(stdout) as { info: { status: string } }).info.status).toBe('deployed');

    const status = await clusterStatus(dir);
    expect(status).toMatchObject({
      exists: true,
      apiReady: true,
      healthy: true,
      kubeconfig: cluster.kubeconfig,
    });
    expect(status.components.map((c) => [c.name, c.running])).toEqual([
      ['etcd', true],
      ['kube-apiserver', true],
      ['kube-controller-manager', true],
      ['kube-scheduler', true],
      ['kwok', true],
    ]);
    expect((await clusterUp({ dir, node: 'simulated' })).started).toBe(false);

    const records = await readProcessRecords(clusterLayout(dir).pids);
    const t1 = Date.now();
    expect(await clusterDown(dir)).toBe(true);
    const downMs = Date.now() - t1;
    expect(records.filter(isRunning)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(volumeDir)).toBe(false);
    expect((await clusterStatus(dir)).exists).toBe(false);
    process.stderr.write(`[cluster.test] up ${upMs} ms, down ${downMs} ms\n`);
  }, 240_000);

  it('is shared by acquirers, restarted when broken, and stopped only by whoever started it', async () => {
    const dir = join(root, 'shared');
    started.push(dir);
    const a = await acquireCluster({ dir, node: 'simulated' });
    const b = await acquireCluster({ dir, node: 'simulated' });
    expect(b.kubeconfig).toBe(a.kubeconfig);
    expect(a.helm).toMatch(/helm/);
    await a.release();
    expect((await clusterStatus(dir)).healthy).toBe(true);
    await b.release();
    expect((await clusterStatus(dir)).exists).toBe(false);

    // Started by `up` (as `npm run cluster:up` does): acquirers leave it running.
    await clusterUp({ dir, node: 'simulated' });
    const c = await acquireCluster({ dir, node: 'simulated' });
    await c.release();
    expect((await clusterStatus(dir)).healthy).toBe(true);

    // A component died: the cluster is reported down, and `up` cleans up and starts afresh.
    const scheduler = (await readProcessRecords(clusterLayout(dir).pids)).find(
      (r) => r.name === 'kube-scheduler',
    )!;
    process.kill(scheduler.pid, 'SIGKILL');
    await eventually('the scheduler to be gone', async () => !isRunning(scheduler), 10_000);
    const broken = await clusterStatus(dir);
    expect(broken).toMatchObject({ exists: true, healthy: false });
    expect(broken.components.find((c) => c.name === 'kube-scheduler')?.running).toBe(false);
    expect((await clusterUp({ dir, node: 'simulated' })).started).toBe(true);
    expect((await clusterStatus(dir)).healthy).toBe(true);
    await clusterDown(dir);
    expect(existsSync(dir)).toBe(false);
  }, 240_000);
});
