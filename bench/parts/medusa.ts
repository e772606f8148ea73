// Part 8: one Medusa store on the real node, as a merchant meets it: POST → Ready, then a first order
// through the Store API behind the ingress, and the store's memory at rest. Needs the host to run the
// real node (Linux, root, the kernel features in tools/testcluster); elsewhere the part says why.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { placeOrder, storeHttp } from '../../apps/orchestrator/test/support/medusa-shopper.ts';
import { podWorkingSetBytes } from '../../apps/orchestrator/test/support/pod-cgroups.ts';
import { resolveHelm } from '../../tools/testcluster/src/binaries.ts';
import { clusterDown, clusterUp } from '../../tools/testcluster/src/control-plane.ts';
import { readRecipes } from '../../tools/testcluster/src/node/image-recipes.ts';
import { buildImage } from '../../tools/testcluster/src/node/images.ts';
import { realNodeBlocker } from '../../tools/testcluster/src/node/mode.ts';
import { type ApiStore, api, type Orchestrator, startOrchestrator } from '../lib/env.ts';
import { since } from '../lib/stats.ts';
import type { Report } from '../report.ts';

const READY_TARGET_S = 180;

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
  let backup: { status: string; sizeBytes: number | null; failure: string | null } | undefined;
  while (backup?.status !== 'succeeded') {
    if (backup?.status === 'failed') throw new Error(`the backup failed: ${backup.failure}`);
    if (since(backupStart) > 5 * 60_000) throw new Error('the backup did not finish within 5 minutes');
    await new Promise((done) => setTimeout(done, 250));
    const list = await api<{
      items: { id: string; status: string; sizeBytes: number | null; failure: string | null }[];
    }>(orchestrator, 'GET', `/api/stores/${store.id}/backups`);
    backup = list.items.find((item) => item.id === id);
  }
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
    const page = await storeHttp(port, host, 'GET', '/');
    if (page.status === 503 && page.text.includes('is asleep')) break;
    if (performance.now() > asleepDeadline) {
      throw new Error(
        `the asleep store's URL still answered ${page.status}, not its asleep page, after 60 s`,
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
  return { backupS, backupBytes: backup.sizeBytes ?? 0, awakeMiB, freedMiB: awakeMiB - asleepMiB, wakeS };
}

async function waitForStoreState(orchestrator: Orchestrator, id: string, state: string, timeoutMs: number) {
  const start = performance.now();
  for (;;) {
    const store = await api<ApiStore>(orchestrator, 'GET', `/api/stores/${id}`);
    if (store.state === state) return store;
    if (store.state === 'Failed') throw new Error(`the store failed on its way to ${state}`);
    if (since(start) > timeoutMs) throw new Error(`the store was not ${state} within ${timeoutMs / 1000} s`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

export async function medusaPart(report: Report, log: (line: string) => void, quiet: (line: string) => void) {
  const blocker = realNodeBlocker();
  if (blocker) {
    report.note('medusa', `Medusa on the real node: not measured, ${blocker}`);
    return;
  }
  // The image first, so its build (or a cache hit) is not counted in the store's time.
  const recipes = await readRecipes();
  const imageStart = performance.now();
  for (const name of ['medusa', 'postgres']) {
    const recipe = recipes.get(name);
    if (recipe) await buildImage(name, recipe, quiet);
  }
  const imageMs = since(imageStart);
  const base = mkdtempSync(join(tmpdir(), 'storefleet-bench-medusa-'));
  const dir = join(base, 'cluster');
  log('starting a local cluster with the real node…');
  const cluster = await clusterUp({ dir, log: quiet });
  const state = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {
    node?: { kind: string; ingressPort?: number; ingressClass?: string; reason?: string };
  };
  try {
    const port = state.node?.ingressPort;
    if (state.node?.kind !== 'real' || !port) {
      report.note('medusa', `Medusa on the real node: not measured, ${state.node?.reason ?? 'no real node'}`);
      return;
    }
    const orchestrator = await startOrchestrator(
      {
        STORE_PLACEMENT: 'auto',
        STORE_URL_PORT: String(port),
        INGRESS_CLASS: state.node.ingressClass ?? 'traefik',
        PROVISION_TIMEOUT: '15m',
        // The orchestrator runs on the host, like Traefik: it serves asleep stores' pages.
        PUBLISH_INGRESS_FALLBACK: 'true',
      },
      { kubeconfig: cluster.kubeconfig, helm: await resolveHelm({ build: true, log: quiet }) },
    );
    try {
      log('creating a Medusa store, then ordering through its Store API…');
      const start = performance.now();
      const created = await api<ApiStore>(orchestrator, 'POST', '/api/stores', {
        name: `Bench Medusa ${process.pid}`,
        engine: 'medusa',
      });
      let store = created;
      while (store.state !== 'Ready') {
        if (store.state === 'Failed') throw new Error('the Medusa store failed; see its conditions');
        if (since(start) > 15 * 60_000) throw new Error('the Medusa store was not Ready within 15 minutes');
        await new Promise((done) => setTimeout(done, 1000));
        store = await api<ApiStore>(orchestrator, 'GET', `/api/stores/${created.id}`);
      }
      const readyS = since(start) / 1000;
      const host = `${store.slug}.localhost`;
      const order = await placeOrder(port, host);
      const orderS = since(start) / 1000;
      // At rest: a minute after the order, nobody shopping.
      await new Promise((done) => setTimeout(done, 60_000));
      const kube = new KubeConfig();
      kube.loadFromFile(cluster.kubeconfig);
      const pods = await kube.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: store.namespace });
      const running = pods.items.filter((pod) => pod.status?.phase === 'Running');
      const mib = running.reduce(
        (sum, pod) => sum + podWorkingSetBytes(pod.metadata?.uid ?? '') / 2 ** 20,
        0,
      );
      report.result(
        'medusa',
        `Medusa store on the real node: image ${(imageMs / 1000).toFixed(0)} s (cache), POST → Ready ${readyS.toFixed(0)} s, → first order #${order.displayId} ${orderS.toFixed(0)} s, memory at rest ${mib.toFixed(0)} MiB (${running.length} running pods)`,
        { imageS: imageMs / 1000, readyS, orderS, memoryMiB: mib },
      );
      report.target(
        'Medusa store POST → Ready, warm image cache',
        `${readyS.toFixed(0)} s`,
        `≤ ${READY_TARGET_S} s`,
        readyS <= READY_TARGET_S,
      );
      const data = await backupSleepWake(
        orchestrator,
        store,
        port,
        running,
        kube.makeApiClient(CoreV1Api),
        log,
      );
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
      await api(orchestrator, 'DELETE', `/api/stores/${created.id}`);
    } finally {
      await orchestrator.stop();
    }
  } finally {
    await clusterDown(dir, { log: quiet });
    rmSync(base, { recursive: true, force: true });
  }
}
