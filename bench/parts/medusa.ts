// Part 8: Medusa stores on the real node, as merchants meet them, against bare helm on the same node:
// POST → Ready (n ≥ 5, one at a time, interleaved with bare `helm install --wait` of the same chart and
// values), five at once against five bare installs at once, how soon the SSE client hears Ready after
// the store's last pod is, a first order right after Ready, the store's memory at rest, and a backup,
// sleep and wake. Uses the shared test cluster (the one `npm run cluster:up` keeps, else one started for
// the run). Needs the host to run the real node (Linux, root, the kernel features in
// tools/testcluster); elsewhere the part says why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { engineChart } from '../../apps/orchestrator/src/engines/engine.ts';
import { engineModule } from '../../apps/orchestrator/src/engines/registry.ts';
import { placeOrder, storeHttp } from '../../apps/orchestrator/test/support/medusa-shopper.ts';
import { podWorkingSetBytes } from '../../apps/orchestrator/test/support/pod-cgroups.ts';
import { readRecipes } from '../../tools/testcluster/src/node/image-recipes.ts';
import { buildImage } from '../../tools/testcluster/src/node/images.ts';
import { realNodeBlocker } from '../../tools/testcluster/src/node/mode.ts';
import { defaultClusterDir } from '../../tools/testcluster/src/paths.ts';
import { acquireCluster } from '../../tools/testcluster/src/shared-cluster.ts';
import {
  bareInstallLike,
  bareUninstall,
  namespaceGone,
  PodReadyWatch,
  type ReleaseTemplate,
  releaseIn,
  releaseValues,
} from '../lib/bare-helm.ts';
import {
  type ApiStore,
  api,
  EventClient,
  type Orchestrator,
  startOrchestrator,
  stepTimes,
  waitForBackup,
  waitForStoreState,
} from '../lib/env.ts';
import { median, ms, percentile, ratio, since } from '../lib/stats.ts';
import type { Report } from '../report.ts';

const READY_TARGET_S = 20;

interface DataFigures {
  backupS: number;
  backupBytes: number;
  awakeMiB: number;
  freedMiB: number;
  wakeS: number;
}

/** A backup of the ordered store, then sleep (what it frees) and wake (until the storefront answers). */
async function backupSleepWake(
  orchestrator: Orchestrator,
  store: ApiStore,
  port: number,
  awakePods: V1Pod[],
  core: CoreV1Api,
  log: (line: string) => void,
): Promise<DataFigures> {
  const listPods = async (namespace: string) => (await core.listNamespacedPod({ namespace })).items;
  const host = `${store.slug}.localhost`;
  log('backing the store up, putting it to sleep and waking it…');
  const backupStart = performance.now();
  const { id } = await api<{ id: string }>(orchestrator, 'POST', `/api/stores/${store.id}/backups`);
  const backupBytes = await waitForBackup(orchestrator, store.id, id, 5 * 60_000);
  const backupS = since(backupStart) / 1000;
  await waitForStoreState(orchestrator, store.id, 'Ready', 60_000);

  const memoryOf = (pods: V1Pod[]) =>
    pods
      .filter((pod) => pod.status?.phase === 'Running')
      .reduce((sum, pod) => sum + podWorkingSetBytes(pod.metadata?.uid ?? '') / 2 ** 20, 0);
  const awakeMiB = memoryOf(awakePods);
  await api(orchestrator, 'POST', `/api/stores/${store.id}/sleep`);
  await waitForStoreState(orchestrator, store.id, 'Asleep', 5 * 60_000);
  // Wait for the pods to be gone: their memory is freed when they are.
  const deadline = performance.now() + 3 * 60_000;
  let asleepMiB = awakeMiB;
  while (performance.now() < deadline) {
    const running = (await listPods(store.namespace)).filter((pod) => pod.status?.phase === 'Running');
    asleepMiB = memoryOf(running);
    if (running.length === 0) break;
    await new Promise((done) => setTimeout(done, 1000));
  }
  // Traefik drops the store's routes once it sees their Services without endpoints (a few seconds).
  const asleepDeadline = performance.now() + 60_000;
  for (;;) {
    const page = await storeHttp(port, host, 'GET', '/').catch(() => undefined);
    if (page?.status === 503 && page.text.includes('is asleep')) break;
    if (performance.now() > asleepDeadline) {
      throw new Error(
        `the asleep store's URL still answered ${page?.status ?? 'nothing'}, not its asleep page, after 60 s`,
      );
    }
    await new Promise((done) => setTimeout(done, 1000));
  }

  const wakeStart = performance.now();
  await api(orchestrator, 'POST', `/api/stores/${store.id}/wake`);
  for (;;) {
    // Serving again: the storefront's page, and the store's own configuration from Medusa's server
    // (the storefront is back first; until the server is, the ingress sends its paths to the storefront).
    const page = await storeHttp(port, host, 'GET', '/').catch(() => undefined);
    const config = await storeHttp(port, host, 'GET', '/storefront/config').catch(() => undefined);
    const serving =
      page?.status === 200 &&
      config?.status === 200 &&
      typeof (config.body as { publishableKey?: unknown }).publishableKey === 'string';
    if (serving) break;
    if (since(wakeStart) > 5 * 60_000) throw new Error('the store did not serve within 5 minutes of waking');
    await new Promise((done) => setTimeout(done, 250));
  }
  const wakeS = since(wakeStart) / 1000;
  return { backupS, backupBytes, awakeMiB, freedMiB: awakeMiB - asleepMiB, wakeS };
}

