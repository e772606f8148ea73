// The store's e-mails as text: an order's confirmation to the shopper, its notice to the merchant, and
// the admin's test message. Pure: no Medusa, no nodemailer, so it is tested on its own.

export interface OrderLine {
  title: string;
  quantity: number;
  unitPrice: number;
  /** What the line adds to the item subtotal (quantity × unit price). */
  total: number;
}

export interface OrderAddress {
  name: string;
  company?: string;
  lines: string[];
  city: string;
  postalCode?: string;
  province?: string;
  countryCode?: string;
  phone?: string;
}

export interface OrderFacts {
  displayId: number;
  email: string;
  currency: string;
  items: OrderLine[];
  itemSubtotal: number;
  discountTotal: number;
  shippingTotal: number;
  taxTotal: number;
  total: number;
  shippingMethod?: string;
  shippingAddress?: OrderAddress;
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** An amount in major units (Medusa v2 stores 12.5 for €12.50) in its currency. */
export function formatMoney(amount: number, currency: string): string {
  const code = currency.toUpperCase();
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: code }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${code}`;
  }
}

// Subjects are header values: no line breaks may reach them from a store or product name.
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();

function addressLines(address: OrderAddress): string[] {
  const place = [address.postalCode, address.city].filter(Boolean).join(' ');
  return [
    address.name,
    address.company,
    ...address.lines,
    place,
    address.province,
    address.countryCode?.toUpperCase(),
    address.phone ? `Phone: ${address.phone}` : undefined,
  ].filter((line): line is string => Boolean(line?.trim()));
}

function totals(order: OrderFacts): [string, string][] {
  const money = (amount: number) => formatMoney(amount, order.currency);
  const rows: [string, string][] = [['Subtotal', money(order.itemSubtotal)]];
  if (order.discountTotal > 0) rows.push(['Discount', `-${money(order.discountTotal)}`]);
  const shipping = order.shippingMethod ? `Shipping (${order.shippingMethod})` : 'Shipping';
  rows.push([shipping, money(order.shippingTotal)]);
  if (order.taxTotal > 0) rows.push(['Tax', money(order.taxTotal)]);
  rows.push(['Total', money(order.total)]);
  return rows;
}

const PAYMENT_NOTE = 'You pay on delivery: nothing has been charged yet.';

function orderText(order: OrderFacts, intro: string[], outro: string[]): string {
  const money = (amount: number) => formatMoney(amount, order.currency);
  const items = order.items.map(
    (item) => `  ${item.quantity} × ${item.title} (${money(item.unitPrice)} each): ${money(item.total)}`,
  );
  const address = order.shippingAddress ? addressLines(order.shippingAddress).map((l) => `  ${l}`) : [];
  return [
    ...intro,
    '',
    'Items:',
    ...items,
    '',
    ...totals(order).map(([label, value]) => `${label}: ${value}`),
    ...(address.length ? ['', 'Shipping to:', ...address] : []),
    '',
    ...outro,
    '',
  ].join('\n');
}

function orderHtml(order: OrderFacts, intro: string[], outro: string[]): string {
  const money = (amount: number) => escapeHtml(formatMoney(amount, order.currency));
  const paragraphs = (lines: string[]) => lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n');
  const items = order.items
    .map(
      (item) =>
        `<tr><td>${item.quantity} ×</td><td>${escapeHtml(item.title)}</td>` +
        `<td align="right">${money(item.unitPrice)}</td><td align="right">${money(item.total)}</td></tr>`,
    )
    .join('\n');
  const sums = totals(order)
    .map(
      ([label, value]) =>
        `<tr><td colspan="3" align="right">${escapeHtml(label)}</td><td align="right">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  const address = order.shippingAddress
    ? `<h3>Shipping to</h3>\n<p>${addressLines(order.shippingAddress).map(escapeHtml).join('<br>')}</p>`
    : '';
  return [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif">',
    paragraphs(intro),
    '<table cellpadding="4" cellspacing="0">',
    '<tr><th></th><th align="left">Item</th><th align="right">Price</th><th align="right">Total</th></tr>',
    items,
    sums,
    '</table>',
    address,
    paragraphs(outro),
    '</body></html>',
    '',
  ].join('\n');
}

/** The shopper's confirmation. */
export function orderConfirmation(order: OrderFacts, storeName: string): MailContent {
  const store = oneLine(storeName);
  const intro = [`Thank you for your order #${order.displayId} at ${store}.`];
  const outro = [PAYMENT_NOTE, `— ${store}`];
  return {
    subject: `Order #${order.displayId} confirmed — ${store}`,
    text: orderText(order, intro, outro),
    html: orderHtml(order, intro, outro),
  };
}

/** The merchant's notice of a new order. */
export function orderNotice(order: OrderFacts, storeName: string): MailContent {
  const total = formatMoney(order.total, order.currency);
  const intro = [
    `${oneLine(storeName)} has a new order #${order.displayId} (${total}).`,
    `Customer: ${order.email}`,
  ];
  const outro = ['Payment: on delivery (nothing has been charged yet).'];
  return {
    subject: `New order #${order.displayId} — ${total}`,
    text: orderText(order, intro, outro),
    html: orderHtml(order, intro, outro),
  };
}

/** The message the admin sends to check the store's mail. */
export function testMail(storeName: string): MailContent {
  const store = oneLine(storeName);
  const body = `This is a test e-mail from ${store}. If you can read it, the store can send e-mail.`;
  return {
    subject: `Test e-mail from ${store}`,
    text: `${body}\n`,
    html: `<!doctype html>\n<html><body style="font-family: sans-serif"><p>${escapeHtml(body)}</p></body></html>\n`,
  };
}
