// Part 8: one Medusa store on the real node, as a merchant meets it: POST → Ready, then a first order
// through the Store API behind the ingress, and the store's memory at rest. Needs the host to run the
// real node (Linux, root, the kernel features in tools/testcluster); elsewhere the part says why.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { podWorkingSetBytes } from '../../apps/orchestrator/test/support/pod-cgroups.ts';
import { resolveHelm } from '../../tools/testcluster/src/binaries.ts';
import { clusterDown, clusterUp } from '../../tools/testcluster/src/control-plane.ts';
import { buildImage, readRecipes } from '../../tools/testcluster/src/node/images.ts';
import { realNodeBlocker } from '../../tools/testcluster/src/node/mode.ts';
import { type ApiStore, api, REPO, startOrchestrator } from '../lib/env.ts';
import { since } from '../lib/stats.ts';
import type { Report } from '../report.ts';

const READY_TARGET_S = 180;

/** A Store API call through the ingress, as a shopper's browser makes it. */
function storeApi<T>(
  port: number,
  host: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { host, ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          (res.statusCode ?? 500) < 300
            ? resolve(JSON.parse(text) as T)
            : reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The Store API checkout our storefront makes: config → products → cart → … → complete. */
async function placeOrder(port: number, host: string): Promise<number> {
  const config = await storeApi<{ publishableKey: string; region: { id: string } }>(
    port,
    host,
    'GET',
    '/storefront/config',
    {},
  );
  const key = { 'x-publishable-api-key': config.publishableKey };
  const call = <T>(method: string, path: string, body?: unknown) =>
    storeApi<T>(port, host, method, path, key, body);
  const { products } = await call<{ products: { variants: { id: string }[] }[] }>(
    'GET',
    `/store/products?region_id=${config.region.id}&fields=*variants.calculated_price`,
  );
  const variant = products[0]?.variants[0]?.id;
  if (!variant) throw new Error('the store sells nothing');
  const { cart } = await call<{ cart: { id: string } }>('POST', '/store/carts', {
    region_id: config.region.id,
  });
  await call('POST', `/store/carts/${cart.id}/line-items`, { variant_id: variant, quantity: 1 });
  const address = {
    first_name: 'Bench',
    last_name: 'Shopper',
    address_1: 'Quay 1',
    city: 'Hamburg',
    postal_code: '20457',
    country_code: 'de',
  };
  await call('POST', `/store/carts/${cart.id}`, {
    email: 'bench@example.com',
    shipping_address: address,
    billing_address: address,
  });
  const { shipping_options } = await call<{ shipping_options: { id: string }[] }>(
    'GET',
    `/store/shipping-options?cart_id=${cart.id}`,
  );
  await call('POST', `/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0]?.id });
  const { payment_collection } = await call<{ payment_collection: { id: string } }>(
    'POST',
    '/store/payment-collections',
    { cart_id: cart.id },
  );
  await call('POST', `/store/payment-collections/${payment_collection.id}/payment-sessions`, {
    provider_id: 'pp_system_default',
  });
  const done = await call<{ type: string; order?: { display_id: number } }>(
    'POST',
    `/store/carts/${cart.id}/complete`,
  );
  if (done.type !== 'order' || !done.order) throw new Error(`the cart did not become an order: ${done.type}`);
  return done.order.display_id;
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
        MEDUSA_CHART: join(REPO, 'charts/medusa'),
        STORE_PLACEMENT: 'auto',
        STORE_URL_PORT: String(port),
        INGRESS_CLASS: state.node.ingressClass ?? 'traefik',
        PROVISION_TIMEOUT: '15m',
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
        `Medusa store on the real node: image ${(imageMs / 1000).toFixed(0)} s (cache), POST → Ready ${readyS.toFixed(0)} s, → first order #${order} ${orderS.toFixed(0)} s, memory at rest ${mib.toFixed(0)} MiB (${running.length} running pods)`,
        { imageS: imageMs / 1000, readyS, orderS, memoryMiB: mib },
      );
      report.target(
        'Medusa store POST → Ready, warm image cache',
        `${readyS.toFixed(0)} s`,
        `≤ ${READY_TARGET_S} s`,
        readyS <= READY_TARGET_S,
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
