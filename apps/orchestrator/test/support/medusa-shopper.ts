// A shopper of a Medusa store behind the local cluster's ingress, through the Store API our
// storefront uses: what tests and the bench order with, and how they read stock back.
import { request } from 'node:http';

export interface StoreResponse {
  status: number;
  body: unknown;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request to the ingress (127.0.0.1:port) for a store host; Node cannot resolve *.localhost. */
export function storeHttp(
  port: number,
  host: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<StoreResponse> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        timeout: 30_000,
        headers: {
          host,
          ...(payload && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(payload);
  });
}

/** A Store API call that must succeed. */
export async function storeApi<T>(
  port: number,
  host: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const response = await storeHttp(port, host, method, path, headers, body);
  if (response.status >= 300) {
    throw new Error(`${method} ${path}: ${response.status} ${response.text.slice(0, 300)}`);
  }
  return response.body as T;
}

interface StorefrontConfig {
  publishableKey: string;
  region: { id: string };
}

async function shopper(port: number, host: string) {
  const config = await storeApi<StorefrontConfig>(port, host, 'GET', '/storefront/config', {});
  const key = { 'x-publishable-api-key': config.publishableKey };
  return {
    region: config.region.id,
    call: <T>(method: string, path: string, body?: unknown) =>
      storeApi<T>(port, host, method, path, key, body),
  };
}

export interface PlacedOrder {
  displayId: number;
  variantId: string;
}

/** The checkout our storefront makes: config → products → cart → address → shipping → payment → order. */
export async function placeOrder(
  port: number,
  host: string,
  options: { email?: string; productIndex?: number } = {},
): Promise<PlacedOrder> {
  const { region, call } = await shopper(port, host);
  const { products } = await call<{ products: { variants: { id: string }[] }[] }>(
    'GET',
    `/store/products?region_id=${region}&fields=*variants.calculated_price&order=created_at`,
  );
  const variantId = products[options.productIndex ?? 0]?.variants[0]?.id;
  if (!variantId) throw new Error('the store sells nothing');
  const { cart } = await call<{ cart: { id: string } }>('POST', '/store/carts', { region_id: region });
  await call('POST', `/store/carts/${cart.id}/line-items`, { variant_id: variantId, quantity: 1 });
  const address = {
    first_name: 'Test',
    last_name: 'Shopper',
    address_1: 'Quay 1',
    city: 'Hamburg',
    postal_code: '20457',
    country_code: 'de',
  };
  await call('POST', `/store/carts/${cart.id}`, {
    email: options.email ?? 'shopper@example.com',
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
  return { displayId: done.order.display_id, variantId };
}

/** How many of a variant the storefront offers (its inventory across the store's locations). */
export async function variantStock(port: number, host: string, variantId: string): Promise<number> {
  const { region, call } = await shopper(port, host);
  const { products } = await call<{
    products: { variants: { id: string; inventory_quantity?: number }[] }[];
  }>(
    'GET',
    `/store/products?region_id=${region}&fields=*variants.calculated_price,+variants.inventory_quantity`,
  );
  const variant = products.flatMap((product) => product.variants).find((v) => v.id === variantId);
  if (typeof variant?.inventory_quantity !== 'number')
    throw new Error(`variant ${variantId} has no stock figure`);
  return variant.inventory_quantity;
}

/** Order numbers and e-mails in Medusa's Admin API, signed in with the store's admin login. */
export async function adminOrders(
  port: number,
  host: string,
  login: { email: string; password: string },
): Promise<{ display_id: number; email: string }[]> {
  const signedIn = await storeHttp(port, host, 'POST', '/auth/user/emailpass', {}, login);
  if (signedIn.status !== 200)
    throw new Error(`the admin login was refused: ${signedIn.status} ${signedIn.text}`);
  const token = (signedIn.body as { token: string }).token;
  const orders = await storeHttp(port, host, 'GET', '/admin/orders?fields=display_id,email', {
    authorization: `Bearer ${token}`,
  });
  if (orders.status !== 200)
    throw new Error(`the Admin API refused the orders: ${orders.status} ${orders.text}`);
  return (orders.body as { orders: { display_id: number; email: string }[] }).orders;
}