let sequence = 0;
const uniqueName = (kind: string) => `${kind}-${process.pid.toString(36)}-${(sequence++).toString(36)}`;

interface RealNode {
  kubeconfig: string;
  helm: string;
  kube: KubeConfig;
  core: CoreV1Api;
  port: number;
}

/** One Medusa store through Storefleet: POST → its Ready event on the SSE client. */
async function throughStorefleet(orchestrator: Orchestrator, events: EventClient) {
  const start = performance.now();
  const store = await api<ApiStore>(orchestrator, 'POST', '/api/stores', {
    name: uniqueName('Bench Medusa'),
    engine: 'medusa',
  });
  await events.ready(store.id, 10 * 60_000);
  return { ms: since(start), store };
}

/** Deletes a store through the API; resolves once its namespace is gone. */
async function deleteStore(orchestrator: Orchestrator, node: RealNode, store: ApiStore) {
  await api(orchestrator, 'DELETE', `/api/stores/${store.id}`);
  await namespaceGone(node, store.namespace, 5 * 60_000);
}

/** The chart and values of a Ready Storefleet store, for bare installs to copy. */
async function templateOf(node: RealNode, store: ApiStore): Promise<ReleaseTemplate> {
  const release = await releaseIn(node, store.namespace);
  const { chart, valuesFiles } = engineChart(engineModule('medusa'), 'local');
  return {
    chart,
    valuesFiles,
    values: await releaseValues(node, release, store.namespace),
    names: [store.id, store.slug, store.namespace, release],
  };
}

interface Sample {
  id: string;
  namespace: string;
}

/** From the event in which the store's last pod turned Ready to its Ready on the SSE client. */
async function statusLatencies(
  orchestrator: Orchestrator,
  events: EventClient,
  pods: PodReadyWatch,
  stores: Sample[],
): Promise<number[]> {
  const lags: number[] = [];
  for (const store of stores) {
    const sse = events.readyAt.get(store.id);
    const { readyAt } = await api<{ readyAt: string | null }>(orchestrator, 'GET', `/api/stores/${store.id}`);
    if (sse === undefined || !readyAt) continue;
    const podsReady = pods.lastReady(store.namespace, Date.parse(readyAt));
    if (podsReady !== undefined) lags.push(sse - podsReady);
  }
  return lags;
}

/**
 * The shared cluster's real node: its ingress port and class, or why there is none. (The tests'
 * `realNode` reads the same record, but its module needs vitest's injected context.)
 */
export function realNodeState(): { port: number; ingressClass: string } | string {
  const state = JSON.parse(readFileSync(join(defaultClusterDir(), 'cluster.json'), 'utf8')) as {
    node?: { kind: string; ingressPort?: number; ingressClass?: string; reason?: string };
  };
  const port = state.node?.ingressPort;
  if (state.node?.kind !== 'real' || !port) return state.node?.reason ?? 'no real node';
  return { port, ingressClass: state.node.ingressClass ?? 'traefik' };
}

