// The provisioning benchmark's baseline: what the orchestrator does for a store, done by hand with
// bare helm, and a pod watch that notes when each namespace's last pod turned Ready.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type V1Pod, Watch } from '@kubernetes/client-node';
import {
  generateStoreSecrets,
  STORE_SECRET_NAME,
} from '../../apps/orchestrator/src/cluster/store-secrets.ts';
import { type BenchCluster, STORE_CHART, VALUES_LOCAL, wallNow } from './env.ts';
import { since } from './stats.ts';

const run = promisify(execFile);

/**
 * What the orchestrator does for a store, by hand: a namespace, the store Secret, and
 * `helm upgrade --install --wait` of a chart with values files and the store's values (JSON text).
 */
async function bareRelease(
  cluster: Pick<BenchCluster, 'helm' | 'kubeconfig' | 'core'>,
  name: string,
  engine: 'medusa' | 'woocommerce',
  chart: { chart: string; valuesFiles: string[]; values: string },
): Promise<void> {
  await cluster.core.createNamespace({ body: { metadata: { name } } });
  await cluster.core.createNamespacedSecret({
    namespace: name,
    body: {
      metadata: { name: STORE_SECRET_NAME },
      type: 'Opaque',
      stringData: generateStoreSecrets(engine, name),
    },
  });
  const valuesDir = mkdtempSync(join(tmpdir(), 'storefleet-bench-values-'));
  const valuesFile = join(valuesDir, 'values.json');
  writeFileSync(valuesFile, chart.values);
  try {
    await run(
      cluster.helm,
      [
        'upgrade',
        name,
        chart.chart,
        '--install',
        '-n',
        name,
        '--wait=watcher',
        '--wait-for-jobs',
        '--rollback-on-failure',
        '--timeout',
        '900s',
        '-o',
        'json',
        ...chart.valuesFiles.flatMap((file) => ['-f', file]),
        '-f',
        valuesFile,
        '--kubeconfig',
        cluster.kubeconfig,
      ],
      { maxBuffer: 64 * 2 ** 20 },
    );
  } finally {
    rmSync(valuesDir, { recursive: true, force: true });
  }
}

/** A bare install of the WooCommerce chart with the values the orchestrator passes for a store. */
export function bareInstall(cluster: BenchCluster, name: string): Promise<void> {
  return bareRelease(cluster, name, 'woocommerce', {
    chart: STORE_CHART,
    valuesFiles: [VALUES_LOCAL],
    values: JSON.stringify({
      engine: 'woocommerce',
      store: { id: name, slug: name, owner: 'bench' },
      existingSecret: STORE_SECRET_NAME,
      ingress: { className: 'traefik', host: `${name}.localhost` },
    }),
  });
}

/** How long one `helm status` of a release that does not exist takes: the orchestrator's pre-check. */
export async function helmStatusMs(cluster: BenchCluster): Promise<number> {
  const start = performance.now();
  await run(cluster.helm, [
    'status',
    'no-such-release',
    '-n',
    'default',
    '-o',
    'json',
    '--kubeconfig',
    cluster.kubeconfig,
  ]).catch(() => undefined);
  return since(start);
}

/**
 * Watches every pod of the cluster; per namespace, the arrival time of the watch event in which its
 * last pod turned Ready (or, for a Job's pod, Succeeded). Only pods created before a given moment
 * count: a pod replaced after its store was Ready (a rescheduled or restarted one) is not part of
 * provisioning, and counting it made a store look Ready before its pods (the negative latencies of
 * an earlier run). A watch the API server ends is opened again.
 */
export class PodReadyWatch {
  /** namespace → pod uid → when it was created and when its Ready/Succeeded event first arrived. */
  private readonly done = new Map<string, Map<string, { created: number; at: number }>>();
  private request: { abort(): void } | undefined;
  private stopped = false;
  private readonly kube: BenchCluster['kube'];

  private constructor(kube: BenchCluster['kube']) {
    this.kube = kube;
  }

  static async start(cluster: Pick<BenchCluster, 'kube'>): Promise<PodReadyWatch> {
    const watch = new PodReadyWatch(cluster.kube);
    await watch.open();
    return watch;
  }

  private async open(): Promise<void> {
    this.request = await new Watch(this.kube).watch(
      '/api/v1/pods',
      {},
      (type: string, pod: V1Pod) => {
        if (type !== 'DELETED') this.onPod(pod, wallNow());
      },
      () => {
        if (!this.stopped) void this.open();
      },
    );
  }

