// An in-memory Medusa v2 Store API (the endpoints the storefront uses) as a fetch function, with
// GET /storefront/config. It checks what the real one checks that matters here (publishable key,
// known ids, a shipping address before shipping options, a payment session before completing) and
// records every request.
import type { Address, Cart, LineItem, Order, Product, StorefrontConfig } from '../../src/types.ts';

export const PUBLISHABLE_KEY = 'pk_test_storefront';
export const REGION_ID = 'reg_main';

export const CONFIG: StorefrontConfig = {
  publishableKey: PUBLISHABLE_KEY,
  storeName: 'Acme Harbour Shop',
  region: {
    id: REGION_ID,
    name: 'Main region',
    currency_code: 'eur',
    countries: [
      { iso_2: 'fr', display_name: 'France' },
      { iso_2: 'de', display_name: 'Germany' },
    ],
  },
};

type Stocked = { price: number; stock: number };

function product(
  id: string,
  title: string,
  option: string,
  values: Record<string, Stocked>,
  thumbnail: string | null,
): Product & { stock: Record<string, Stocked> } {
  const optionId = `opt_${id}`;
  return {
    id: `prod_${id}`,
    title,
    handle: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    description: `The ${title.toLowerCase()} everybody wants.`,
    thumbnail,
    options: [{ id: optionId, title: option, values: Object.keys(values).map((value) => ({ value })) }],
    variants: Object.entries(values).map(([value, { price }]) => ({
      id: `variant_${id}_${value.toLowerCase()}`,
      title: value,
      options: [{ option_id: optionId, value }],
      calculated_price: { calculated_amount: price, currency_code: 'eur' },
      inventory_quantity: null,
    })),
    stock: values,
  };
}

/** The JSON bodies the storefront sends, all in one. */
interface Body {
  region_id?: string;
  email?: string;
  shipping_address?: Address;
  billing_address?: Address;
  variant_id?: string;
  quantity?: number;
  option_id?: string;
  cart_id?: string;
  provider_id?: string;
}

type StoredCart = Cart & { payment_session?: string };

interface Request {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const error = (status: number, type: string, message: string) => json(status, { type, message });

export class FakeMedusa {
  readonly requests: Request[] = [];
  readonly products = [
    product(
      'shirt',
      'Fleet T-Shirt',
      'Size',
      { S: { price: 20, stock: 10 }, M: { price: 20, stock: 10 }, L: { price: 22, stock: 0 } },
      '/images/shirt.png',
    ),
    product(
      'mug',
      'Anchor Mug',
      'Colour',
      { White: { price: 12.5, stock: 3 }, Navy: { price: 12.5, stock: 3 } },
      null,
    ),
  ];
  readonly carts = new Map<string, StoredCart>();
  readonly orders = new Map<string, Order>();
  readonly shippingOptions = [
    { id: 'so_standard', name: 'Standard shipping', amount: 5 },
    { id: 'so_express', name: 'Express shipping', amount: 15 },
  ];
  /** How many GET /storefront/config calls fail (503) before one succeeds. */
  configFailures = 0;
  /** When set, POST /store/carts/:id/complete answers {type: 'cart', error} with this message. */
  completeError: string | null = null;
  private serial = 0;

  /** Answers one request as Medusa would: a drop-in for fetch. */
  readonly handle = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://store.test');
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    this.requests.push({ method: init.method ?? 'GET', path: url.pathname + url.search, headers, body });
    return this.route(init.method ?? 'GET', url, headers, (body ?? {}) as Body);
  };

  /** Store API requests (those that need the publishable key). */
  storeRequests() {
    return this.requests.filter((request) => request.path.startsWith('/store/'));
  }

  private nextId(prefix: string) {
    this.serial += 1;
    return `${prefix}_${this.serial}`;
  }

  private variant(id: string) {
    for (const p of this.products) {
      const variant = p.variants?.find((v) => v.id === id);
      if (variant) return { product: p, variant, stock: p.stock[variant.title ?? ''] as Stocked };
    }
    return undefined;
  }

