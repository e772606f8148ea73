// http → https on a store chart, the same for every engine: off locally (plain http keeps working,
// also with the node's https entry point), on in production, where a Traefik redirectScheme
// Middleware answers every host on the http entry point with a permanent redirect and the store's own
// routes serve on the https entry point only. ACME HTTP-01 challenges keep answering over http.
import { describe, expect, it } from 'vitest';
import type { Manifest } from './helm-chart.ts';
import type { IngressChart } from './ingress-tls-suite.ts';

const ENTRYPOINTS = 'traefik.ingress.kubernetes.io/router.entrypoints';
const MIDDLEWARES = 'traefik.ingress.kubernetes.io/router.middlewares';
const DOMAINS = ['shop.example.com'];

/** The Ingress on the http entry point that carries the redirect, and the store's own Ingress. */
export function redirectObjects(objects: Manifest[]) {
  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  return {
    middleware: objects.find((o) => o.kind === 'Middleware'),
    http: ingresses.find((o) => o.metadata.annotations?.[MIDDLEWARES]),
    routes: ingresses.filter((o) => !o.metadata.annotations?.[MIDDLEWARES]),
  };
}

const hostsOf = (ingress: Manifest | undefined) =>
  (ingress?.spec.rules ?? []).map((rule: { host: string }) => rule.host);

export function describeHttpsRedirect(chart: IngressChart): void {
  const productionHost = chart.defaultHost.replace(/\.localhost$/, '.stores.example.com');

  describe('http → https', { timeout: 60_000 }, () => {
    it('is off locally: one Ingress on every entry point, plain http keeps working (also with the https entry point)', () => {
      for (const tls of [undefined, { enabled: true, controllerManaged: true }]) {
        const objects = chart.render(chart.store({ ingress: { domains: DOMAINS, ...(tls ? { tls } : {}) } }));
        const { middleware, http, routes } = redirectObjects(objects);
        expect(middleware).toBeUndefined();
        expect(http).toBeUndefined();
        expect(routes).toHaveLength(1);
        expect(routes[0]!.metadata.annotations?.[ENTRYPOINTS]).toBeUndefined();
      }
    });

    it('is on in production: every host answers http with a permanent redirect, the routes serve https only', () => {
      const objects = chart.render(chart.store({ ingress: { domains: DOMAINS } }, true));
      const { middleware, http, routes } = redirectObjects(objects);
      expect(middleware).toMatchObject({
        apiVersion: 'traefik.io/v1alpha1',
        metadata: { name: 'store-cube-shop-https-redirect' },
        spec: { redirectScheme: { scheme: 'https', permanent: true } },
      });
      expect(middleware!.spec.redirectScheme.port).toBeUndefined();
      // Traefik's CRD provider names a Middleware <namespace>-<name>@kubernetescrd.
      expect(http!.metadata.annotations).toEqual({
        [ENTRYPOINTS]: 'web',
        [MIDDLEWARES]: 'store-cube-shop-store-cube-shop-https-redirect@kubernetescrd',
      });
      expect(http!.spec.tls).toBeUndefined();
      expect(hostsOf(http)).toEqual([productionHost, ...DOMAINS]);
      expect(routes).toHaveLength(1);
      expect(routes[0]!.metadata.annotations).toMatchObject({
        [ENTRYPOINTS]: 'websecure',
        'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
      });
      expect(hostsOf(routes[0])).toEqual(hostsOf(http));
    });

    it('leaves ACME HTTP-01 challenges to their own, longer routes: the redirect Ingress has only "/" per host', () => {
      const { http } = redirectObjects(chart.render(chart.store({ ingress: { domains: DOMAINS } }, true)));
      const paths = http!.spec.rules.flatMap(
        (rule: { http: { paths: { path: string; pathType: string }[] } }) =>
          rule.http.paths.map((p) => `${p.pathType} ${p.path}`),
      );
      // cert-manager's solver Ingress routes /.well-known/acme-challenge/<token> (a longer rule, which
      // Traefik ranks first); a Traefik resolver answers challenges before any router.
      expect(new Set(paths)).toEqual(new Set(['Prefix /']));
    });

    it('points at a non-default https port, and works with a Traefik resolver', () => {
      const values = {
        ingress: {
          tls: { enabled: true, certResolver: 'le' },
          httpsRedirect: { enabled: true, port: 8443, httpEntryPoint: 'http', httpsEntryPoint: 'https' },
        },
      };
      const { middleware, http, routes } = redirectObjects(chart.render(chart.store(values)));
      expect(middleware!.spec.redirectScheme).toEqual({ scheme: 'https', permanent: true, port: '8443' });
      expect(http!.metadata.annotations?.[ENTRYPOINTS]).toBe('http');
      expect(routes[0]!.metadata.annotations).toMatchObject({
        [ENTRYPOINTS]: 'https',
        'traefik.ingress.kubernetes.io/router.tls.certresolver': 'le',
      });
    });

    it('never redirects to an https that is not there: TLS off renders no redirect', () => {
      const values = { ingress: { tls: { enabled: false }, httpsRedirect: { enabled: true } } };
      const { middleware, http, routes } = redirectObjects(chart.render(chart.store(values, true)));
      expect(middleware).toBeUndefined();
      expect(http).toBeUndefined();
      expect(routes[0]!.metadata.annotations?.[ENTRYPOINTS]).toBeUndefined();
    });

    it('refuses a port that is not one', () => {
      const values = { ingress: { httpsRedirect: { enabled: true, port: 'https' } } };
      expect(chart.renderError(chart.store(values, true))).toMatch(/httpsRedirect/);
    });
  });
}
