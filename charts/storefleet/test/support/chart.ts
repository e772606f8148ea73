// The platform chart as its tests see it: paths, container shapes, and the scenarios rendered.
import { join, resolve } from 'node:path';
import { chartRenderer, type Manifest, type RenderInput } from '../../../test-support/helm-chart.ts';

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
export const REPO = resolve(CHART, '../..');
export const VALUES_LOCAL = join(CHART, 'values-local.yaml');
export const VALUES_PROD = join(CHART, 'values-prod.yaml');

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  securityContext?: SecurityContext;
  command?: string[];
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

export const { render, renderText, renderError } = chartRenderer(CHART, {
  release: 'storefleet',
  namespace: 'storefleet',
});

export interface PodSpec {
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; emptyDir?: { sizeLimit?: string } }[];
  imagePullSecrets?: { name: string }[];
}

/** The pod template of a workload (Deployment, StatefulSet, Job, CronJob); undefined for other kinds. */
export function podSpec(object: Manifest): PodSpec | undefined {
  if (object.kind === 'CronJob') return object.spec.jobTemplate.spec.template.spec;
  if (['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(object.kind))
    return object.spec.template.spec;
  return undefined;
}

/** Every container of every workload, init containers included. */
export function containers(objects: Manifest[]) {
  return objects.flatMap((workload) => {
    const pod = podSpec(workload);
    if (!pod) return [];
    return [
      ...(pod.initContainers ?? []).map((container) => ({ workload, container, init: true, pod })),
      ...pod.containers.map((container) => ({ workload, container, init: false, pod })),
    ];
  });
}

/** Values that switch on every optional part the standard scenarios leave off. */
export const OPTIONS_VALUES: Record<string, unknown> = {
  fullnameOverride: 'sf',
  commonLabels: { 'example.com/team': 'platform' },
  image: {
    repository: 'registry.example.com/storefleet/orchestrator',
    digest: `sha256:${'ab'.repeat(32)}`,
  },
  imagePullSecrets: [{ name: 'registry-credentials' }],
  replicaCount: 3,
  podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics' },
  podLabels: { 'example.com/tier': 'control' },
  priorityClassName: 'platform-critical',
  nodeSelector: { 'node-role.example.com/platform': 'true' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
        ],
      },
    },
  },
  extraEnvVars: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=512' }],
  podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
  config: {
    environment: 'production',
    logLevel: 'debug',
    storageClass: 'fast-ssd',
    storeBaseDomain: 'shops.example.net',
    storeUrlPort: 8080,
    storeUrlTlsPort: 8443,
    storeTls: 'cluster-issuer:letsencrypt-prod',
    domainDnsServers: ['1.1.1.1', '9.9.9.9:53'],
    domainIngressAddress: '203.0.113.10',
    domainTlsProbeAddress: 'traefik.kube-system.svc:443',
    domainCheckInterval: '1m',
    domainIssueTimeout: '15m',
    certificateCheckInterval: '6h',
    ingressClass: 'nginx',
    resourcePrefix: 'shop-',
    engineValuesFiles: ['woocommerce=/etc/extra/store.yaml'],
    ingressUrl: 'http://traefik.kube-system.svc',
    corsOrigins: ['https://admin.example.net', 'https://ops.example.net'],
    adminEmails: ['ops@example.net', 'cto@example.net'],
    signupEnabled: false,
    bodyLimitBytes: 1048576,
    maxStores: 100000,
    backupDir: '/var/lib/storefleet/store-backups',
    backupQuotaBytes: 5368709120,
    // The stores run in another cluster (kubeconfig.existingSecret): an address that cluster reaches.
    platformInternalUrl: 'https://storefleet-internal.example.net',
    idleSleepAfter: '2h',
    ingressMetricsUrl: 'http://traefik-metrics.kube-system.svc:9100/metrics',
  },
  // Three replicas on several nodes share the stores' backups: older ones on the volume, new ones in a bucket.
  storeBackups: {
    target: 's3',
    s3: {
      endpoint: 'https://s3.eu-central-1.amazonaws.com',
      region: 'eu-central-1',
      bucket: 'acme-storefleet-backups',
      prefix: 'platform/backups',
      existingSecret: 'store-backups-bucket',
      agentImage: { registry: 'registry.example.com', repository: 'storefleet/backup-agent', tag: '0.1.0' },
    },
    persistence: { size: '50Gi', storageClass: 'shared-nfs', accessMode: 'ReadWriteMany' },
  },
  storeValues: { networkPolicy: { ingressNamespace: 'ingress-nginx' } },
  kubeconfig: { existingSecret: 'stores-cluster', key: 'config' },
  database: {
    existingSecret: 'platform-database',
    existingSecretKey: 'url',
    migrations: { existingSecret: 'platform-database-owner', existingSecretKey: 'url' },
  },
  service: { type: 'LoadBalancer', port: 8080, annotations: { 'example.com/lb': 'internal' } },
  serviceAccount: { name: 'orchestrator', annotations: { 'example.com/role': 'storefleet' } },
  ingress: {
    enabled: true,
    className: 'nginx',
    host: 'storefleet.example.net',
    annotations: { 'nginx.ingress.kubernetes.io/proxy-buffering': 'off' },
    tls: { enabled: true, secretName: 'storefleet-example-net-tls' },
    fallback: { annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '30' } },
  },
  rbac: { clusterResourcePrefix: 'acme-storefleet', restrictToStoreNamespaces: true },
  metrics: {
    serviceMonitor: { enabled: true, interval: '30s', labels: { release: 'kube-prometheus-stack' } },
  },
};

/** The standard scenarios: a plain install, a laptop, production, every option. */
export const SCENARIOS: Record<string, RenderInput> = {
  defaults: {},
  local: { files: [VALUES_LOCAL] },
  prod: { files: [VALUES_PROD] },
  options: { release: 'acme', namespace: 'platform', values: OPTIONS_VALUES },
};

/** Generated passwords differ at every render: golden files hold a placeholder instead. */
export function withoutGeneratedSecrets(text: string): string {
  return text.replace(/^(\s+(?:password|database-url): ).+$/gm, '$1"<generated>"');
}
