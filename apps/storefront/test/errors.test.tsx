import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CONFIG_RETRY_MS } from '../src/App.tsx';
import { CART_KEY } from '../src/store.tsx';
import { fillCheckout, renderShop } from './support/render.tsx';

const GRACE = {
  Email: 'grace@example.com',
  'First name': 'Grace',
  'Last name': 'Hopper',
  Address: 'Rue du Port 2',
  City: 'Brest',
  'Postal code': '29200',
  Country: 'fr',
};

/** From the mug's page: add one, open the cart, go to the checkout. */
async function mugToCheckout(user: ReturnType<typeof renderShop>['user']) {
  await screen.findByRole('heading', { level: 1, name: 'Anchor Mug' });
  await user.click(screen.getByRole('button', { name: 'Add to cart' }));
  await user.click(await screen.findByRole('link', { name: 'Cart (1)' }));
  await user.click(await screen.findByRole('link', { name: 'Checkout' }));
}

describe('when things go wrong', () => {
  it('shows an error page when the configuration cannot be fetched, and retries', async () => {
    const { medusa, user } = renderShop('/', (m) => {
      m.configFailures = 1;
    });
    expect(
      await screen.findByRole('heading', { level: 1, name: 'This store could not be loaded' }),
    ).toBeVisible();
    expect(screen.getByRole('alert')).toHaveTextContent('This store is still being set up.');
    expect(medusa.storeRequests()).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Acme Harbour Shop' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Fleet T-Shirt' })).toBeInTheDocument();
    expect(medusa.requests.filter((r) => r.path === '/storefront/config')).toHaveLength(2);
  });

  it('tries again by itself while the store is starting (waking up), until it answers', async () => {
    const { medusa } = renderShop('/', (m) => {
      m.configFailures = 2;
    });
    expect(await screen.findByRole('alert')).toHaveTextContent('This store is still being set up.');
    expect(screen.getByText(/tries again by itself/)).toBeVisible();
    expect(
      await screen.findByRole('link', { name: 'Fleet T-Shirt' }, { timeout: 3 * CONFIG_RETRY_MS }),
    ).toBeInTheDocument();
    expect(medusa.requests.filter((r) => r.path === '/storefront/config')).toHaveLength(3);
  }, 20_000);

  it("waits for the store's server while the ingress still answers its paths with the storefront's page", async () => {
    renderShop('/', (_medusa, fetch) => {
      fetch.mockImplementationOnce(() =>
        Promise.resolve(
          new Response('<!doctype html><title>Store</title>', {
            status: 200,
            headers: { 'content-type': 'text/html' },
          }),
        ),
      );
    });
    expect(await screen.findByRole('alert')).toHaveTextContent('may still be starting');
    expect(
      await screen.findByRole('link', { name: 'Fleet T-Shirt' }, { timeout: 3 * CONFIG_RETRY_MS }),
    ).toBeInTheDocument();
  }, 20_000);

  it('says so when the store cannot be reached at all', async () => {
    renderShop('/', (_medusa, fetch) => {
      fetch.mockImplementationOnce(() => Promise.reject(new TypeError('Failed to fetch')));
    });
    expect(
      await screen.findByRole('heading', { level: 1, name: 'This store could not be loaded' }),
    ).toBeVisible();
    expect(screen.getByRole('alert')).toHaveTextContent('The store could not be reached.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('replaces a saved cart that Medusa no longer has', async () => {
    window.localStorage.setItem(CART_KEY, 'cart_gone');
    const { medusa, user } = renderShop('/products/fleet-t-shirt');
    await screen.findByRole('heading', { level: 1, name: 'Fleet T-Shirt' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Add to cart' })).toBeEnabled());
    expect(window.localStorage.getItem(CART_KEY)).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Add to cart' }));
    expect(await screen.findByRole('link', { name: 'Cart (1)' })).toBeInTheDocument();
    const id = window.localStorage.getItem(CART_KEY);
    expect(id).toMatch(/^cart_/);
    expect(id).not.toBe('cart_gone');
    expect(medusa.carts.get(id ?? '')?.items).toHaveLength(1);
    expect(medusa.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /store/carts/cart_gone');
  });

  it('creates a new cart when the cart disappears while shopping', async () => {
    const { medusa, user } = renderShop('/products/anchor-mug');
    await screen.findByRole('heading', { level: 1, name: 'Anchor Mug' });
    await user.click(screen.getByRole('button', { name: 'Add to cart' }));
    await screen.findByRole('link', { name: 'Cart (1)' });
    const first = window.localStorage.getItem(CART_KEY) ?? '';
    medusa.carts.delete(first);

    await user.click(screen.getByRole('button', { name: 'Add to cart' }));
    expect(await screen.findByText('Added 1 × Anchor Mug to your cart.')).toBeInTheDocument();
    const second = window.localStorage.getItem(CART_KEY) ?? '';
    expect(second).not.toBe(first);
    expect(medusa.carts.get(second)?.items?.[0]?.quantity).toBe(1);
    expect(screen.getByRole('link', { name: 'Cart (1)' })).toBeInTheDocument();
  });

  it('empties the cart page when the cart has expired in Medusa', async () => {
    const { medusa, user } = renderShop('/products/anchor-mug');
    await screen.findByRole('heading', { level: 1, name: 'Anchor Mug' });
    await user.click(screen.getByRole('button', { name: 'Add to cart' }));
    await user.click(await screen.findByRole('link', { name: 'Cart (1)' }));
    await screen.findByRole('heading', { level: 1, name: 'Your cart' });
    medusa.carts.delete(window.localStorage.getItem(CART_KEY) ?? '');

    await user.click(screen.getByRole('button', { name: 'One more Anchor Mug (White)' }));
    expect(await screen.findByText(/Your cart has expired/)).toBeInTheDocument();
    expect(screen.getByText('Your cart is empty.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Cart (0)' })).toBeInTheDocument();
    expect(window.localStorage.getItem(CART_KEY)).toBeNull();
  });

  it('shows why an order was not placed and stays on the checkout', async () => {
    const { medusa, user } = renderShop('/products/anchor-mug', (m) => {
      m.completeError = 'The payment could not be authorized.';
    });
    await mugToCheckout(user);
    await fillCheckout(user, GRACE);
    await user.click(await screen.findByRole('radio', { name: /Standard shipping/ }));
    await user.click(screen.getByRole('button', { name: 'Place order' }));

    expect(await screen.findByText('The payment could not be authorized.')).toBeInTheDocument();
    expect(
      screen.getByText('The payment could not be authorized.').closest('[aria-live]'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: /Order #/ })).toBeNull();
    expect(window.location.pathname).toBe('/checkout');
    expect(screen.getByRole('button', { name: 'Place order' })).toBeEnabled();
    expect(window.localStorage.getItem(CART_KEY)).toMatch(/^cart_/);

    // once the payment goes through, the same cart becomes an order
    medusa.completeError = null;
    await user.click(screen.getByRole('button', { name: 'Place order' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Order #1' })).toBeInTheDocument();
  });

  it('disables Place order while the order is being placed', async () => {
    const { medusa, fetch, user } = renderShop('/products/anchor-mug');
    await mugToCheckout(user);
    await fillCheckout(user, GRACE);
    await user.click(await screen.findByRole('radio', { name: /Standard shipping/ }));

    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    fetch.mockImplementation(async (input, init) => {
      if (String(input).endsWith('/complete')) await gate;
      return medusa.handle(input, init);
    });
    await user.click(screen.getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Place order' })).toBeDisabled());
    expect(screen.getByRole('status')).toHaveTextContent('Placing your order…');
    release();
    expect(await screen.findByRole('heading', { level: 1, name: 'Order #1' })).toBeInTheDocument();
  });

  it('lists what is missing instead of sending an incomplete checkout', async () => {
    const { medusa, user } = renderShop('/products/anchor-mug');
    await mugToCheckout(user);
    await screen.findByRole('heading', { level: 1, name: 'Checkout' });
    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    const before = medusa.requests.length;
    await user.click(screen.getByRole('button', { name: 'Place order' }));
    expect(await screen.findByText('Email must be an email address.')).toBeInTheDocument();
    expect(screen.getByText('City is required.')).toBeInTheDocument();
    expect(screen.getByLabelText('City')).toHaveAttribute('aria-invalid', 'true');
    expect(medusa.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('finds an order placed earlier when its confirmation page is opened directly', async () => {
    renderShop('/order/confirmed/order_7', (m) => {
      m.orders.set('order_7', {
        id: 'order_7',
        display_id: 7,
        email: 'x@example.com',
        currency_code: 'eur',
        items: [],
        total: 30,
      });
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Order #7' })).toBeInTheDocument();
    expect(screen.getByText('Total').nextElementSibling).toHaveTextContent('€30.00');
  });
});
