// What every page shares: the store's configuration and API client, and the shopper's cart. The cart id
// lives in localStorage; a cart Medusa no longer has (404), has completed, or that belongs to another
// region is dropped, and a new one is created when something is added.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { createStoreApi, type StoreApi, StoreApiError } from './api.ts';
import type { Cart, StorefrontConfig } from './types.ts';

export const CART_KEY = 'storefleet.cart';

interface StoreValue {
  config: StorefrontConfig;
  api: StoreApi;
}

const StoreContext = createContext<StoreValue | null>(null);

export function useStore(): StoreValue {
  const value = useContext(StoreContext);
  if (!value) throw new Error('useStore outside StoreProvider');
  return value;
}

interface CartValue {
  cart: Cart | null;
  /** The first look at the saved cart has finished. */
  ready: boolean;
  count: number;
  add: (variantId: string, quantity: number) => Promise<void>;
  update: (lineId: string, quantity: number) => Promise<void>;
  remove: (lineId: string) => Promise<void>;
  /** Runs a change on the current cart (which must exist) and keeps what it returns. */
  change: (run: (cartId: string) => Promise<Cart>) => Promise<Cart>;
  clear: () => void;
}

const CartContext = createContext<CartValue | null>(null);

export function useCart(): CartValue {
  const value = useContext(CartContext);
  if (!value) throw new Error('useCart outside StoreProvider');
  return value;
}

const savedCartId = () => {
  try {
    return window.localStorage.getItem(CART_KEY);
  } catch {
    return null;
  }
};

const saveCartId = (id: string | null) => {
  try {
    if (id) window.localStorage.setItem(CART_KEY, id);
    else window.localStorage.removeItem(CART_KEY);
  } catch {
    // storage unavailable (private mode): the cart lives as long as the page
  }
};

const isGone = (error: unknown) => error instanceof StoreApiError && error.status === 404;

export function StoreProvider({ config, children }: { config: StorefrontConfig; children: ReactNode }) {
  const api = useMemo(() => createStoreApi(config), [config]);
  const [cart, setCart] = useState<Cart | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const id = savedCartId();
    if (!id) {
      setReady(true);
      return;
    }
    let live = true;
    api
      .getCart(id)
      .then((found) => {
        if (!live) return;
        if (found.completed_at || (found.region_id && found.region_id !== config.region.id)) saveCartId(null);
        else setCart(found);
      })
      .catch((error: unknown) => {
        if (live && isGone(error)) saveCartId(null);
      })
      .finally(() => {
        if (live) setReady(true);
      });
    return () => {
      live = false;
    };
  }, [api, config.region.id]);

  const keep = useCallback((next: Cart) => {
    saveCartId(next.id);
    setCart(next);
    return next;
  }, []);

  const fresh = useCallback(async () => keep(await api.createCart()), [api, keep]);

  /** Runs a change on the cart, creating one first when there is none or when it has gone (404). */
  const withCart = useCallback(
    async (run: (cartId: string) => Promise<Cart>) => {
      const current = cart ?? (await fresh());
      try {
        return keep(await run(current.id));
      } catch (error) {
        if (!isGone(error)) throw error;
        const replacement = await fresh();
        return keep(await run(replacement.id));
      }
    },
    [cart, fresh, keep],
  );

  const change = useCallback(
    async (run: (cartId: string) => Promise<Cart>) => {
      if (!cart) throw new StoreApiError(404, 'Your cart is empty.');
      try {
        return keep(await run(cart.id));
      } catch (error) {
        if (!isGone(error)) throw error;
        saveCartId(null);
        setCart(null);
        throw new StoreApiError(
          404,
          'Your cart has expired, so it is empty now. Please add the items again.',
        );
      }
    },
    [cart, keep],
  );

  const value = useMemo<CartValue>(
    () => ({
      cart,
      ready,
      count: (cart?.items ?? []).reduce((sum, item) => sum + item.quantity, 0),
      add: async (variantId, quantity) => {
        await withCart((id) => api.addItem(id, variantId, quantity));
      },
      update: async (lineId, quantity) => {
        await change((id) => api.updateItem(id, lineId, quantity));
      },
      remove: async (lineId) => {
        await change((id) => api.removeItem(id, lineId));
      },
      change,
      clear: () => {
        saveCartId(null);
        setCart(null);
      },
    }),
    [api, cart, change, ready, withCart],
  );

  const store = useMemo(() => ({ config, api }), [config, api]);
  return (
    <StoreContext value={store}>
      <CartContext value={value}>{children}</CartContext>
    </StoreContext>
  );
}
