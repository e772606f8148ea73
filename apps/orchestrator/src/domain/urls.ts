// Where a store is reachable, derived from its slug and the platform's base domain.
import type { Engine } from '@storefleet/contracts';
import { engineModule } from '../engines/registry.ts';

export interface StoreUrls {
  storefront: string;
  admin: string;
}

/** `port`: where the ingress answers when it is not the scheme's own (the local cluster's Traefik). */
export function storeUrls(
  slug: string,
  engine: Engine,
  baseDomain: string,
  scheme: 'http' | 'https',
  port?: number,
): StoreUrls {
  const storefront = `${scheme}://${slug}.${baseDomain}${port ? `:${port}` : ''}`;
  return { storefront, admin: `${storefront}${engineModule(engine).adminPath}` };
}
