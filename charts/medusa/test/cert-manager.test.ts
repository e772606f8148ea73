// The production TLS path of a store with custom domains, against cert-manager's Certificate CRD on the
// API server: every Certificate ingress-shim would make of the Ingress is valid, and a broken one is not.
import { describe, expect, it } from 'vitest';
import { dryRunCertificate, installCertificateCrd } from '../../test-support/cert-manager.ts';
import { chartOnCluster } from '../../test-support/cluster.ts';
import { ingressOf, shimCertificates } from '../../test-support/ingress-tls-suite.ts';
import { CHART, orchestratorValues, render, VALUES_PROD } from './support/chart.ts';

const cluster = chartOnCluster(CHART, 'medusa-cm');

describe("cert-manager's Certificates for a store with its own domains", { timeout: 120_000 }, () => {
  it('are valid by the Certificate CRD of cert-manager, one per host', async () => {
    await installCertificateCrd(cluster.admin());
    const namespace = await cluster.newNamespace('shim');
    const base = orchestratorValues('cube-shop', { baseDomain: 'stores.example.com' });
    const ingress = ingressOf(
      render({
        files: [VALUES_PROD],
        values: {
          ...base,
          ingress: { ...(base.ingress as object), domains: ['shop.example.com', 'xn--bcher-kva.example'] },
        },
      }),
    );
    const certificates = shimCertificates(ingress);
    expect(certificates.map((c) => c.metadata.name)).toEqual([
      'store-cube-shop-tls',
      'tls-shop.example.com',
      'tls-xn--bcher-kva.example',
    ]);
    for (const certificate of certificates) await dryRunCertificate(cluster.admin(), namespace, certificate);
    // The schema is really applied: a Certificate without its secretName (required) is refused.
    const [first] = certificates;
    const broken = { ...first!, spec: { ...first!.spec, secretName: undefined } };
    await expect(dryRunCertificate(cluster.admin(), namespace, broken)).rejects.toThrow(/secretName/);
  });
});
