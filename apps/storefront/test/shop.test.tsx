import { render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../src/App.tsx';
import { CART_KEY } from '../src/store.tsx';
import { PUBLISHABLE_KEY } from './support/fake-medusa.ts';
import { fillCheckout, renderShop } from './support/render.tsx';

describe('a shopper on the storefront', () => {
  it('orders from the home page to the confirmation', async () => {
    const { medusa, user } = renderShop('/');

    // Home: the store's name and its products with "from" prices
    expect(await screen.findByRole('heading', { level: 1, name: 'Acme Harbour Shop' })).toBeInTheDocument();
    const grid = await screen.findByRole('list', { name: 'Products' });
    const shirt = within(grid).getByRole('link', { name: 'Fleet T-Shirt' });
    expect(within(grid).getByRole('link', { name: 'Anchor Mug' })).toHaveAttribute(
      'href',
      '/products/anchor-mug',
    );
    expect(grid).toHaveTextContent('From €20.00');
    expect(grid).toHaveTextContent('€12.50');
    expect(screen.getByRole('link', { name: 'Cart (0)' })).toBeInTheDocument();

    // Product page: description, variants by option value, the chosen variant's price
    await user.click(shirt);
    const heading = await screen.findByRole('heading', { level: 1, name: 'Fleet T-Shirt' });
    expect(window.location.pathname).toBe('/products/fleet-t-shirt');
    await waitFor(() => expect(heading).toHaveFocus());
    expect(document.title).toBe('Fleet T-Shirt · Acme Harbour Shop');
    expect(screen.getByText('The fleet t-shirt everybody wants.')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Fleet T-Shirt' })).toHaveAttribute('src', '/images/shirt.png');
    const size = screen.getByRole('group', { name: 'Size' });
    expect(within(size).getByRole('radio', { name: 'S' })).toBeChecked();
    expect(screen.getByText('€20.00')).toBeInTheDocument();

    await user.click(within(size).getByRole('radio', { name: 'L' }));
    expect(screen.getByText('€22.00')).toBeInTheDocument();
    expect(screen.getByText('Out of stock')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Add to cart' })).toBeDisabled();

    await user.click(within(size).getByRole('radio', { name: 'M' }));
    const quantity = screen.getByLabelText('Quantity');
    await user.clear(quantity);
    await user.type(quantity, '2');
    await user.click(screen.getByRole('button', { name: 'Add to cart' }));
    expect(await screen.findByRole('link', { name: 'Cart (2)' })).toBeInTheDocument();
    expect(screen.getByText('Added 2 × Fleet T-Shirt to your cart.')).toBeInTheDocument();
    const cartId = window.localStorage.getItem(CART_KEY);
    expect(cartId).toMatch(/^cart_/);

    // Cart: the line, its quantity and totals; one fewer
    await user.click(screen.getByRole('link', { name: 'Cart (2)' }));
    await screen.findByRole('heading', { level: 1, name: 'Your cart' });
    const lines = screen.getByRole('list', { name: 'Items in your cart' });
    expect(within(lines).getByRole('link', { name: 'Fleet T-Shirt (M)' })).toBeInTheDocument();
    expect(within(lines).getByText('€40.00')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'One less Fleet T-Shirt (M)' }));
    expect(await screen.findByRole('link', { name: 'Cart (1)' })).toBeInTheDocument();
    expect(screen.getByText('Subtotal').nextElementSibling).toHaveTextContent('€20.00');

    // Checkout: contact and delivery, shipping for the chosen country, pay on delivery
    await user.click(screen.getByRole('link', { name: 'Checkout' }));
    await screen.findByRole('heading', { level: 1, name: 'Checkout' });
    await fillCheckout(user, {
      Email: 'ada@example.com',
      'First name': 'Ada',
      'Last name': 'Lovelace',
      Address: 'Harbour Street 1',
      City: 'Hamburg',
      'Postal code': '20457',
      Country: 'de',
    });
    expect(screen.getByRole('radio', { name: 'Pay on delivery' })).toBeChecked();
    await user.click(await screen.findByRole('radio', { name: /Express shipping — €15\.00/ }));
    await user.click(screen.getByRole('radio', { name: /Standard shipping — €5\.00/ }));
    expect(screen.getByText('Shipping').nextElementSibling).toHaveTextContent('€5.00');
    expect(screen.getByText('Total').nextElementSibling).toHaveTextContent('€25.00');
    await user.click(screen.getByRole('button', { name: 'Place order' }));

    // Confirmation: the order number, its items and total; the cart is gone
    const confirmed = await screen.findByRole('heading', { level: 1, name: 'Order #1' });
    await waitFor(() => expect(confirmed).toHaveFocus());
    expect(window.location.pathname).toBe('/order/confirmed/order_1');
    expect(screen.getByText('1 × Fleet T-Shirt (M)')).toBeInTheDocument();
    expect(screen.getByText('Total').nextElementSibling).toHaveTextContent('€25.00');
    expect(screen.getByText('Placed with the email address ada@example.com.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Cart (0)' })).toBeInTheDocument();
    expect(window.localStorage.getItem(CART_KEY)).toBeNull();

    // What Medusa received
    const cart = medusa.carts.get(cartId ?? '');
    expect(cart?.email).toBe('ada@example.com');
    expect(cart?.shipping_address).toEqual({
      first_name: 'Ada',
      last_name: 'Lovelace',
      address_1: 'Harbour Street 1',
      city: 'Hamburg',
      postal_code: '20457',
      country_code: 'de',
    });
    expect(cart?.completed_at).toBeTruthy();
    const paths = medusa.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(paths).toContain(`POST /store/payment-collections/paycol_${cartId}/payment-sessions`);
    expect(medusa.requests.find((r) => r.path.endsWith('/payment-sessions'))?.body).toEqual({
      provider_id: 'pp_system_default',
    });

    // The publishable key went with every Store API call, and the products were priced for the region
    const store = medusa.storeRequests();
    expect(store.length).toBeGreaterThan(10);
    for (const request of store) expect(request.headers.get('x-publishable-api-key')).toBe(PUBLISHABLE_KEY);
    const listing = new URL(store[0]?.path ?? '', 'http://x');
    expect(listing.pathname).toBe('/store/products');
    expect(listing.searchParams.get('region_id')).toBe('reg_main');
    expect(listing.searchParams.get('fields')).toBe(
      '*variants.calculated_price,+variants.inventory_quantity',
    );
  });

  it('removes a line and shows an empty cart', async () => {
    const { user } = renderShop('/products/anchor-mug');
    await screen.findByRole('heading', { level: 1, name: 'Anchor Mug' });
    await user.click(screen.getByRole('radio', { name: 'Navy' }));
    await user.click(screen.getByRole('button', { name: 'Add to cart' }));
    await user.click(await screen.findByRole('link', { name: 'Cart (1)' }));
    await user.click(await screen.findByRole('button', { name: 'Remove Anchor Mug (Navy)' }));
    expect(await screen.findByText('Your cart is empty.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Cart (0)' })).toBeInTheDocument();
  });

  it('keeps the cart across a reload', async () => {
    const first = renderShop('/products/anchor-mug');
    await screen.findByRole('heading', { level: 1, name: 'Anchor Mug' });
    await first.user.click(screen.getByRole('button', { name: 'Add to cart' }));
    await screen.findByRole('link', { name: 'Cart (1)' });
    first.view.unmount();

    // same fake Medusa, new page load
    window.history.replaceState(null, '', '/cart');
    render(<App />);
    expect(await screen.findByRole('link', { name: 'Cart (1)' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Anchor Mug (White)' })).toBeInTheDocument();
  });

  it('has landmarks, labelled navigation and a page for unknown addresses', async () => {
    renderShop('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('banner')).toBeInTheDocument();
    expect(screen.getByRole('main')).toBeInTheDocument();
    expect(screen.getByRole('contentinfo')).toHaveTextContent('Acme Harbour Shop');
    expect(screen.getByRole('navigation', { name: 'Shop' })).toBeInTheDocument();
  });
});
