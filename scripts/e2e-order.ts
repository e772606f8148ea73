// End to end on a cluster with real containers (k3d, kind, k3s): a store created through the
// Storefleet API takes a Cash on Delivery order through the WooCommerce Store API, the order is there
// for the shop owner, and deleting the store leaves nothing behind. How to run it: docs/testing-on-k3d.md.
//
//   KUBECONFIG=... node scripts/e2e-order.ts [--api http://127.0.0.1:8080] [--ingress 127.0.0.1:80]
//       [--name "E2E Shop 1a2b"] [--timeout 900] [--keep] [--insecure]
// STOREFLEET_TOKEN (a personal API token) is used when set; otherwise a throwaway account is signed up.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { adminCredentials, kubeClient, leftovers } from './e2e/cluster.ts';
import { send, site } from './e2e/http.ts';
import { connectPlatform, type Platform, type StoreView, waitForState } from './e2e/platform.ts';
import { placeCashOnDeliveryOrder, readOrderAsAdmin, SHOPPER_EMAIL } from './e2e/woocommerce.ts';

const { values: options } = parseArgs({
  options: {
    api: { type: 'string', default: 'http://127.0.0.1:8080' },
    ingress: { type: 'string' },
    name: { type: 'string', default: `E2E Shop ${randomBytes(2).toString('hex')}` },
    timeout: { type: 'string', default: '900' },
    keep: { type: 'boolean', default: false },
    insecure: { type: 'boolean', default: false },
  },
});

const started = Date.now();
const log = (line: string) => {
  process.stdout.write(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
};
const timeoutMs = Number(options.timeout) * 1000;

async function untilServing(store: StoreView): Promise<void> {
  const shop = site(store.urls.storefront, options.ingress, options.insecure);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const answer = await send(shop, '/').catch((error: Error) => ({ status: 0, text: error.message }));
    if (answer.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${store.urls.storefront} answers ${answer.status}: ${answer.text.slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function deleteAndCheck(platform: Platform, store: StoreView): Promise<void> {
  const deleted = await platform.call('DELETE', `/api/stores/${store.id}`);
  if (deleted.status !== 202) throw new Error(`DELETE /api/stores/${store.id}: HTTP ${deleted.status}`);
  await waitForState(platform, store.id, 'Deleted', timeoutMs, log);
  const core = kubeClient();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const left = await leftovers(core, store.namespace, store.id);
    if (left.length === 0) break;
    if (Date.now() > deadline) throw new Error(`left behind after deletion: ${left.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  log(`store deleted: namespace ${store.namespace}, its pods, claims and volumes are gone`);
}

async function main(): Promise<void> {
  const platform = await connectPlatform(options.api, process.env.STOREFLEET_TOKEN);
  log(`API ${options.api}, as ${platform.identity}`);
  const created = await platform.call<StoreView>('POST', '/api/stores', {
    name: options.name,
    engine: 'woocommerce',
  });
  if (created.status !== 202)
    throw new Error(`POST /api/stores: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  let store = created.body;
  log(`created store ${store.slug} (${store.id}) in namespace ${store.namespace}`);
  try {
    store = await waitForState(platform, store.id, 'Ready', timeoutMs, log);
    log(`Ready: ${store.urls.storefront}`);
    await untilServing(store);

    const order = await placeCashOnDeliveryOrder(
      site(store.urls.storefront, options.ingress, options.insecure),
    );
    log(`order ${order.orderId} placed (${order.status}): 1 x ${order.product.name}, total ${order.total}`);

    const credentials = await adminCredentials(kubeClient(), store.namespace);
    const admin = await readOrderAsAdmin(
      site(store.urls.storefront, options.ingress, options.insecure),
      credentials,
      order.orderId,
    );
    const line = admin.line_items[0];
    if (
      admin.payment_method !== 'cod' ||
      line?.product_id !== order.product.id ||
      admin.billing.email !== SHOPPER_EMAIL
    ) {
      throw new Error(`order ${order.orderId} as the admin sees it does not match: ${JSON.stringify(admin)}`);
    }
    log(
      `the admin (${credentials.username}) sees order ${admin.id}: ${admin.status}, ${admin.payment_method}, total ${admin.total}`,
    );
  } finally {
    if (options.keep) log(`--keep: store ${store.slug} left running at ${store.urls.storefront}`);
    else await deleteAndCheck(platform, store);
  }
  log('PASS: store created, Cash on Delivery order placed and confirmed, store deleted without leftovers');
}

main().catch((error: unknown) => {
  log(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