export async function medusaPart(report: Report, log: (line: string) => void, quiet: (line: string) => void) {
  const blocker = realNodeBlocker();
  if (blocker) {
    report.note('medusa', `Medusa on the real node: not measured, ${blocker}`);
    return;
  }
  const sequential = Number(process.env.BENCH_MEDUSA_SEQUENTIAL ?? 5);
  const concurrent = Number(process.env.BENCH_MEDUSA_CONCURRENT ?? 5);
  // The image first, so its build (or a cache hit) is not counted in the store's time.
  const recipes = await readRecipes();
  const imageStart = performance.now();
  for (const name of ['medusa', 'postgres']) {
    const recipe = recipes.get(name);
    if (recipe) await buildImage(name, recipe, quiet);
  }
  const imageMs = since(imageStart);
  log('using the shared cluster with the real node (started if none runs)…');
  const cluster = await acquireCluster({ log: quiet });
  try {
    const state = realNodeState();
    if (typeof state === 'string') {
      report.note('medusa', `Medusa on the real node: not measured, ${state}`);
      return;
    }
    const { port } = state;
    const kube = new KubeConfig();
    kube.loadFromFile(cluster.kubeconfig);
    const node: RealNode = {
      kubeconfig: cluster.kubeconfig,
      helm: cluster.helm,
      kube,
      core: kube.makeApiClient(CoreV1Api),
      port,
    };
    await realStores(
      node,
      { sequential, concurrent, imageMs, ingressClass: state.ingressClass },
      report,
      log,
    );
  } finally {
    await cluster.release();
  }
}

