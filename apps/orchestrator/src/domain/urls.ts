// Where a store is reachable, derived from its slug and the platform's base domain.
import type { Engine } from '@storefleet/contracts';
import { engineModule } from '../engines/registry.ts';

export interface StoreUrls {
  storefront: string;
  admin: string;
}

/**
 * `port`: where the ingress answers when it is not the scheme's own (the local cluster's Traefik);
 * `primaryHost`: the merchant's primary domain, which the store's URLs follow (its own host keeps working).
 */
export function storeUrls(
  slug: string,
  engine: Engine,
  baseDomain: string,
  scheme: 'http' | 'https',
  port?: number,
  primaryHost?: string,
): StoreUrls {
  const storefront = `${scheme}://${primaryHost ?? `${slug}.${baseDomain}`}${port ? `:${port}` : ''}`;
  return { storefront, admin: `${storefront}${engineModule(engine).adminPath}` };
}

/**
 * The slug of a store host (`<slug>.<baseDomain>`, with or without a port), or undefined for any other
 * host: the ingress sends the platform the requests no store serves (asleep stores among them).
 */
export function slugOfStoreHost(host: string | undefined, baseDomain: string): string | undefined {
  if (!host) return undefined;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${baseDomain}`;
  if (!name.endsWith(suffix)) return undefined;
  const slug = name.slice(0, -suffix.length);
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(slug) ? slug : undefined;
}
