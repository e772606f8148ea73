// How a store chart's Ingress carries HTTPS and the merchant's domains, the same for every engine:
// each certificate source (cert-manager's ClusterIssuer, a Traefik resolver, the controller's entry
// point, a Secret of one's own), every domain a host with the same routes, the primary host in the
// engine's own URL, and the values it refuses. The cert-manager path is checked against ingress-shim's
// contract here and against the Certificate CRD's schema on the API server (cert-manager.ts).
import { describe, expect, it } from 'vitest';
import type { Manifest, RenderInput } from './helm-chart.ts';

export interface IngressChart {
  render: (input: RenderInput) => Manifest[];
  renderError: (input: RenderInput) => string;
  /** A render of the chart as the orchestrator installs store `cube-shop`, with these values added. */
  store: (values: Record<string, unknown>, production?: boolean) => RenderInput;
  /** The store's default host in `store(…)`. */
  defaultHost: string;
  /** The URL the engine is configured with (Medusa's CORS origins, WordPress' SITE_URL). */
  engineUrl: (objects: Manifest[]) => string;
}

/** The store's own Ingress (not the one that only redirects http to https). */
export function ingressOf(objects: Manifest[]): Manifest {
  const ingress = objects.find(
    (o) =>
      o.kind === 'Ingress' && !o.metadata.annotations?.['traefik.ingress.kubernetes.io/router.middlewares'],
  );
  if (!ingress) throw new Error('no Ingress rendered');
  return ingress;
}

/** The Certificates cert-manager's ingress-shim makes of an Ingress (pkg/controller/certificate-shim/sync.go). */
export function shimCertificates(ingress: Manifest): Manifest[] {
  const issuer = ingress.metadata.annotations?.['cert-manager.io/cluster-issuer'];
  if (!issuer) return [];
  return (ingress.spec.tls ?? [])
    .filter((entry: { hosts?: string[]; secretName?: string }) => entry.secretName && entry.hosts?.length)
    .map((entry: { hosts: string[]; secretName: string }) => ({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: entry.secretName, namespace: ingress.metadata.namespace },
      spec: {
        dnsNames: entry.hosts,
        secretName: entry.secretName,
        issuerRef: { name: issuer, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        usages: ['digital signature', 'key encipherment'],
      },
    }));
}

const DOMAINS = ['shop.example.com', 'xn--bcher-kva.example'];

export function describeIngressTls(chart: IngressChart): void {
  const rules = (ingress: Manifest) => ingress.spec.rules.map((rule: { host: string }) => rule.host);

  describe('HTTPS and custom domains on the Ingress', { timeout: 60_000 }, () => {
    it('gives every domain the routes of the default host', () => {
      const ingress = ingressOf(chart.render(chart.store({ ingress: { domains: DOMAINS } })));
      expect(rules(ingress)).toEqual([chart.defaultHost, ...DOMAINS]);
      const paths = ingress.spec.rules.map((rule: { http: unknown }) => JSON.stringify(rule.http));
      expect(new Set(paths).size).toBe(1);
      expect(ingress.spec.tls).toBeUndefined();
    });

    it('with cert-manager: one tls entry and Secret per host, which ingress-shim turns into one Certificate each', () => {
      const values = { ingress: { domains: DOMAINS } };
      const ingress = ingressOf(chart.render(chart.store(values, true)));
      expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt-prod');
      const productionHost = chart.defaultHost.replace(/\.localhost$/, '.stores.example.com');
      expect(ingress.spec.tls).toEqual([
        { hosts: [productionHost], secretName: 'store-cube-shop-tls' },
        { hosts: ['shop.example.com'], secretName: 'tls-shop.example.com' },
        { hosts: ['xn--bcher-kva.example'], secretName: 'tls-xn--bcher-kva.example' },
      ]);
      // Every entry passes the shim's validation: hosts, a secretName, no secretName twice.
      const names = ingress.spec.tls.map((entry: { secretName: string }) => entry.secretName);
      expect(new Set(names).size).toBe(names.length);
      expect(shimCertificates(ingress).map((c) => c.spec.dnsNames)).toEqual([
        [productionHost],
        ...DOMAINS.map((d) => [d]),
      ]);
      // Removing a domain removes its entry: the shim deletes the Certificate it no longer finds.
      const without = ingressOf(chart.render(chart.store({ ingress: { domains: [DOMAINS[1]] } }, true)));
      expect(shimCertificates(without).map((c) => c.metadata.name)).not.toContain('tls-shop.example.com');
    });

    it('with a Traefik resolver: its annotations, and hosts without Secrets (the resolver keeps the certificates)', () => {
      const values = { ingress: { domains: DOMAINS, tls: { enabled: true, certResolver: 'letsencrypt' } } };
      const ingress = ingressOf(chart.render(chart.store(values)));
      expect(ingress.metadata.annotations).toMatchObject({
        'traefik.ingress.kubernetes.io/router.tls': 'true',
        'traefik.ingress.kubernetes.io/router.tls.certresolver': 'letsencrypt',
      });
      expect(ingress.spec.tls).toEqual([chart.defaultHost, ...DOMAINS].map((host) => ({ hosts: [host] })));
    });

    it('with the controller managing certificates (the local node): hosts only, no annotation, https URL', () => {
      const values = { ingress: { domains: DOMAINS, tls: { enabled: true, controllerManaged: true } } };
      const objects = chart.render(chart.store(values));
      const ingress = ingressOf(objects);
      expect(ingress.metadata.annotations ?? {}).toEqual({});
      expect(ingress.spec.tls).toEqual([chart.defaultHost, ...DOMAINS].map((host) => ({ hosts: [host] })));
      expect(chart.engineUrl(objects)).toMatch(
        new RegExp(`^https://${chart.defaultHost.replaceAll('.', '\\.')}`),
      );
    });

    it('configures the engine with the primary domain; the default host keeps its route', () => {
      const values = {
        ingress: {
          domains: DOMAINS,
          primaryHost: 'shop.example.com',
          tls: { enabled: true, controllerManaged: true },
        },
      };
      const objects = chart.render(chart.store(values));
      expect(chart.engineUrl(objects)).toMatch(/^https:\/\/shop\.example\.com/);
      expect(rules(ingressOf(objects))).toContain(chart.defaultHost);
    });

    it('refuses a primary host that is not one of its hosts, and domains a single Secret cannot cover', () => {
      expect(chart.renderError(chart.store({ ingress: { primaryHost: 'elsewhere.example.com' } }))).toMatch(
        /ingress.primaryHost elsewhere.example.com is neither the default host nor one of ingress.domains/,
      );
      expect(
        chart.renderError(
          chart.store({ ingress: { domains: DOMAINS, tls: { enabled: true, secretName: 'mine' } } }),
        ),
      ).toMatch(/ingress.domains with TLS need a certificate per domain/);
      expect(chart.renderError(chart.store({ ingress: { domains: ['*.example.com'] } }))).toMatch(/domains/);
      expect(chart.renderError(chart.store({ ingress: { domains: ['Shop.Example.com'] } }))).toMatch(
        /domains/,
      );
    });
  });
}
