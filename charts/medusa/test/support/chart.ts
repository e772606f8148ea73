// The Medusa chart as its tests see it: paths, container shapes, the scenarios rendered, and label
// selectors evaluated as Kubernetes does.
import { join, resolve } from 'node:path';
import { chartRenderer, type Manifest } from '../../../test-support/helm-chart.ts';
import { orchestratorValuesFor } from '../../../test-support/orchestrator-values.ts';

export {
  find,
  helm,
  type Manifest,
  parse,
  type RenderInput,
  valueArgs,
  valuesFile,
} from '../../../test-support/helm-chart.ts';

export const CHART = resolve(import.meta.dirname, '../..');
export const VALUES_LOCAL = join(CHART, 'values-local.yaml');
export const VALUES_PROD = join(CHART, 'values-prod.yaml');
export const RELEASE = 'store-cube-shop';

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name: string; containerPort: number }[];
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
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}

/** What the orchestrator passes for a Medusa store named like `slug`. */
export function orchestratorValues(
  slug: string,
  options: { baseDomain?: string; storageClass?: string } = {},
): Record<string, unknown> {
  return orchestratorValuesFor('medusa', slug, options);
}

export const { render, renderText, renderError } = chartRenderer(CHART, {
  release: RELEASE,
  namespace: RELEASE,
});

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job'];

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
export function podSpecOf(workload: Manifest): any {
  return workload.spec.template.spec;
}

export function workloads(objects: Manifest[]): Manifest[] {
  return objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
}

/** The workload of one component (`app.kubernetes.io/component`). */
export function workloadOf(objects: Manifest[], component: string): Manifest {
  const found = workloads(objects).find(
    (o) => o.metadata.labels?.['app.kubernetes.io/component'] === component,
  );
  if (!found) throw new Error(`no workload of component ${component}`);
  return found;
}

/** Every container of every workload, init containers included. */
export function containers(
  objects: Manifest[],
): { workload: Manifest; container: Container; init: boolean }[] {
  return workloads(objects).flatMap((workload) => {
    const pod = podSpecOf(workload);
    return [
      ...(pod.initContainers ?? []).map((container: Container) => ({ workload, container, init: true })),
      ...pod.containers.map((container: Container) => ({ workload, container, init: false })),
    ];
  });
}

/** The environment of a container as name → value (or its valueFrom). */
export function envOf(container: Container): Record<string, unknown> {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether a label selector selects an object with `labels` (an empty selector selects everything). */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key] as string);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key] as string);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
}

/** Standard scenarios: what the orchestrator installs locally and in production, and a standalone install. */
export const SCENARIOS = {
  local: { files: [VALUES_LOCAL], values: orchestratorValues('cube-shop') },
  prod: {
    files: [VALUES_PROD],
    values: orchestratorValues('cube-shop', { baseDomain: 'stores.example.com', storageClass: 'longhorn' }),
  },
  // A standalone install rendered without a cluster (helm template, GitOps): its own existing Secret.
  standalone: { release: 'demo', namespace: 'demo', values: { existingSecret: 'demo-credentials' } },
} satisfies Record<
  string,
  { release?: string; namespace?: string; files?: string[]; values?: Record<string, unknown> }
>;

/** A standalone install that sets every optional switch the other cases leave alone. */
export const OPTIONS_CASE = {
  release: 'acme',
  namespace: 'acme',
  values: {
    store: { name: 'Acme Outdoor Supplies' },
    ingress: {
      host: 'shop.acme.test',
      annotations: { 'traefik.ingress.kubernetes.io/router.middlewares': 'default-redirect@kubernetescrd' },
      tls: { enabled: true, secretName: 'acme-shop-tls' },
    },
    nodeSelector: { 'storefleet.io/pool': 'stores' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'stores', effect: 'NoSchedule' }],
    imagePullSecrets: [{ name: 'registry-credentials' }],
    imagePullPolicy: 'Always',
    medusa: {
      image: {
        registry: 'registry.acme.test',
        repository: 'shop/medusa',
        digest: `sha256:${'c'.repeat(64)}`,
      },
      replicas: 3,
    },
    worker: { enabled: true, replicas: 2 },
    redis: { enabled: true, maxMemory: '128mb' },
    seed: { currency: 'usd', countries: ['us', 'ca'] },
    setup: { rerun: '2026-11-29' },
    database: { volumePermissions: { enabled: true } },
    networkPolicy: { enabled: false },
    quota: { enabled: false },
    limitRange: { enabled: false },
    podDisruptionBudget: { enabled: true, maxUnavailable: '50%' },
  },
};
