// Where a store is reachable, derived from its slug and the platform's base domain.
import type { Engine } from '@storefleet/contracts';

export interface StoreUrls {
  storefront: string;
  admin: string;
}

const ADMIN_PATH: Record<Engine, string> = { woocommerce: '/wp-admin/', medusa: '/app/' };

export function storeUrls(
  slug: string,
  engine: Engine,
  baseDomain: string,
  scheme: 'http' | 'https',
): StoreUrls {
  const storefront = `${scheme}://${slug}.${baseDomain}`;
  return { storefront, admin: `${storefront}${ADMIN_PATH[engine]}` };
}
