import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { goModuleFile } from './go-module-file.ts';
import type { Manifest } from './helm-chart.ts';

const CERT_MANAGER_MODULE = 'github.com/cert-manager/cert-manager@v1.19.2';
const CRD_PATH = 'deploy/crds/cert-manager.io_certificates.yaml';

/** Installs the Certificate CRD (once per cluster) and waits until it is served. */
export async function installCertificateCrd(admin: KubeConfig): Promise<void> {
  const api = admin.makeApiClient(ApiextensionsV1Api);
  const crd = load(await goModuleFile(CERT_MANAGER_MODULE, CRD_PATH)) as V1CustomResourceDefinition;
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
