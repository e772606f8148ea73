// The store chart as its tests see it: paths, container shapes, and the scenarios rendered.
import { join, resolve } from 'node:path';
import { testCluster } from '../../../../apps/orchestrator/test/support/kube.ts';
import {
  chartRenderer,
  helm,
  type Manifest,
  parse,
  type RenderInput,
  valueArgs,
} from '../../../test-support/helm-chart.ts';
import { orchestratorValuesFor } from '../../../test-support/orchestrator-values.ts';

export {
  find,
  helm,
  type Manifest,
  type RenderInput,
  valueArgs,
  valuesFile,
} from '../../../test-support/helm-chart.ts';

export const CHART = resolve(import.meta.dirname, '../..');
export const VALUES_LOCAL = join(CHART, 'values-local.yaml');
export const VALUES_PROD = join(CHART, 'values-prod.yaml');

export interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[] };
  };
  command?: string[];
  args?: string[];
}

/** What the orchestrator passes (`storeValues()` in store-values.ts), for a store named like `slug`. */
export function orchestratorValues(
  slug: string,
  options: { baseDomain?: string; storageClass?: string; replicas?: number } = {},
): Record<string, unknown> {
  return orchestratorValuesFor('woocommerce', slug, options);
}

export const { render, renderText, renderError } = chartRenderer(CHART, {
  release: 'store-cube-shop',
  namespace: 'store-cube-shop',
});

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job', 'CronJob'];

/** The pod spec of a workload (a CronJob's is in its Job template). */
// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
export function podSpecOf(workload: Manifest): any {
  return workload.kind === 'CronJob'
    ? workload.spec.jobTemplate.spec.template.spec
    : workload.spec.template.spec;
}

/** Every container of every workload, init containers included. */
export function containers(objects: Manifest[]): {
  workload: Manifest;
  container: Container;
  init: boolean;
  pod: { securityContext?: Container['securityContext'] };
}[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .flatMap((workload) => {
      const pod = podSpecOf(workload);
      return [
        ...(pod.initContainers ?? []).map((container: Container) => ({
          workload,
          container,
          init: true,
          pod,
        })),
        ...pod.containers.map((container: Container) => ({ workload, container, init: false, pod })),
      ];
    });
}

/**
 * `helm template --dry-run=server` against the local control plane: `lookup` sees the cluster there,
 * as in `helm install` (what `secret.create` needs).
 */
export function renderOnCluster(input: RenderInput): Manifest[] {
  const result = helm([
    'template',
    input.release ?? 'store-cube-shop',
    CHART,
    '-n',
    input.namespace ?? 'store-cube-shop',
    ...valueArgs(input),
    '--dry-run=server',
    '--kubeconfig',
    testCluster().adminKubeconfig,
  ]);
  if (result.status !== 0) throw new Error(`helm template --dry-run=server failed: ${result.stderr}`);
  return parse(result.stdout);
}

/** Standard scenarios: what the orchestrator installs locally and in production, and a standalone install. */
export const SCENARIOS = {
  local: { files: [VALUES_LOCAL], values: orchestratorValues('cube-shop') },
  prod: {
    files: [VALUES_PROD],
    values: orchestratorValues('cube-shop', {
      baseDomain: 'stores.example.com',
      storageClass: 'longhorn',
      replicas: 2,
    }),
  },
  // A standalone install rendered without a cluster (helm template, GitOps): its own existing Secret.
  standalone: { release: 'demo', namespace: 'demo', values: { existingSecret: 'demo-credentials' } },
} satisfies Record<string, RenderInput>;

/** A standalone install that sets every optional switch the other cases leave alone. */
export const OPTIONS_CASE: RenderInput = {
  release: 'acme',
  namespace: 'acme',
  values: {
    store: { name: 'Acme Outdoor Supplies' },
    ingress: {
      host: 'shop.acme.test',
      annotations: { 'traefik.ingress.kubernetes.io/router.middlewares': 'default-redirect@kubernetescrd' },
      tls: { enabled: true, secretName: 'acme-shop-tls' },
    },
    app: {
      nodeSelector: { 'storefleet.io/pool': 'stores' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'stores', effect: 'NoSchedule' }],
    },
    woocommerce: {
      downloadUrl: 'https://mirror.acme.test/woocommerce.zip',
      storefrontDownloadUrl: 'https://mirror.acme.test/storefront.zip',
      sampleProducts: false,
      currency: 'EUR',
      address: { street: 'Hauptstrasse 1', city: 'Berlin', postcode: '10115', country: 'DE' },
    },
    persistence: { wpContent: { accessMode: 'ReadWriteMany' } },
    imagePullSecrets: [{ name: 'registry-credentials' }],
    setup: { rerun: '2026-11-29' },
    cron: { schedule: '*/15 * * * *' },
    smtp: {
      enabled: true,
      host: 'smtp.acme.test',
      port: 465,
      encryption: 'ssl',
      user: 'shop',
      existingSecret: 'acme-smtp',
      from: 'shop@acme.test',
    },
    networkPolicy: { enabled: false },
    quota: { enabled: false },
    limitRange: { enabled: false },
    podDisruptionBudget: { enabled: true, maxUnavailable: '50%' },
  },
};