async function realStores(
  node: RealNode,
  options: { sequential: number; concurrent: number; imageMs: number; ingressClass: string },
  report: Report,
  log: (line: string) => void,
) {
  const orchestrator = await startOrchestrator(
    {
      STORE_PLACEMENT: 'auto',
      STORE_URL_PORT: String(node.port),
      INGRESS_CLASS: options.ingressClass,
      PROVISION_TIMEOUT: '15m',
      MAX_CONCURRENT_PROVISIONS: String(options.concurrent),
      WORKER_CONCURRENCY: String(options.concurrent),
      // The orchestrator runs on the host, like Traefik: it serves asleep stores' pages.
      PUBLISH_INGRESS_FALLBACK: 'true',
    },
    node,
  );
  const events = await EventClient.connect(orchestrator);
  const pods = await PodReadyWatch.start(node);
  const measured: Sample[] = [];
  try {
    // A warm-up of each, not counted: the first runs read the chart and the images from a cold cache.
    log('Medusa on the real node: a warm-up store and a bare install (not counted)…');
    const warm = await throughStorefleet(orchestrator, events);
    const template = await templateOf(node, warm.store);
    const warmBare = uniqueName('bare');
    await bareInstallLike(node, warmBare, template, 'medusa');
    await Promise.all([deleteStore(orchestrator, node, warm.store), bareUninstall(node, warmBare)]);

    const viaApi: number[] = [];
    const viaHelm: number[] = [];
    const steps = new Map<string, number[]>();
    let last: ApiStore | undefined;
    for (let i = 0; i < options.sequential; i++) {
      log(`Medusa on the real node: pair ${i + 1} of ${options.sequential} (Storefleet and bare helm)…`);
      const bareName = uniqueName('bare');
      const pair = [
        async () => {
          const result = await throughStorefleet(orchestrator, events);
          viaApi.push(result.ms);
          measured.push(result.store);
          for (const [step, took] of Object.entries(await stepTimes(orchestrator, result.store.id))) {
            steps.set(step, [...(steps.get(step) ?? []), took]);
          }
          last = result.store;
        },
        async () => {
          viaHelm.push(await bareInstallLike(node, bareName, template, 'medusa'));
        },
      ];
      // Interleaved, and the order alternates, so neither always runs on the warmer node.
      if (i % 2 === 1) pair.reverse();
      for (const step of pair) await step();
      // The storefront answers and an order goes through right after Ready (the last store of the
      // series is kept for that, for its memory at rest, and for backup, sleep and wake).
      const cleanup = [bareUninstall(node, bareName)];
      if (i < options.sequential - 1 && last) cleanup.push(deleteStore(orchestrator, node, last));
      await Promise.all(cleanup);
    }
    const kept = last as ApiStore;
    const host = `${kept.slug}.localhost`;
    const orderStart = performance.now();
    const order = await placeOrder(node.port, host);
    const orderS = since(orderStart) / 1000;

    const readyMedian = median(viaApi) / 1000;
    report.result(
      'medusa',
      `Medusa stores on the real node (n=${viaApi.length} each, one at a time, image ${(options.imageMs / 1000).toFixed(0)} s from its cache): ` +
        `Storefleet POST → Ready over SSE median ${ms(median(viaApi))} p95 ${ms(percentile(viaApi, 95))} (${viaApi.map((v) => (v / 1000).toFixed(1)).join(', ')} s); ` +
        `bare helm upgrade --install --wait median ${ms(median(viaHelm))} p95 ${ms(percentile(viaHelm, 95))} (${viaHelm.map((v) => (v / 1000).toFixed(1)).join(', ')} s); ` +
        `ratio median ${ratio(median(viaApi), median(viaHelm))}; Storefleet's steps, median: ${[...steps].map(([step, took]) => `${step} ${ms(median(took))}`).join(', ')}; right after Ready, first order #${order.displayId} in ${orderS.toFixed(1)} s`,
      { readyMedianS: readyMedian, ratio: median(viaApi) / median(viaHelm), orderS },
    );
    report.target(
      `Medusa POST → Ready, median (n=${viaApi.length}, real node, images present)`,
      `${readyMedian.toFixed(1)} s`,
      `≤ ${READY_TARGET_S} s`,
      readyMedian <= READY_TARGET_S,
    );
    report.target(
      'provisioning overhead on real stores (Medusa, median ratio)',
      ratio(median(viaApi), median(viaHelm)),
      '≤ 1.10×',
      median(viaApi) / median(viaHelm) <= 1.1,
    );

    // At rest: a minute after the order, nobody shopping.
    await new Promise((done) => setTimeout(done, 60_000));
    const running = (await node.core.listNamespacedPod({ namespace: kept.namespace })).items.filter(
      (pod) => pod.status?.phase === 'Running',
    );
    const mib = running.reduce((sum, pod) => sum + podWorkingSetBytes(pod.metadata?.uid ?? '') / 2 ** 20, 0);
    report.result(
      'medusa-memory',
      `Medusa store at rest (a minute after its first order): ${mib.toFixed(0)} MiB working set in ${running.length} running pods`,
      { memoryMiB: mib },
    );
    const data = await backupSleepWake(orchestrator, kept, node.port, running, node.core, log).catch(
      (error: unknown) => {
        report.note(
          'medusa-data',
          `Medusa store backup, sleep and wake: failed, ${(error as Error).message}`,
        );
        return undefined;
      },
    );
    if (data)
      report.result(
        'medusa-data',
        `Medusa store backup ${data.backupS.toFixed(1)} s (${(data.backupBytes / 1024).toFixed(0)} KiB); asleep: ${data.freedMiB.toFixed(0)} MiB freed of ${data.awakeMiB.toFixed(0)} MiB; wake → store serving (storefront and its server) ${data.wakeS.toFixed(0)} s`,
        {
          backupS: data.backupS,
          backupKiB: data.backupBytes / 1024,
          memoryFreedMiB: data.freedMiB,
          wakeS: data.wakeS,
        },
      );
    await deleteStore(orchestrator, node, kept);

    log(
      `Medusa on the real node: ${options.concurrent} bare installs at once, then ${options.concurrent} stores…`,
    );
    const bareNames = Array.from({ length: options.concurrent }, () => uniqueName('bare'));
    let start = performance.now();
    await Promise.all(bareNames.map((name) => bareInstallLike(node, name, template, 'medusa')));
    const bareMs = since(start);
    await Promise.all(bareNames.map((name) => bareUninstall(node, name)));
    start = performance.now();
    const batch = await Promise.all(
      Array.from({ length: options.concurrent }, () => throughStorefleet(orchestrator, events)),
    );
    const apiMs = since(start);
    measured.push(...batch.map((result) => result.store));
    report.result(
      'medusa-concurrency',
      `Medusa, ${options.concurrent} at once on the real node (MAX_CONCURRENT_PROVISIONS=${options.concurrent}): ` +
        `last Ready through Storefleet ${ms(apiMs)} (each ${batch.map((r) => (r.ms / 1000).toFixed(1)).join(', ')} s), ` +
        `${options.concurrent} parallel bare installs ${ms(bareMs)}; ratio ${ratio(apiMs, bareMs)}`,
      { ratio: apiMs / bareMs },
    );
    await Promise.all(batch.map((result) => deleteStore(orchestrator, node, result.store)));

    const lags = await statusLatencies(orchestrator, events, pods, measured);
    const p95 = percentile(lags, 95);
    report.result(
      'medusa-status',
      `status latency on real Medusa stores (n=${lags.length}: every measured store above, from the pod watch event of the store's last Ready pod to its Ready on the SSE client; ` +
        `Ready also waits for the store to answer through the ingress): p50 ${ms(median(lags))} p95 ${ms(p95)} min ${ms(Math.min(...lags))} max ${ms(Math.max(...lags))}`,
      { p95 },
    );
    report.target(
      `status latency p95 to SSE, real Medusa stores (n=${lags.length})`,
      ms(p95),
      '< 1 s',
      p95 < 1000,
    );
  } finally {
    pods.stop();
    events.close();
    await orchestrator.stop();
  }
}
