// http → https of the dashboard's host: off on a laptop, on in production (a Traefik redirectScheme
// Middleware answering the host on the http entry point; the dashboard's route on https only).
// The store charts do the same for store hosts (charts/test-support/ingress-redirect-suite.ts), and
// charts/medusa/test/https-redirect.test.ts runs it on Traefik itself.
import { describe, expect, it } from 'vitest';
import { redirectObjects } from '../../test-support/ingress-redirect-suite.ts';
import { render, renderError, VALUES_LOCAL, VALUES_PROD } from './support/chart.ts';

const ENTRYPOINTS = 'traefik.ingress.kubernetes.io/router.entrypoints';

describe("http → https of the dashboard's host", { timeout: 60_000 }, () => {
  it('is off locally: plain http keeps working', () => {
    const { middleware, http, routes } = redirectObjects(render({ files: [VALUES_LOCAL] }));
    expect(middleware).toBeUndefined();
    expect(http).toBeUndefined();
    expect(
      routes.find((o) => o.metadata.name === 'storefleet-orchestrator')?.metadata.annotations,
    ).toBeUndefined();
  });

  it('is on in production: a permanent redirect on the http entry point, the route on https only', () => {
    const { middleware, http, routes } = redirectObjects(render({ files: [VALUES_PROD] }));
    expect(middleware).toMatchObject({
      apiVersion: 'traefik.io/v1alpha1',
      metadata: { name: 'storefleet-orchestrator-https-redirect' },
      spec: { redirectScheme: { scheme: 'https', permanent: true } },
    });
    expect(http?.metadata.annotations).toEqual({
      [ENTRYPOINTS]: 'web',
      'traefik.ingress.kubernetes.io/router.middlewares':
        'storefleet-storefleet-orchestrator-https-redirect@kubernetescrd',
    });
    expect(http?.spec.rules.map((rule: { host: string }) => rule.host)).toEqual([
      'storefleet.shops.example.com',
    ]);
    expect(http?.spec.tls).toBeUndefined();
    const dashboard = routes.find((o) => o.metadata.name === 'storefleet-orchestrator');
    expect(dashboard?.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
      [ENTRYPOINTS]: 'websecure',
    });
    // The fallback Ingress (asleep stores' hosts) is the stores' business: untouched.
    expect(routes.map((o) => o.metadata.name).sort()).toEqual([
      'storefleet-fallback',
      'storefleet-orchestrator',
    ]);
    expect(
      routes.find((o) => o.metadata.name === 'storefleet-fallback')?.metadata.annotations,
    ).toBeUndefined();
  });

  it('redirects to a non-default port, and never without TLS', () => {
    const port = render({ files: [VALUES_PROD], values: { ingress: { httpsRedirect: { port: 8443 } } } });
    expect(redirectObjects(port).middleware?.spec.redirectScheme.port).toBe('8443');
    const plain = render({ files: [VALUES_PROD], values: { ingress: { tls: { enabled: false } } } });
    expect(redirectObjects(plain).middleware).toBeUndefined();
    expect(redirectObjects(plain).http).toBeUndefined();
    expect(
      renderError({ files: [VALUES_PROD], values: { ingress: { httpsRedirect: { port: 'https' } } } }),
    ).toMatch(/httpsRedirect/);
  });
});