  private onPod(pod: V1Pod, at: number) {
    const namespace = pod.metadata?.namespace ?? '';
    const uid = pod.metadata?.uid ?? '';
    // A Job's pod is done when it succeeded (it is Ready while it runs); any other pod when Ready.
    const ofJob = pod.metadata?.ownerReferences?.some((owner) => owner.kind === 'Job') ?? false;
    const ready = ofJob
      ? pod.status?.phase === 'Succeeded'
      : pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!ready) return;
    const pods = this.done.get(namespace) ?? new Map<string, { created: number; at: number }>();
    this.done.set(namespace, pods);
    const created = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : at;
    if (!pods.has(uid)) pods.set(uid, { created, at });
  }

  /**
   * When the namespace's last pod turned Ready, as this watch saw it, among the pods created by
   * `until` (the store's Ready; creation times have whole seconds, so the second of `until` counts).
   */
  lastReady(namespace: string, until = Number.POSITIVE_INFINITY): number | undefined {
    const cutoff = Math.floor(until / 1000) * 1000;
    const times = [...(this.done.get(namespace)?.values() ?? [])]
      .filter((pod) => pod.created <= cutoff)
      .map((pod) => pod.at);
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  stop() {
    this.stopped = true;
    this.request?.abort();
  }
}

/** What a bare install copies from a release the orchestrator made: its chart and its values. */
export interface ReleaseTemplate {
  chart: string;
  valuesFiles: string[];
  /** The release's user-supplied values, as JSON text. */
  values: string;
  /** The names of the store it was made for (id, slug, namespace, release), replaced in copies. */
  names: string[];
}

/** The name of the (one) helm release in a store's namespace. */
export async function releaseIn(
  cluster: Pick<BenchCluster, 'helm' | 'kubeconfig'>,
  namespace: string,
): Promise<string> {
  const { stdout } = await run(cluster.helm, [
    'list',
    '-n',
    namespace,
    '-o',
    'json',
    '--kubeconfig',
    cluster.kubeconfig,
  ]);
  const release = (JSON.parse(stdout) as Array<{ name: string }>)[0]?.name;
  if (!release) throw new Error(`no helm release in ${namespace}`);
  return release;
}

/** The chart values the orchestrator gave one of its releases (`helm get values`). */
export async function releaseValues(
  cluster: Pick<BenchCluster, 'helm' | 'kubeconfig'>,
  release: string,
  namespace: string,
): Promise<string> {
  const { stdout } = await run(
    cluster.helm,
    ['get', 'values', release, '-n', namespace, '-o', 'json', '--kubeconfig', cluster.kubeconfig],
    { maxBuffer: 16 * 2 ** 20 },
  );
  return stdout;
}

/**
 * A bare `helm upgrade --install --wait` of the same chart with the same values as a store the
 * orchestrator made (its names replaced by `name`), in a namespace of its own with the same Secret.
 * Returns the milliseconds from the namespace's creation to helm's exit.
 */
export async function bareInstallLike(
  cluster: Pick<BenchCluster, 'helm' | 'kubeconfig' | 'core'>,
  name: string,
  template: ReleaseTemplate,
  engine: 'medusa' | 'woocommerce',
): Promise<number> {
  const start = performance.now();
  let values = template.values;
  for (const old of [...template.names].sort((a, b) => b.length - a.length)) {
    values = values.replaceAll(old, name);
  }
  await bareRelease(cluster, name, engine, { ...template, values });
  return since(start);
}

/** `helm uninstall` and the namespace deleted; resolves once the namespace is gone. */
export async function bareUninstall(
  cluster: Pick<BenchCluster, 'helm' | 'kubeconfig' | 'core'>,
  name: string,
  timeoutMs = 180_000,
): Promise<void> {
  await run(cluster.helm, ['uninstall', name, '-n', name, '--kubeconfig', cluster.kubeconfig]).catch(
    () => undefined,
  );
  await cluster.core.deleteNamespace({ name }).catch(() => undefined);
  await namespaceGone(cluster, name, timeoutMs);
}

export async function namespaceGone(
  cluster: Pick<BenchCluster, 'core'>,
  name: string,
  timeoutMs = 180_000,
): Promise<void> {
  const start = performance.now();
  for (;;) {
    const exists = await cluster.core.readNamespace({ name }).then(
      () => true,
      () => false,
    );
    if (!exists) return;
    if (since(start) > timeoutMs)
      throw new Error(`namespace ${name} still exists after ${timeoutMs / 1000} s`);
    await new Promise((done) => setTimeout(done, 1000));
  }
}
