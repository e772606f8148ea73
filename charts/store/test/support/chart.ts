// Rendering the store chart with the pinned helm, and reading what it renders (js-yaml comes with
// @kubernetes/client-node; its own loaders turn objects into client models, which is not wanted here).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { inject } from 'vitest';

export const CHART = resolve(import.meta.dirname, '../..');
export const VALUES_LOCAL = join(CHART, 'values-local.yaml');
export const VALUES_PROD = join(CHART, 'values-prod.yaml');

/** A Kubernetes object as rendered, loosely typed: tests walk it by path. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
  spec?: any;
  data?: Record<string, string>;
}

export interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[] };
  };
  command?: string[];
  args?: string[];
}

/** What the orchestrator passes (`storeValues()` in kubernetes-cluster.ts), for a store named like `slug`. */
export function orchestratorValues(
  slug: string,
  options: { baseDomain?: string; storageClass?: string; replicas?: number } = {},
): Record<string, unknown> {
  return {
    engine: 'woocommerce',
    store: { id: '3f6c1f0e-5b7a-4c1e-9d2a-0b8e7c6d5a41', slug, owner: 'merchant-1' },
    existingSecret: 'store-credentials',
    ingress: { className: 'traefik', host: `${slug}.${options.baseDomain ?? 'localhost'}` },
    ...(options.storageClass ? { persistence: { storageClass: options.storageClass } } : {}),
    ...(options.replicas ? { app: { replicas: options.replicas } } : {}),
  };
}

export function valuesFile(values: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'store-chart-values-')), 'values.json');
  writeFileSync(file, JSON.stringify(values));
  return file;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): HelmResult {
  const result = spawnSync(inject('helm'), args, { encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderInput {
  release?: string;
  namespace?: string;
  /** Values files applied in order (environment files first), then `values`. */
  files?: string[];
  values?: Record<string, unknown>;
}

function templateArgs(input: RenderInput): string[] {
  const args = [
    'template',
    input.release ?? 'store-cube-shop',
    CHART,
    '-n',
    input.namespace ?? 'store-cube-shop',
  ];
  for (const file of input.files ?? []) args.push('-f', file);
  if (input.values) args.push('-f', valuesFile(input.values));
  return args;
}

/** `helm template`, which must succeed; returns the YAML text. */
export function renderText(input: RenderInput): string {
  const result = helm(templateArgs(input));
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return result.stdout;
}

export function render(input: RenderInput): Manifest[] {
  return loadAll(renderText(input)).filter((doc): doc is Manifest => Boolean(doc));
}

/** `helm template` that must fail; returns helm's error output. */
export function renderError(input: RenderInput): string {
  const result = helm(templateArgs(input));
  if (result.status === 0) throw new Error('helm template succeeded but was expected to fail');
  return result.stderr;
}

export function find(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} rendered`);
  return found;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job'];

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
      const pod = workload.spec.template.spec;
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

/** Standard scenarios: what the orchestrator installs locally and in production, and a standalone install. */
export const SCENARIOS: Record<string, RenderInput> = {
  local: { files: [VALUES_LOCAL], values: orchestratorValues('cube-shop') },
  prod: {
    files: [VALUES_PROD],
    values: orchestratorValues('cube-shop', {
      baseDomain: 'stores.example.com',
      storageClass: 'longhorn',
      replicas: 2,
    }),
  },
  standalone: { release: 'demo', namespace: 'demo', values: { secret: { create: true } } },
};

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
    networkPolicy: { enabled: false },
    quota: { enabled: false },
    limitRange: { enabled: false },
    podDisruptionBudget: { enabled: true, maxUnavailable: '50%' },
  },
};
