// The Ingress values the platform adds to every engine's: how hosts get certificates, and the verified
// domains with the primary one.
import { describe, expect, it } from 'vitest';
import { storeScheme, tlsValues } from '../../src/cluster/ingress-values.ts';
import { storeValues } from '../../src/cluster/store-values.ts';

const target = (domains?: { hosts: string[]; primary?: string }) => ({
  storeId: '0b6f7f0e-3a8e-4d53-9a0e-3f4f0f5b7c11',
  slug: 'harbour-goods',
  name: 'Harbour Goods',
  engine: 'medusa' as const,
  ownerId: 'user-1',
  namespace: 'store-harbour-goods',
  release: 'store-harbour-goods',
  values: domains ? { domains } : {},
  generation: 1,
});
const chart = { baseDomain: 'localhost', ingressClass: 'traefik', storageClass: undefined };

describe('ingress values', () => {
  it('maps STORE_TLS to the chart', () => {
    expect(tlsValues({ mode: 'off' })).toEqual({ enabled: false });
    expect(tlsValues({ mode: 'ingress' })).toEqual({ enabled: true, controllerManaged: true });
    expect(tlsValues({ mode: 'cluster-issuer', name: 'le' })).toEqual({ enabled: true, clusterIssuer: 'le' });
    expect(tlsValues({ mode: 'cert-resolver', name: 'le' })).toEqual({ enabled: true, certResolver: 'le' });
    expect(storeScheme({ mode: 'ingress' }, 'local')).toBe('https');
    expect(storeScheme({ mode: 'off' }, 'production')).toBe('http');
    expect(storeScheme(undefined, 'production')).toBe('https');
    expect(storeScheme(undefined, 'local')).toBe('http');
  });

  it('puts the verified domains and the primary host next to the store host, keeping the engine’s ingress values', () => {
    const values = storeValues(
      target({ hosts: ['shop.example.test'], primary: 'shop.example.test' }),
      { ...chart, tls: { mode: 'ingress' } },
      { kind: 'anywhere' },
    );
    expect(values.ingress).toEqual({
      className: 'traefik',
      host: 'harbour-goods.localhost',
      tls: { enabled: true, controllerManaged: true },
      domains: ['shop.example.test'],
      primaryHost: 'shop.example.test',
    });
  });

  it('points the chart’s http → https redirect at STORE_URL_TLS_PORT, leaving whether it is on to the chart', () => {
    const values = storeValues(
      target(),
      { ...chart, tls: { mode: 'ingress' }, tlsPort: 8443 },
      { kind: 'anywhere' },
    );
    expect(values.ingress).toMatchObject({ httpsRedirect: { port: 8443 } });
    expect(values.ingress).not.toHaveProperty('httpsRedirect.enabled');
  });

  it('leaves the chart’s environment file alone without STORE_TLS or domains', () => {
    const values = storeValues(target(), chart, { kind: 'anywhere' });
    expect(values.ingress).toEqual({ className: 'traefik', host: 'harbour-goods.localhost' });
  });
});
