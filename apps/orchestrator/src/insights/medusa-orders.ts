// Medusa's orders through its Admin API: sign in with the admin's e-mail and password
// (POST /auth/user/emailpass, a JWT kept until it is refused), then list the window's orders with
// their totals (GET /admin/orders, 100 a page). Medusa's amounts are in major units.
import {
  money,
  type OrdersFigure,
  OrdersReadError,
  type OrdersReader,
  type OrdersWindow,
  requestJson,
} from './orders.ts';

const PAGE = 100;

interface OrdersPage {
  orders?: { total?: unknown; currency_code?: unknown }[];
  count?: number;
}

export class MedusaOrders implements OrdersReader {
  readonly component = 'app';
  /** Sign-in tokens by store address and admin e-mail. */
  private readonly tokens = new Map<string, string>();

  async read(window: OrdersWindow): Promise<OrdersFigure> {
    try {
      return await this.list(window, await this.token(window));
    } catch (error) {
      if (!(error instanceof OrdersReadError) || error.status !== 401) throw error;
      // The token expired (or the store was restored with another login): sign in again, once.
      this.tokens.delete(this.key(window));
      return this.list(window, await this.token(window));
    }
  }

  private async list(window: OrdersWindow, token: string): Promise<OrdersFigure> {
    const figure: OrdersFigure = { orders: 0, revenue: 0, currency: null };
    for (let offset = 0; ; offset += PAGE) {
      const query = new URLSearchParams({
        fields: 'id,total,currency_code',
        'created_at[$gt]': window.from.toISOString(),
        'created_at[$lte]': window.to.toISOString(),
        limit: String(PAGE),
        offset: String(offset),
        order: 'created_at',
      });
      const { body } = await requestJson(`${window.baseUrl}/admin/orders?${query}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: window.signal,
      });
      const page = body as OrdersPage;
      const orders = page.orders ?? [];
      for (const order of orders) {
        figure.orders++;
        figure.revenue += money(order.total);
        if (typeof order.currency_code === 'string') figure.currency = order.currency_code;
      }
      if (orders.length < PAGE || offset + PAGE >= (page.count ?? 0)) return figure;
    }
  }

  private async token(window: OrdersWindow): Promise<string> {
    const cached = this.tokens.get(this.key(window));
    if (cached) return cached;
    const { body } = await requestJson(`${window.baseUrl}/auth/user/emailpass`, {
      method: 'POST',
      body: { email: window.login.email, password: window.login.password },
      signal: window.signal,
    });
    const token = (body as { token?: unknown }).token;
    if (typeof token !== 'string')
      throw new OrdersReadError('Medusa signed the admin in without a token', 200);
    this.tokens.set(this.key(window), token);
    return token;
  }

  private key(window: OrdersWindow): string {
    return `${window.baseUrl} ${window.login.email}`;
  }
}
