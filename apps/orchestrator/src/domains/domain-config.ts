// The environment variables of HTTPS for store hosts and of custom domains (merged into config.ts).
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import type { StoreTls } from '../cluster/ingress-values.ts';

const HOST_PORT = /^(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

const storeTls = z
  .string()
  .regex(
    /^(off|ingress|cluster-issuer:[a-z0-9][a-z0-9.-]*|cert-resolver:[A-Za-z0-9_-]+)$/,
    'expected "off", "ingress", "cluster-issuer:<ClusterIssuer>" or "cert-resolver:<Traefik resolver>"',
  )
  .transform((text): StoreTls => {
    const [kind, name = ''] = text.split(/:(.*)/s);
    if (kind === 'cluster-issuer') return { mode: 'cluster-issuer', name };
    if (kind === 'cert-resolver') return { mode: 'cert-resolver', name };
    return { mode: kind as 'off' | 'ingress' };
  });

export const DOMAIN_ENV = {
  /** How store hosts get their certificates; unset = the chart's environment file decides. */
  STORE_TLS: storeTls.optional(),
  DOMAIN_DNS_SERVERS: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((server) => server.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(HOST_PORT, 'expected resolvers such as "1.1.1.1,127.0.0.1:8053"'))),
  DOMAIN_INGRESS_ADDRESS: z
    .string()
    .refine(isIPv4, 'expected the IPv4 address of the ingress, such as "203.0.113.10"')
    .optional(),
  DOMAIN_TLS_PROBE_ADDRESS: z
    .string()
    .regex(HOST_PORT, 'expected "host:port", such as "127.0.0.1:8443"')
    .optional(),
} as const;