  private withTotals(cart: Cart): Cart {
    const items = (cart.items ?? []).map((item) => ({
      ...item,
      subtotal: item.unit_price * item.quantity,
      total: item.unit_price * item.quantity,
    }));
    const itemSubtotal = items.reduce((sum, item) => sum + item.unit_price * item.quantity, 0);
    const shipping = cart.shipping_methods?.length
      ? (this.shippingOptions.find((o) => o.id === cart.shipping_methods?.[0]?.shipping_option_id)?.amount ??
        0)
      : 0;
    return {
      ...cart,
      items,
      item_subtotal: itemSubtotal,
      subtotal: itemSubtotal,
      shipping_total: shipping,
      tax_total: 0,
      total: itemSubtotal + shipping,
    };
  }

  private save(cart: StoredCart) {
    const updated = { ...this.withTotals(cart), payment_session: cart.payment_session };
    this.carts.set(cart.id, updated);
    const { payment_session: _, ...visible } = updated;
    return json(200, { cart: visible });
  }

  private route(method: string, url: URL, headers: Headers, body: Body): Response {
    const path = url.pathname;
    if (path === '/storefront/config' && method === 'GET') {
      if (this.configFailures > 0) {
        this.configFailures -= 1;
        return error(503, 'not_ready', 'This store is still being set up.');
      }
      return json(200, CONFIG);
    }
    if (!path.startsWith('/store/')) return error(404, 'not_found', `No route ${method} ${path}`);
    if (headers.get('x-publishable-api-key') !== PUBLISHABLE_KEY) {
      return error(400, 'not_allowed', 'A valid publishable key is required to proceed with the request');
    }

    if (path === '/store/products' && method === 'GET') {
      const handle = url.searchParams.get('handle');
      const priced = url.searchParams.get('region_id') === REGION_ID;
      const products = this.products
        .filter((p) => !handle || p.handle === handle)
        .map(({ stock, ...p }) => ({
          ...p,
          variants: p.variants?.map((v) => ({
            ...v,
            calculated_price: priced ? v.calculated_price : null,
            inventory_quantity: url.searchParams.get('fields')?.includes('+variants.inventory_quantity')
              ? (stock[v.title ?? '']?.stock ?? null)
              : undefined,
          })),
        }));
      return json(200, { products, count: products.length, offset: 0, limit: 50 });
    }

    if (path === '/store/carts' && method === 'POST') {
      if (body.region_id !== REGION_ID) return error(400, 'invalid_data', 'Region not found');
      return this.save({ id: this.nextId('cart'), region_id: REGION_ID, currency_code: 'eur', items: [] });
    }

    const cartMatch = /^\/store\/carts\/([^/]+)(\/.*)?$/.exec(path);
    if (cartMatch) {
      const cart = this.carts.get(decodeURIComponent(cartMatch[1] ?? ''));
      if (!cart) return error(404, 'not_found', `Cart id not found: ${cartMatch[1]}`);
      const rest = cartMatch[2] ?? '';
      if (rest === '' && method === 'GET') return this.save(cart);
      if (cart.completed_at && method !== 'GET')
        return error(400, 'invalid_data', 'Cart is already completed');
      if (rest === '' && method === 'POST') {
        const next = { ...cart };
        if (body.email !== undefined) next.email = body.email;
        if (body.shipping_address !== undefined) {
          next.shipping_address = body.shipping_address;
          next.shipping_methods = [];
        }
        return this.save(next);
      }
      if (rest === '/line-items' && method === 'POST') {
        const found = this.variant(body.variant_id ?? '');
        if (!found) return error(404, 'not_found', 'Variant not found');
        const items = [...(cart.items ?? [])];
        const existing = items.find((item) => item.variant_id === body.variant_id);
        const quantity = (existing?.quantity ?? 0) + Number(body.quantity);
        if (quantity > found.stock.stock) {
          return error(
            400,
            'not_allowed',
            `Variant ${found.variant.id} does not have the required inventory`,
          );
        }
        if (existing) existing.quantity = quantity;
        else {
          items.push({
            id: this.nextId('item'),
            title: found.variant.title ?? found.product.title,
            product_title: found.product.title,
            product_handle: found.product.handle,
            variant_id: found.variant.id,
            variant_title: found.variant.title,
            thumbnail: found.product.thumbnail,
            quantity,
            unit_price: found.variant.calculated_price?.calculated_amount ?? 0,
          } satisfies LineItem);
        }
        return this.save({ ...cart, items });
      }
      const line = /^\/line-items\/([^/]+)$/.exec(rest);
      if (line) {
        const item = cart.items?.find((i) => i.id === line[1]);
        if (!item) return error(404, 'not_found', 'Line item not found');
        if (method === 'DELETE') {
          this.save({ ...cart, items: cart.items?.filter((i) => i !== item) ?? [] });
          return json(200, { id: item.id, object: 'line-item', deleted: true });
        }
        if (method === 'POST') {
          const items = (cart.items ?? []).map((i) =>
            i === item ? { ...i, quantity: Number(body.quantity) } : i,
          );
          return this.save({ ...cart, items });
        }
      }
      if (rest === '/shipping-methods' && method === 'POST') {
        const option = this.shippingOptions.find((o) => o.id === body.option_id);
        if (!option || !cart.shipping_address?.country_code) {
          return error(
            400,
            'invalid_data',
            'The cart items require shipping profiles that are not satisfied',
          );
        }
        return this.save({ ...cart, shipping_methods: [{ shipping_option_id: option.id }] });
      }
      if (rest === '/complete' && method === 'POST') {
        const { payment_session: _, ...plain } = cart;
        const visible = this.withTotals(plain);
        if (this.completeError) {
          return json(200, {
            type: 'cart',
            cart: visible,
            error: { message: this.completeError, name: 'Error', type: 'payment_authorization_error' },
          });
        }
        if (!cart.email || !cart.shipping_address?.address_1 || !cart.shipping_methods?.length) {
          return error(400, 'invalid_data', 'The cart is missing an email, an address or a shipping method');
        }
        if (cart.payment_session !== 'pp_system_default') {
          return error(400, 'invalid_data', 'Payment sessions are required to complete cart');
        }
        const displayId = this.orders.size + 1;
        const order: Order = {
          id: `order_${displayId}`,
          display_id: displayId,
          email: cart.email,
          currency_code: cart.currency_code,
          items: visible.items ?? [],
          total: visible.total ?? 0,
        };
        this.orders.set(order.id, order);
        this.carts.set(cart.id, { ...cart, completed_at: new Date().toISOString() });
        return json(200, { type: 'order', order });
      }
    }

    if (path === '/store/shipping-options' && method === 'GET') {
      const cart = this.carts.get(url.searchParams.get('cart_id') ?? '');
      if (!cart) return error(404, 'not_found', 'Cart not found');
      const reachable =
        cart.shipping_address?.country_code && ['de', 'fr'].includes(cart.shipping_address.country_code);
      return json(200, { shipping_options: reachable ? this.shippingOptions : [] });
    }

    if (path === '/store/payment-collections' && method === 'POST') {
      if (!this.carts.has(body.cart_id ?? '')) return error(404, 'not_found', 'Cart not found');
      return json(200, { payment_collection: { id: `paycol_${body.cart_id}` } });
    }
    const sessions = /^\/store\/payment-collections\/paycol_([^/]+)\/payment-sessions$/.exec(path);
    if (sessions && method === 'POST') {
      const cart = this.carts.get(sessions[1] ?? '');
      if (!cart) return error(404, 'not_found', 'Payment collection not found');
      if (body.provider_id !== 'pp_system_default')
        return error(400, 'invalid_data', 'Unknown payment provider');
      this.carts.set(cart.id, { ...cart, payment_session: body.provider_id });
      return json(200, { payment_collection: { id: `paycol_${cart.id}` } });
    }

    const order = /^\/store\/orders\/([^/]+)$/.exec(path);
    if (order && method === 'GET') {
      const found = this.orders.get(order[1] ?? '');
      return found ? json(200, { order: found }) : error(404, 'not_found', 'Order not found');
    }
    return error(404, 'not_found', `No route ${method} ${path}`);
  }
}
