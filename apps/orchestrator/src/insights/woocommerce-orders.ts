// WooCommerce's orders through its REST API (GET /wp-json/wc/v3/orders, 100 a page) with the
// store admin's login over HTTP Basic authentication: WordPress accepts it for an Application
// Password of that user. Totals are decimal strings in the store's currency.
import { money, type OrdersFigure, type OrdersReader, type OrdersWindow, requestJson } from './orders.ts';

const PAGE = 100;

export class WooCommerceOrders implements OrdersReader {
  readonly component = 'app';

  async read(window: OrdersWindow): Promise<OrdersFigure> {
    const authorization = `Basic ${Buffer.from(`${window.login.username}:${window.login.password}`).toString('base64')}`;
    const figure: OrdersFigure = { orders: 0, revenue: 0, currency: null };
    for (let page = 1; ; page++) {
      const query = new URLSearchParams({
        after: window.from.toISOString(),
        before: window.to.toISOString(),
        dates_are_gmt: 'true',
        per_page: String(PAGE),
        page: String(page),
        _fields: 'id,total,currency',
      });
      const { body, headers } = await requestJson(`${window.baseUrl}/wp-json/wc/v3/orders?${query}`, {
        headers: { authorization },
        signal: window.signal,
      });
      const orders = Array.isArray(body) ? (body as { total?: unknown; currency?: unknown }[]) : [];
      for (const order of orders) {
        figure.orders++;
        figure.revenue += money(order.total);
        if (typeof order.currency === 'string') figure.currency = order.currency.toLowerCase();
      }
      const pages = Number(headers.get('x-wp-totalpages') ?? '1');
      if (orders.length < PAGE || page >= pages) return figure;
    }
  }
}
