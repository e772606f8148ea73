// The order just placed, kept for its confirmation page (also across a reload of that page).
import type { Order } from './types.ts';

const KEY = 'storefleet.order';

export function rememberOrder(order: Order) {
  try {
    window.sessionStorage.setItem(KEY, JSON.stringify(order));
  } catch {
    // storage unavailable: the confirmation page asks the store instead
  }
}

export function rememberedOrder(id: string): Order | undefined {
  try {
    const order = JSON.parse(window.sessionStorage.getItem(KEY) ?? 'null') as Order | null;
    return order?.id === id ? order : undefined;
  } catch {
    return undefined;
  }
}
