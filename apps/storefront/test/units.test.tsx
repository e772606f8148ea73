import { describe, expect, it } from 'vitest';
import { completionError } from '../src/api.ts';
import { findVariant, priceRange, stockOf } from '../src/catalog.ts';
import { formatMoney } from '../src/money.ts';
import { matchRoute } from '../src/router.tsx';
import { FakeMedusa } from './support/fake-medusa.ts';

describe('the pieces', () => {
  it('routes the pages and decodes their parameters', () => {
    expect(matchRoute('/')).toEqual({ page: 'home' });
    expect(matchRoute('/cart/')).toEqual({ page: 'cart' });
    expect(matchRoute('/checkout')).toEqual({ page: 'checkout' });
    expect(matchRoute('/products/caf%C3%A9-mug')).toEqual({ page: 'product', handle: 'café-mug' });
    expect(matchRoute('/order/confirmed/order_01J')).toEqual({ page: 'confirmed', orderId: 'order_01J' });
    expect(matchRoute('/products/%E0%A4%A')).toEqual({ page: 'notFound' });
    expect(matchRoute('/products/a/b')).toEqual({ page: 'notFound' });
  });

  it('formats decimal major units in the currency', () => {
    expect(formatMoney(12.5, 'eur')).toMatch(/12\.50/);
    expect(formatMoney(12.5, 'eur')).toContain('€');
    expect(formatMoney(1000, 'usd')).toMatch(/\$1,000\.00/);
    expect(formatMoney(null, 'eur')).toBe('—');
  });

  it('finds prices, stock and variants', () => {
    const [shirt] = new FakeMedusa().products;
    if (!shirt) throw new Error('no shirt');
    expect(priceRange(shirt)).toEqual({ amount: 20, varies: true });
    const large = findVariant(shirt, { opt_shirt: 'L' });
    expect(large?.id).toBe('variant_shirt_l');
    expect(findVariant(shirt, { opt_shirt: 'XXL' })).toBeUndefined();
    expect(stockOf({ id: 'v', title: null, inventory_quantity: 0 })).toBe(0);
    expect(stockOf({ id: 'v', title: null, inventory_quantity: 0, allow_backorder: true })).toBeUndefined();
    expect(stockOf({ id: 'v', title: null, inventory_quantity: 4, manage_inventory: false })).toBeUndefined();
    expect(stockOf({ id: 'v', title: null })).toBeUndefined();
  });

  it("reads Medusa's completion errors", () => {
    expect(completionError({ message: 'Payment failed', name: 'Error' })).toBe('Payment failed');
    expect(completionError('Out of stock')).toBe('Out of stock');
    expect(completionError(undefined)).toMatch(/could not be placed/);
  });
});
