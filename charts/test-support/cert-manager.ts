// cert-manager's path, proven against its own schema: the Certificate CRD of cert-manager v1.19.2
// (vendored in ./cert-manager) goes into the test cluster, and the Certificates its ingress-shim would
// make of a rendered Ingress are created with a server-side dry run, so the API server judges them by
// the CRD's OpenAPI schema. (cert-manager's controller cannot be built from the Go module proxy.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { load } from 'js-yaml';
import type { Manifest } from './helm-chart.ts';

const CRD_FILE = join(import.meta.dirname, 'cert-manager', 'cert-manager.io_certificates.yaml');

/** Installs the Certificate CRD (once per cluster) and waits until it is served. */
export async function installCertificateCrd(admin: KubeConfig): Promise<void> {
  const api = admin.makeApiClient(ApiextensionsV1Api);
  const crd = load(readFileSync(CRD_FILE, 'utf8')) as V1CustomResourceDefinition;
  const name = crd.metadata?.name ?? 'certificates.cert-manager.io';
  try {
    await api.createCustomResourceDefinition({ body: crd });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const current = await api.readCustomResourceDefinition({ name });
    if (current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`${name} was not established within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Creates the Certificate with `dryRun=All`: the API server validates it and stores nothing. */
export async function dryRunCertificate(
  admin: KubeConfig,
  namespace: string,
  certificate: Manifest,
): Promise<void> {
  await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'cert-manager.io',
    version: 'v1',
    namespace,
    plural: 'certificates',
    body: { ...certificate, metadata: { ...certificate.metadata, namespace } },
    dryRun: 'All',
  });
}
