// An order as query.graph returns it, turned into the facts the e-mails show.
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import type { OrderAddress, OrderFacts } from './order-mail';

const FIELDS = [
  'id',
  'display_id',
  'email',
  'currency_code',
  'item_subtotal',
  'discount_total',
  'shipping_total',
  'tax_total',
  'total',
  'items.title',
  'items.product_title',
  'items.variant_title',
  'items.quantity',
  'items.unit_price',
  'items.subtotal',
  'shipping_methods.name',
  'shipping_address.first_name',
  'shipping_address.last_name',
  'shipping_address.company',
  'shipping_address.address_1',
  'shipping_address.address_2',
  'shipping_address.city',
  'shipping_address.postal_code',
  'shipping_address.province',
  'shipping_address.country_code',
  'shipping_address.phone',
];

// Totals come as numbers, numeric strings or BigNumber objects, depending on the field.
function amount(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value) || 0;
  if (value && typeof value === 'object') {
    const numeric = (value as { numeric?: unknown }).numeric;
    if (typeof numeric === 'number') return numeric;
    return Number(value.valueOf()) || 0;
  }
  return 0;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

type Row = Record<string, unknown>;

function address(row: Row | null | undefined): OrderAddress | undefined {
  if (!row) return undefined;
  const result: OrderAddress = {
    name: [text(row.first_name), text(row.last_name)].filter(Boolean).join(' '),
    company: text(row.company) || undefined,
    lines: [text(row.address_1), text(row.address_2)].filter(Boolean),
    city: text(row.city),
    postalCode: text(row.postal_code) || undefined,
    province: text(row.province) || undefined,
    countryCode: text(row.country_code) || undefined,
    phone: text(row.phone) || undefined,
  };
  return result.name || result.lines.length || result.city ? result : undefined;
}

export async function loadOrderFacts(
  container: MedusaContainer,
  orderId: string,
): Promise<OrderFacts | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({ entity: 'order', fields: FIELDS, filters: { id: orderId } });
  const order = data[0] as Row | undefined;
  if (!order) return undefined;
  const items = ((order.items ?? []) as (Row | null)[]).flatMap((item) => {
    if (!item) return [];
    const product = text(item.product_title) || text(item.title);
    const variant = text(item.variant_title);
    const title =
      variant && variant !== product && variant !== 'Default variant' ? `${product} (${variant})` : product;
    return [
      {
        title: title || 'Item',
        quantity: amount(item.quantity),
        unitPrice: amount(item.unit_price),
        total: amount(item.subtotal),
      },
    ];
  });
  const methods = ((order.shipping_methods ?? []) as (Row | null)[])
    .map((m) => text(m?.name))
    .filter(Boolean);
  return {
    displayId: amount(order.display_id),
    email: text(order.email),
    currency: text(order.currency_code) || 'eur',
    items,
    itemSubtotal: amount(order.item_subtotal),
    discountTotal: amount(order.discount_total),
    shippingTotal: amount(order.shipping_total),
    taxTotal: amount(order.tax_total),
    total: amount(order.total),
    shippingMethod: methods.join(', ') || undefined,
    shippingAddress: address(order.shipping_address as Row | null),
  };
}
