// The Ingress part of a store's chart values that the platform sets for every engine: how its hosts
// get certificates (STORE_TLS), its verified custom domains, the primary among them, and the port of
// its https URLs (where the chart's http → https redirect points, when the chart turns it on).
import type { StoreDomainValues } from '@storefleet/contracts';

/**
 * off: plain http; ingress: the ingress controller's https entry point gets certificates by itself
 * (the local node's Traefik with its Pebble resolver); cluster-issuer: cert-manager's ClusterIssuer;
 * cert-resolver: a Traefik ACME resolver named on each Ingress.
 */
export type StoreTls =
  | { mode: 'off' | 'ingress' }
  | { mode: 'cluster-issuer'; name: string }
  | { mode: 'cert-resolver'; name: string };

export function tlsValues(tls: StoreTls): Record<string, unknown> {
  switch (tls.mode) {
    case 'off':
      return { enabled: false };
    case 'ingress':
      return { enabled: true, controllerManaged: true };
    case 'cluster-issuer':
      return { enabled: true, clusterIssuer: tls.name };
    case 'cert-resolver':
      return { enabled: true, certResolver: tls.name };
  }
}

/** Adds the platform's ingress values to an engine's values (their `ingress` key merged). */
export function withIngressValues(
  values: Record<string, unknown>,
  tls: StoreTls | undefined,
  domains: StoreDomainValues | undefined,
  tlsPort?: number,
): Record<string, unknown> {
  const ingress = { ...(values.ingress as Record<string, unknown> | undefined) };
  if (tls) ingress.tls = tlsValues(tls);
  if (tlsPort) ingress.httpsRedirect = { port: tlsPort };
  if (domains) {
    ingress.domains = domains.hosts;
    if (domains.primary) ingress.primaryHost = domains.primary;
  }
  return { ...values, ingress };
}

/** Whether store URLs are https: with STORE_TLS, as it says; without, as the environment's chart values do. */
export function storeScheme(
  tls: StoreTls | undefined,
  environment: 'local' | 'production',
): 'http' | 'https' {
  if (tls) return tls.mode === 'off' ? 'http' : 'https';
  return environment === 'production' ? 'https' : 'http';
}
