// Orders and revenue as each engine's admin API reports them, over a window of time, signed in
// with the store's generated admin login. One reader per engine; both speak plain HTTP to the
// store's app at the address the cluster gives (its Service), so the ingress never counts them.
import type { Engine } from '@storefleet/contracts';
import type { AdminCredentials } from '../cluster/port.ts';

export interface OrdersWindow {
  /** The store's app, e.g. http://10.43.0.12:9000. */
  baseUrl: string;
  login: AdminCredentials;
  /** Orders created after `from`, up to and including `to`. */
  from: Date;
  to: Date;
  signal: AbortSignal;
}

export interface OrdersFigure {
  orders: number;
  /** Sum of the orders' totals, in major units of `currency`. */
  revenue: number;
  currency: string | null;
}

export interface OrdersReader {
  /** The component label of the Service the reader talks to. */
  readonly component: string;
  read(window: OrdersWindow): Promise<OrdersFigure>;
}

/** A failure of an engine's API, with what was asked and what it answered (never the login). */
export class OrdersReadError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = 'OrdersReadError';
    this.status = status;
  }
}

/** One JSON request; rejects with the status and the start of the body on anything but 2xx. */
export async function requestJson(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; signal: AbortSignal },
): Promise<{ body: unknown; headers: Headers }> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: init.signal,
  });
  const text = await response.text();
  const path = new URL(url).pathname;
  if (!response.ok) {
    throw new OrdersReadError(
      `${init.method ?? 'GET'} ${path} answered ${response.status}: ${text.slice(0, 200)}`,
      response.status,
    );
  }
  try {
    return { body: JSON.parse(text) as unknown, headers: response.headers };
  } catch {
    throw new OrdersReadError(
      `${init.method ?? 'GET'} ${path} answered something other than JSON`,
      response.status,
    );
  }
}

/** A money amount as engines write it (number or decimal string); 0 when it is neither. */
export function money(value: unknown): number {
  const amount = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(amount) ? amount : 0;
}

export type OrdersReaders = Partial<Record<Engine, OrdersReader>>;
