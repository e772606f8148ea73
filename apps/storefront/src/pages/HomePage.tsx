import { priceRange } from '../catalog.ts';
import { formatMoney } from '../money.ts';
import { Link, PageHeading } from '../router.tsx';
import { useStore } from '../store.tsx';
import { useAsync } from '../useAsync.ts';
import { LoadFailed, Loading } from './common.tsx';

export function HomePage() {
  const { config, api } = useStore();
  const products = useAsync(() => api.listProducts(), 'products');
  const currency = config.region.currency_code;

  return (
    <>
      <PageHeading title={config.storeName}>{config.storeName}</PageHeading>
      {products.state === 'loading' && <Loading what="products" />}
      {products.state === 'failed' && (
        <LoadFailed what="the products" message={products.message} retry={products.reload} />
      )}
      {products.state === 'ready' && products.value.length === 0 && <p>Nothing is for sale yet.</p>}
      {products.state === 'ready' && products.value.length > 0 && (
        <ul className="product-grid" aria-label="Products">
          {products.value.map((product) => {
            const price = priceRange(product);
            return (
              <li key={product.id} className="product-card">
                <Link to={`/products/${encodeURIComponent(product.handle)}`} className="product-link">
                  {product.thumbnail ? (
                    <img src={product.thumbnail} alt="" loading="lazy" width={400} height={400} />
                  ) : (
                    <span className="no-image" aria-hidden="true" />
                  )}
                  <span className="product-title">{product.title}</span>
                </Link>
                <p className="price">
                  {price === null
                    ? 'Price unavailable'
                    : `${price.varies ? 'From ' : ''}${formatMoney(price.amount, currency)}`}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
