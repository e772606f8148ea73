// Raw calls to the API server of the local control plane: server-side dry runs with strict field
// validation (`helm install --dry-run=server` only lets templates call `lookup`; it sends nothing to be
// validated), and access reviews.
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Manifest } from './chart.ts';

/** API group path, resource, and whether the kind is namespaced, for the kinds the chart renders. */
const RESOURCES: Record<string, [string, string, boolean]> = {
  ConfigMap: ['/api/v1', 'configmaps', true],
  Secret: ['/api/v1', 'secrets', true],
  Service: ['/api/v1', 'services', true],
  ServiceAccount: ['/api/v1', 'serviceaccounts', true],
  PersistentVolumeClaim: ['/api/v1', 'persistentvolumeclaims', true],
  Deployment: ['/apis/apps/v1', 'deployments', true],
  StatefulSet: ['/apis/apps/v1', 'statefulsets', true],
  CronJob: ['/apis/batch/v1', 'cronjobs', true],
  Ingress: ['/apis/networking.k8s.io/v1', 'ingresses', true],
  NetworkPolicy: ['/apis/networking.k8s.io/v1', 'networkpolicies', true],
  PodDisruptionBudget: ['/apis/policy/v1', 'poddisruptionbudgets', true],
  // Traefik's (http → https in production): charts/test-support/traefik.ts installs its CRD.
  Middleware: ['/apis/traefik.io/v1alpha1', 'middlewares', true],
  ClusterRole: ['/apis/rbac.authorization.k8s.io/v1', 'clusterroles', false],
  ClusterRoleBinding: ['/apis/rbac.authorization.k8s.io/v1', 'clusterrolebindings', false],
  ValidatingAdmissionPolicy: ['/apis/admissionregistration.k8s.io/v1', 'validatingadmissionpolicies', false],
  ValidatingAdmissionPolicyBinding: [
    '/apis/admissionregistration.k8s.io/v1',
    'validatingadmissionpolicybindings',
    false,
  ],
};

export const KINDS = Object.keys(RESOURCES);

export interface ApiResult {
  status: number;
  body: string;
}

async function call(config: KubeConfig, method: string, path: string, body?: unknown): Promise<ApiResult> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const options: Parameters<typeof request>[1] = {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  };
  await config.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const sent = request(new URL(path, cluster.server), options, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    sent.on('error', reject);
    sent.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function collectionPath(kind: string, namespace: string): string {
  const resource = RESOURCES[kind];
  if (!resource) throw new Error(`no API path known for ${kind}: add it to RESOURCES`);
  const [group, plural, namespaced] = resource;
  return namespaced ? `${group}/namespaces/${namespace}/${plural}` : `${group}/${plural}`;
}

/** Creates the object with dryRun=All and strict field validation: validated and admitted, not stored. */
export function dryRunCreate(config: KubeConfig, namespace: string, object: Manifest): Promise<ApiResult> {
  const namespaced = RESOURCES[object.kind]?.[2] ?? true;
  const metadata = namespaced ? { ...object.metadata, namespace } : object.metadata;
  return call(config, 'POST', `${collectionPath(object.kind, namespace)}?dryRun=All&fieldValidation=Strict`, {
    ...object,
    metadata,
  });
}

/** Names of the objects of one kind that carry the label selector (in `namespace` when namespaced). */
export async function listNames(
  config: KubeConfig,
  kind: string,
  namespace: string,
  labelSelector: string,
): Promise<string[]> {
  const result = await call(
    config,
    'GET',
    `${collectionPath(kind, namespace)}?labelSelector=${encodeURIComponent(labelSelector)}`,
  );
  if (result.status !== 200) throw new Error(`list ${kind}: ${result.status} ${result.body}`);
  const list = JSON.parse(result.body) as { items: { metadata: { name: string } }[] };
  return list.items.map((item) => `${kind}/${item.metadata.name}`);
}

/** Whether `user` may do `verb` on a resource (SubjectAccessReview, answered by the real authorizer). */
export async function allowed(
  config: KubeConfig,
  user: string,
  attributes: {
    verb: string;
    resource: string;
    group?: string;
    namespace?: string;
    name?: string;
    subresource?: string;
  },
): Promise<boolean> {
  const result = await call(config, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user,
      groups: [
        'system:serviceaccounts',
        `system:serviceaccounts:${user.split(':')[2]}`,
        'system:authenticated',
      ],
      resourceAttributes: attributes,
    },
  });
  if (result.status !== 201) throw new Error(`SubjectAccessReview: ${result.status} ${result.body}`);
  return (JSON.parse(result.body) as { status: { allowed: boolean } }).status.allowed;
}

/** Every object of `release` still in the cluster, namespaced (in `namespace`) and cluster-scoped, as `Kind/name`. */
export async function releaseObjects(
  config: KubeConfig,
  release: string,
  namespace: string,
  kinds: readonly string[] = KINDS,
): Promise<string[]> {
  const selector = `app.kubernetes.io/instance=${release}`;
  const names = await Promise.all(kinds.map((kind) => listNames(config, kind, namespace, selector)));
  return names.flat().sort();
}
