import { rememberedOrder } from '../orders.ts';
import { Link, PageHeading } from '../router.tsx';
import { useStore } from '../store.tsx';
import { useAsync } from '../useAsync.ts';
import { ItemSummary, LoadFailed, Loading, Totals } from './common.tsx';

export function ConfirmationPage({ orderId }: { orderId: string }) {
  const { api } = useStore();
  const order = useAsync(async () => rememberedOrder(orderId) ?? (await api.getOrder(orderId)), orderId);
  if (order.state === 'loading') return <Loading what="your order" />;
  if (order.state === 'failed') {
    return (
      <>
        <PageHeading title="Order">Your order</PageHeading>
        <LoadFailed what="this order" message={order.message} retry={order.reload} />
      </>
    );
  }
  const { display_id, email, items, total, currency_code } = order.value;
  return (
    <>
      <PageHeading title={`Order #${display_id}`}>Order #{display_id}</PageHeading>
      <p className="lead">Thank you! Your order has been placed; you pay on delivery.</p>
      {email && <p>Placed with the email address {email}.</p>}
      <section aria-labelledby="order-items">
        <h2 id="order-items">Items</h2>
        <ItemSummary items={items ?? []} currency={currency_code} />
        <Totals total={total} currency={currency_code} />
      </section>
      <p>
        <Link to="/">Continue shopping</Link>
      </p>
    </>
  );
}
