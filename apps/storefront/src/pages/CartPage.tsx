import { useState } from 'react';
import { formatMoney } from '../money.ts';
import { Link, PageHeading } from '../router.tsx';
import { useCart } from '../store.tsx';
import type { Cart } from '../types.ts';
import { itemName, Loading, Totals } from './common.tsx';

export const itemsSubtotal = (cart: Cart) =>
  cart.item_subtotal ?? (cart.items ?? []).reduce((sum, item) => sum + item.unit_price * item.quantity, 0);

export function CartPage() {
  const cart = useCart();
  const [busyLine, setBusyLine] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (!cart.ready) return <Loading what="your cart" />;
  const items = cart.cart?.items ?? [];
  const currency = cart.cart?.currency_code ?? '';

  const run = async (lineId: string, change: () => Promise<void>) => {
    setBusyLine(lineId);
    setError(null);
    try {
      await change();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusyLine(null);
    }
  };

  return (
    <>
      <PageHeading title="Your cart">Your cart</PageHeading>
      <div aria-live="polite" className="message error">
        {error && <p>{error}</p>}
      </div>
      {!cart.cart || items.length === 0 ? (
        <>
          <p>Your cart is empty.</p>
          <p>
            <Link to="/">Continue shopping</Link>
          </p>
        </>
      ) : (
        <>
          <ul className="lines" aria-label="Items in your cart">
            {items.map((item) => {
              const name = itemName(item);
              const busy = busyLine === item.id;
              return (
                <li key={item.id} className="line">
                  {item.thumbnail ? (
                    <img src={item.thumbnail} alt="" width={64} height={64} />
                  ) : (
                    <span className="no-image small" aria-hidden="true" />
                  )}
                  <div className="line-main">
                    <p className="line-title">
                      {item.product_handle ? (
                        <Link to={`/products/${encodeURIComponent(item.product_handle)}`}>{name}</Link>
                      ) : (
                        name
                      )}
                    </p>
                    <p className="muted">{formatMoney(item.unit_price, currency)} each</p>
                    <div className="line-actions">
                      <div className="stepper">
                        <button
                          type="button"
                          className="button small"
                          aria-label={`One less ${name}`}
                          disabled={busy || item.quantity <= 1}
                          onClick={() => run(item.id, () => cart.update(item.id, item.quantity - 1))}
                        >
                          −
                        </button>
                        <output aria-label={`Quantity of ${name}`}>{item.quantity}</output>
                        <button
                          type="button"
                          className="button small"
                          aria-label={`One more ${name}`}
                          disabled={busy}
                          onClick={() => run(item.id, () => cart.update(item.id, item.quantity + 1))}
                        >
                          +
                        </button>
                      </div>
                      <button
                        type="button"
                        className="button small link-like"
                        aria-label={`Remove ${name}`}
                        disabled={busy}
                        onClick={() => run(item.id, () => cart.remove(item.id))}
                      >
                        Remove
                      </button>
                    </div>
                  </div>
                  <p className="line-total">{formatMoney(item.unit_price * item.quantity, currency)}</p>
                </li>
              );
            })}
          </ul>
          <Totals
            rows={[['Subtotal', itemsSubtotal(cart.cart)]]}
            total={cart.cart.total ?? itemsSubtotal(cart.cart)}
            currency={currency}
          />
          <p className="muted">Shipping is chosen at checkout.</p>
          <p className="actions">
            <Link to="/" className="button">
              Continue shopping
            </Link>
            <Link to="/checkout" className="button primary">
              Checkout
            </Link>
          </p>
        </>
      )}
    </>
  );
}
