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
import { type BenchCluster, VALUES_LOCAL, wallNow } from './env.ts';
import { since } from './stats.ts';

const run = promisify(execFile);

/**
 * What the orchestrator does for a store, by hand: a namespace, the store Secret, and
 * `helm upgrade --install` of the same chart with the same values files and flags.
 */
export async function bareInstall(cluster: BenchCluster, name: string): Promise<void> {
  await cluster.core.createNamespace({ body: { metadata: { name } } });
  await cluster.core.createNamespacedSecret({
    namespace: name,
    body: {
      metadata: { name: STORE_SECRET_NAME },
      type: 'Opaque',
      stringData: generateStoreSecrets('woocommerce', name),
    },
  });
  const valuesDir = mkdtempSync(join(tmpdir(), 'storefleet-bench-values-'));
  const valuesFile = join(valuesDir, 'values.json');
  writeFileSync(
    valuesFile,
    JSON.stringify({
      engine: 'woocommerce',
      store: { id: name, slug: name, owner: 'bench' },
      existingSecret: STORE_SECRET_NAME,
      ingress: { className: 'traefik', host: `${name}.localhost` },
    }),
  );
  try {
    await run(
      cluster.helm,
      [
        'upgrade',
        name,
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
        '-f',
        VALUES_LOCAL,
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
 * last pod turned Ready (or, for a Job's pod, Succeeded).
 */
export class PodReadyWatch {
  /** namespace → pod name → arrival of the event where it first turned Ready/Succeeded. */
  private readonly done = new Map<string, Map<string, number>>();
  private request: { abort(): void } | undefined;

  static async start(cluster: BenchCluster): Promise<PodReadyWatch> {
    const watch = new PodReadyWatch();
    watch.request = await new Watch(cluster.kube).watch(
      '/api/v1/pods',
      {},
      (_type: string, pod: V1Pod) => watch.onPod(pod, wallNow()),
      () => {},
    );
    return watch;
  }

  private onPod(pod: V1Pod, at: number) {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!ready && pod.status?.phase !== 'Succeeded') return;
    const pods = this.done.get(namespace) ?? new Map<string, number>();
    this.done.set(namespace, pods);
    if (!pods.has(name)) pods.set(name, at);
  }

  /** When the namespace's last pod turned Ready, as this watch saw it. */
  lastReady(namespace: string): number | undefined {
    const pods = this.done.get(namespace);
    return pods && pods.size > 0 ? Math.max(...pods.values()) : undefined;
  }

  stop() {
    this.request?.abort();
  }
}
