// The Medusa Store API on the storefront's own origin: relative URLs, and the store's publishable key on
// every call. Medusa answers errors with JSON {type, message}; they become StoreApiError.
import type { Cart, CompleteResult, Order, Product, ShippingOption, StorefrontConfig } from './types.ts';

export class StoreApiError extends Error {
  readonly status: number;
  readonly type: string | undefined;
  constructor(status: number, message: string, type?: string) {
    super(message);
    this.name = 'StoreApiError';
    this.status = status;
    this.type = type;
  }
}

async function failure(response: Response): Promise<StoreApiError> {
  let message = `The store answered ${response.status} ${response.statusText}`.trim();
  let type: string | undefined;
  try {
    const body = (await response.json()) as { message?: unknown; type?: unknown };
    if (typeof body.message === 'string' && body.message) message = body.message;
    if (typeof body.type === 'string') type = body.type;
  } catch {
    // not JSON: keep the status line
  }
  return new StoreApiError(response.status, message, type);
}

async function send<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new StoreApiError(0, 'The store could not be reached. Check your connection and try again.');
  }
  if (!response.ok) throw await failure(response);
  // Anything but JSON is not the Store API: while the store's server starts (waking from sleep) the
  // ingress sends its paths to the storefront, which answers with its page.
  if (!(response.headers.get('content-type') ?? '').includes('json')) {
    throw new StoreApiError(502, 'The store is not answering yet: it may still be starting.');
  }
  return (await response.json()) as T;
}

function isConfig(value: unknown): value is StorefrontConfig {
  const config = value as Partial<StorefrontConfig> | null;
  return (
    typeof config?.publishableKey === 'string' &&
    typeof config.storeName === 'string' &&
    typeof config.region?.id === 'string' &&
    typeof config.region.currency_code === 'string' &&
    Array.isArray(config.region.countries)
  );
}

export async function loadConfig(): Promise<StorefrontConfig> {
  const config = await send<unknown>('/storefront/config', { headers: { accept: 'application/json' } });
  if (!isConfig(config))
    throw new StoreApiError(0, 'The store sent a configuration this storefront cannot read.');
  return config;
}

export const PRODUCT_FIELDS = '*variants.calculated_price,+variants.inventory_quantity';

export function createStoreApi(config: StorefrontConfig) {
  const regionId = config.region.id;
  const call = <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
    send<T>(path, {
      method,
      headers: {
        accept: 'application/json',
        'x-publishable-api-key': config.publishableKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const productQuery = (extra: Record<string, string> = {}) =>
    new URLSearchParams({ region_id: regionId, fields: PRODUCT_FIELDS, ...extra }).toString();
  const cartPath = (id: string) => `/store/carts/${encodeURIComponent(id)}`;

  return {
    listProducts: async () =>
      (await call<{ products: Product[] }>('GET', `/store/products?${productQuery()}`)).products,
    productByHandle: async (handle: string) =>
      (
        await call<{ products: Product[] }>('GET', `/store/products?${productQuery({ handle })}`)
      ).products.find((product) => product.handle === handle) ?? null,
    createCart: async () =>
      (await call<{ cart: Cart }>('POST', '/store/carts', { region_id: regionId })).cart,
    getCart: async (id: string) => (await call<{ cart: Cart }>('GET', cartPath(id))).cart,
    addItem: async (cartId: string, variantId: string, quantity: number) =>
      (
        await call<{ cart: Cart }>('POST', `${cartPath(cartId)}/line-items`, {
          variant_id: variantId,
          quantity,
        })
      ).cart,
    updateItem: async (cartId: string, lineId: string, quantity: number) =>
      (
        await call<{ cart: Cart }>('POST', `${cartPath(cartId)}/line-items/${encodeURIComponent(lineId)}`, {
          quantity,
        })
      ).cart,
    removeItem: async (cartId: string, lineId: string) => {
      await call<unknown>('DELETE', `${cartPath(cartId)}/line-items/${encodeURIComponent(lineId)}`);
      return (await call<{ cart: Cart }>('GET', cartPath(cartId))).cart;
    },
    updateCart: async (cartId: string, update: Record<string, unknown>) =>
      (await call<{ cart: Cart }>('POST', cartPath(cartId), update)).cart,
    shippingOptions: async (cartId: string): Promise<ShippingOption[]> =>
      (
        await call<{ shipping_options: ShippingOption[] }>(
          'GET',
          `/store/shipping-options?${new URLSearchParams({ cart_id: cartId })}`,
        )
      ).shipping_options.map((option) => ({
        ...option,
        // flat-rate options carry `amount`; calculated ones only their calculated price
        amount: option.amount ?? option.calculated_price?.calculated_amount ?? null,
      })),
    addShippingMethod: async (cartId: string, optionId: string) =>
      (await call<{ cart: Cart }>('POST', `${cartPath(cartId)}/shipping-methods`, { option_id: optionId }))
        .cart,
    startPayment: async (cartId: string, providerId: string) => {
      const { payment_collection } = await call<{ payment_collection: { id: string } }>(
        'POST',
        '/store/payment-collections',
        { cart_id: cartId },
      );
      await call<unknown>(
        'POST',
        `/store/payment-collections/${encodeURIComponent(payment_collection.id)}/payment-sessions`,
        { provider_id: providerId },
      );
    },
    complete: (cartId: string) => call<CompleteResult>('POST', `${cartPath(cartId)}/complete`),
    getOrder: async (id: string) =>
      (await call<{ order: Order }>('GET', `/store/orders/${encodeURIComponent(id)}`)).order,
  };
}

export type StoreApi = ReturnType<typeof createStoreApi>;

/** The message of a failed `complete`: Medusa gives {message} (or, in some versions, a string). */
export function completionError(error: unknown): string {
  if (typeof error === 'string' && error) return error;
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message) return message;
  return 'The order could not be placed. Please check your details and try again.';
}
