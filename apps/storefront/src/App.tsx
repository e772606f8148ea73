// The storefront: it learns the store (publishable key, name, region) from GET /storefront/config at
// start, so one build serves every store; without it there is only an error page with a retry. A
// store that is starting (waking from sleep: the storefront is back before the server) answers 502,
// 503 or 504, or not at all: then the page tries again by itself every few seconds.
import { useCallback, useEffect, useRef, useState } from 'react';
import { loadConfig, StoreApiError } from './api.ts';
import { CartPage } from './pages/CartPage.tsx';
import { CheckoutPage } from './pages/CheckoutPage.tsx';
import { ConfirmationPage } from './pages/ConfirmationPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { ProductPage } from './pages/ProductPage.tsx';
import { Link, matchRoute, PageHeading, setSiteName, usePath } from './router.tsx';
import { StoreProvider, useCart, useStore } from './store.tsx';
import type { StorefrontConfig } from './types.ts';

type Loading =
  | { state: 'loading' }
  | { state: 'failed'; message: string; starting: boolean }
  | { state: 'ready'; config: StorefrontConfig };

/** How long a starting store is given before the page asks again. */
export const CONFIG_RETRY_MS = 3000;
const STARTING_STATUSES = new Set([0, 502, 503, 504]);

export function App() {
  const [loading, setLoading] = useState<Loading>({ state: 'loading' });
  const retry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const load = useCallback(() => {
    clearTimeout(retry.current);
    setLoading({ state: 'loading' });
    loadConfig().then(
      (config) => {
        setSiteName(config.storeName);
        setLoading({ state: 'ready', config });
      },
      (error: unknown) => {
        const starting = error instanceof StoreApiError && STARTING_STATUSES.has(error.status);
        setLoading({
          state: 'failed',
          message: error instanceof Error ? error.message : String(error),
          starting,
        });
        if (starting) retry.current = setTimeout(() => load(), CONFIG_RETRY_MS);
      },
    );
  }, []);
  useEffect(() => {
    load();
    return () => clearTimeout(retry.current);
  }, [load]);

  if (loading.state === 'loading') {
    return (
      <main id="main" className="page centered">
        <p role="status">Loading the store…</p>
      </main>
    );
  }
  if (loading.state === 'failed') {
    return (
      <main id="main" className="page centered">
        <PageHeading title="Store unavailable">This store could not be loaded</PageHeading>
        <p role="alert">{loading.message}</p>
        <p>
          {loading.starting
            ? 'It may still be starting: this page tries again by itself every few seconds.'
            : 'Please try again in a moment.'}
        </p>
        <button type="button" className="button primary" onClick={load}>
          Try again
        </button>
      </main>
    );
  }
  return (
    <StoreProvider config={loading.config}>
      <Shell />
    </StoreProvider>
  );
}

function Shell() {
  const { config } = useStore();
  const { count } = useCart();
  const route = matchRoute(usePath());
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="bar">
          <Link to="/" className="brand">
            {config.storeName}
          </Link>
          <nav aria-label="Shop">
            <Link to="/cart" className="cart-link">
              Cart ({count})
            </Link>
          </nav>
        </div>
      </header>
      <main id="main" className="page">
        {route.page === 'home' && <HomePage />}
        {route.page === 'product' && <ProductPage key={route.handle} handle={route.handle} />}
        {route.page === 'cart' && <CartPage />}
        {route.page === 'checkout' && <CheckoutPage />}
        {route.page === 'confirmed' && <ConfirmationPage key={route.orderId} orderId={route.orderId} />}
        {route.page === 'notFound' && <NotFound />}
      </main>
      <footer className="site-footer">
        <p>
          © {new Date().getFullYear()} {config.storeName}
        </p>
      </footer>
    </>
  );
}

function NotFound() {
  return (
    <>
      <PageHeading title="Page not found">Page not found</PageHeading>
      <p>There is nothing at this address.</p>
      <p>
        <Link to="/">Back to the shop</Link>
      </p>
    </>
  );
}
