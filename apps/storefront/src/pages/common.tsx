import { formatMoney } from '../money.ts';
import type { LineItem } from '../types.ts';

export const itemName = (item: LineItem) => {
  const title = item.product_title ?? item.title;
  return item.variant_title && item.variant_title !== title ? `${title} (${item.variant_title})` : title;
};

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

export function LoadFailed({ what, message, retry }: { what: string; message: string; retry: () => void }) {
  return (
    <div className="notice error" role="alert">
      <p>
        Could not load {what}: {message}
      </p>
      <button type="button" className="button" onClick={retry}>
        Try again
      </button>
    </div>
  );
}

/** Amounts above a total, e.g. [['Subtotal', 20], ['Shipping', 5]]; null shows as a dash. */
export function Totals({
  rows = [],
  total,
  currency,
}: {
  rows?: [string, number | null | undefined][];
  total: number | null | undefined;
  currency: string;
}) {
  return (
    <dl className="totals">
      {rows.map(([label, amount]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{formatMoney(amount, currency)}</dd>
        </div>
      ))}
      <div className="grand">
        <dt>Total</dt>
        <dd>{formatMoney(total, currency)}</dd>
      </div>
    </dl>
  );
}

/** "2 × Mug (Navy)  €25.00" lines. */
export function ItemSummary({ items, currency }: { items: LineItem[]; currency: string }) {
  return (
    <ul className="summary-lines">
      {items.map((item) => (
        <li key={item.id}>
          <span>
            {item.quantity} × {itemName(item)}
          </span>
          <span>{formatMoney(item.total ?? item.unit_price * item.quantity, currency)}</span>
        </li>
      ))}
    </ul>
  );
}
