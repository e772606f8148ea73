// A server-side dry run of rendered objects with strict field validation: the API server runs its
// defaulting, validation and admission on them and stores nothing. (`helm install --dry-run=server`
// only lets templates call `lookup`; it sends nothing to be validated.)
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Manifest } from './chart.ts';

/** API path and resource of the kinds the chart renders (all namespaced). */
const RESOURCES: Record<string, [string, string]> = {
  ConfigMap: ['/api/v1', 'configmaps'],
  Secret: ['/api/v1', 'secrets'],
  Service: ['/api/v1', 'services'],
  PersistentVolumeClaim: ['/api/v1', 'persistentvolumeclaims'],
  ResourceQuota: ['/api/v1', 'resourcequotas'],
  LimitRange: ['/api/v1', 'limitranges'],
  Deployment: ['/apis/apps/v1', 'deployments'],
  StatefulSet: ['/apis/apps/v1', 'statefulsets'],
  Job: ['/apis/batch/v1', 'jobs'],
  CronJob: ['/apis/batch/v1', 'cronjobs'],
  Ingress: ['/apis/networking.k8s.io/v1', 'ingresses'],
  NetworkPolicy: ['/apis/networking.k8s.io/v1', 'networkpolicies'],
  PodDisruptionBudget: ['/apis/policy/v1', 'poddisruptionbudgets'],
  // Traefik's CRD (charts/test-support/traefik.ts installs it first).
  Middleware: ['/apis/traefik.io/v1alpha1', 'middlewares'],
};

export interface DryRunResult {
  status: number;
  body: string;
}

export async function dryRunCreate(
  config: KubeConfig,
  namespace: string,
  object: Manifest,
): Promise<DryRunResult> {
  const resource = RESOURCES[object.kind];
  if (!resource) throw new Error(`no API path known for ${object.kind}: add it to RESOURCES`);
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(
    `${resource[0]}/namespaces/${namespace}/${resource[1]}?dryRun=All&fieldValidation=Strict`,
    cluster.server,
  );
  const options: Parameters<typeof request>[1] = {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  };
  await config.applyToHTTPSOptions(options);
  const payload = JSON.stringify({ ...object, metadata: { ...object.metadata, namespace } });
  return new Promise((resolve, reject) => {
    const call = request(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    call.on('error', reject);
    call.end(payload);
  });
}
