import { type FormEvent, useState } from 'react';
import {
  type Choice,
  choiceOf,
  findVariant,
  firstVariant,
  optionValues,
  stockOf,
  variantPrice,
} from '../catalog.ts';
import { formatMoney } from '../money.ts';
import { Link, PageHeading } from '../router.tsx';
import { useCart, useStore } from '../store.tsx';
import type { Product } from '../types.ts';
import { useAsync } from '../useAsync.ts';
import { LoadFailed, Loading } from './common.tsx';

export function ProductPage({ handle }: { handle: string }) {
  const { api } = useStore();
  const product = useAsync(() => api.productByHandle(handle), handle);
  if (product.state === 'loading') return <Loading what="the product" />;
  if (product.state === 'failed') {
    return (
      <>
        <PageHeading title="Product">Product</PageHeading>
        <LoadFailed what="this product" message={product.message} retry={product.reload} />
      </>
    );
  }
  if (!product.value) {
    return (
      <>
        <PageHeading title="Product not found">Product not found</PageHeading>
        <p>This product is not for sale here (any more).</p>
        <p>
          <Link to="/">See all products</Link>
        </p>
      </>
    );
  }
  return <ProductDetails product={product.value} />;
}

function ProductDetails({ product }: { product: Product }) {
  const { config } = useStore();
  const cart = useCart();
  const [choice, setChoice] = useState<Choice>(() => choiceOf(product, firstVariant(product)));
  const [quantity, setQuantity] = useState('1');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const variant = findVariant(product, choice);
  const stock = variant ? stockOf(variant) : undefined;
  const price = variant ? variantPrice(variant) : null;
  const soldOut = stock === 0;
  const wanted = Number.parseInt(quantity, 10);
  const options = (product.options ?? []).filter(() => (product.variants?.length ?? 0) > 1);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!variant || soldOut) return;
    if (!Number.isInteger(wanted) || wanted < 1) {
      setMessage({ kind: 'error', text: 'Choose a quantity of at least 1.' });
      return;
    }
    if (stock !== undefined && wanted > stock) {
      setMessage({ kind: 'error', text: `Only ${stock} left in stock.` });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      await cart.add(variant.id, wanted);
      setMessage({ kind: 'ok', text: `Added ${wanted} × ${product.title} to your cart.` });
    } catch (error) {
      setMessage({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="product">
      <div className="product-media">
        {product.thumbnail ? (
          <img src={product.thumbnail} alt={product.title} width={600} height={600} />
        ) : (
          <span className="no-image" aria-hidden="true" />
        )}
      </div>
      <div className="product-info">
        <PageHeading title={product.title}>{product.title}</PageHeading>
        <p className="price large" aria-live="polite">
          {variant ? formatMoney(price, config.region.currency_code) : 'Not available in this combination'}
        </p>
        {product.description && <p>{product.description}</p>}
        <form onSubmit={add} className="stack">
          {options.map((option) => (
            <fieldset key={option.id} className="choices">
              <legend>{option.title}</legend>
              {optionValues(product, option.id).map((value) => (
                <label key={value} className="choice">
                  <input
                    type="radio"
                    name={`option-${option.id}`}
                    value={value}
                    checked={choice[option.id] === value}
                    onChange={() => {
                      setChoice({ ...choice, [option.id]: value });
                      setMessage(null);
                    }}
                  />
                  <span>{value}</span>
                </label>
              ))}
            </fieldset>
          ))}
          {soldOut && <p className="notice">Out of stock</p>}
          {stock !== undefined && stock > 0 && stock <= 5 && <p className="muted">Only {stock} left</p>}
          <div className="field narrow">
            <label htmlFor="quantity">Quantity</label>
            <input
              id="quantity"
              type="number"
              inputMode="numeric"
              min={1}
              max={stock || undefined}
              value={quantity}
              onChange={(event) => setQuantity(event.target.value)}
            />
          </div>
          <button
            type="submit"
            className="button primary"
            disabled={!variant || soldOut || busy || !cart.ready}
            aria-busy={busy}
          >
            Add to cart
          </button>
          <div aria-live="polite" className={message?.kind === 'error' ? 'message error' : 'message'}>
            {message && <p>{message.text}</p>}
          </div>
        </form>
      </div>
    </article>
  );
}
