// The chart on a real Kubernetes API server (the local control plane; pods are simulated on KWOK
// nodes, so this shows that the objects are admitted and wired together, not that Medusa serves
// pages: the image need not exist).
import { randomBytes } from 'node:crypto';
import { BatchV1Api, CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../apps/orchestrator/test/support/harness.ts';
import { dryRunCreate } from '../../store/test/support/kube-api.ts';
import { chartOnCluster } from '../../test-support/cluster.ts';
import { installTraefikCrds } from '../../test-support/traefik.ts';
import {
  CHART,
  type LabelSelector,
  OPTIONS_CASE,
  orchestratorValues,
  type RenderInput,
  render,
  SCENARIOS,
  selects,
  VALUES_LOCAL,
  VALUES_PROD,
  valuesFile,
} from './support/chart.ts';

const onCluster = chartOnCluster(CHART, 'medusa-test');
const { newNamespace, status: releaseStatus } = onCluster;
const helmInstall = onCluster.install;
let core: CoreV1Api;
let batch: BatchV1Api;
let objectsApi: KubernetesObjectApi;

/** The chart's kinds, and pods, as [apiVersion, kind]. */
const KINDS: [string, string][] = [
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['batch/v1', 'Job'],
  ['v1', 'Pod'],
  ['v1', 'Service'],
  ['v1', 'Secret'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'ResourceQuota'],
  ['v1', 'LimitRange'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['policy/v1', 'PodDisruptionBudget'],
];

interface Listed {
  metadata?: { name?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: objects are read field by field
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: objects are read field by field
  status?: any;
}

async function list(
  namespace: string,
  apiVersion: string,
  kind: string,
  labelSelector?: string,
): Promise<Listed[]> {
  const result = await objectsApi.list(
    apiVersion,
    kind,
    namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    labelSelector,
  );
  return result.items as Listed[];
}

/** `Kind/name` of every object of the chart's kinds labelled with the release. */
async function releaseObjects(namespace: string, release: string): Promise<string[]> {
  const lists = await Promise.all(
    KINDS.map(async ([apiVersion, kind]) =>
      (await list(namespace, apiVersion, kind, `app.kubernetes.io/instance=${release}`)).map(
        (o) => `${kind}/${o.metadata?.name}`,
      ),
    ),
  );
  return lists.flat().sort();
}

/** The workloads of the release as the orchestrator watches them: by component and instance. */
async function workloadStates(namespace: string, release: string): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  const selector = `app.kubernetes.io/component,app.kubernetes.io/instance=${release}`;
  for (const [apiVersion, kind] of KINDS.slice(0, 3)) {
    for (const o of await list(namespace, apiVersion, kind, selector)) {
      const component = o.metadata?.labels?.['app.kubernetes.io/component'] ?? '';
      const condition = (type: string) =>
        (o.status?.conditions ?? []).some(
          (c: { type: string; status: string }) => c.type === type && c.status === 'True',
        );
      states[`${kind}/${component}`] =
        kind === 'Job'
          ? condition('Complete')
            ? 'complete'
            : 'running'
          : kind === 'Deployment'
            ? condition('Available')
              ? 'available'
              : 'unavailable'
            : o.status?.readyReplicas === o.spec?.replicas
              ? 'ready'
              : 'not ready';
    }
  }
  return states;
}

/** For each NetworkPolicy of the namespace, the components of the running pods it selects. */
async function policyTargets(namespace: string): Promise<Record<string, string[]>> {
  const pods = (await list(namespace, 'v1', 'Pod')).filter((p) => p.status?.phase === 'Running');
  const policies = await list(namespace, 'networking.k8s.io/v1', 'NetworkPolicy');
  return Object.fromEntries(
    policies.map((policy) => [
      policy.metadata?.name,
      [
        ...new Set(
          pods
            .filter((pod) => selects(policy.spec.podSelector as LabelSelector, pod.metadata?.labels ?? {}))
            .map((pod) => pod.metadata?.labels?.['app.kubernetes.io/component'] ?? '?'),
        ),
      ].sort(),
    ]),
  );
}

async function uninstallLeavesNothing(release: string, namespace: string): Promise<void> {
  onCluster.helm(['uninstall', release, '-n', namespace, '--wait', '--timeout', '2m']);
  await waitFor(
    async () => ((await releaseObjects(namespace, release)).length === 0 ? true : undefined),
    'every object of the release to be gone',
    60_000,
    250,
  );
  expect(await list(namespace, 'v1', 'PersistentVolumeClaim')).toEqual([]);
}

async function setupJobNames(namespace: string): Promise<string[]> {
  const jobs = await batch.listNamespacedJob({
    namespace,
    labelSelector: 'app.kubernetes.io/component=setup',
  });
  return jobs.items.map((job) => job.metadata?.name ?? '').sort();
}

beforeAll(() => {
  core = onCluster.admin().makeApiClient(CoreV1Api);
  batch = onCluster.admin().makeApiClient(BatchV1Api);
  objectsApi = KubernetesObjectApi.makeApiClient(onCluster.admin());
});

describe('the medusa chart on a real API server', { timeout: 240_000 }, () => {
  it('has every rendered object accepted by a server-side dry run with strict field validation', async () => {
    // Production renders hold a Traefik Middleware (http → https), judged by Traefik's CRD schema.
    await installTraefikCrds(onCluster.admin());
    const namespace = await newNamespace('dryrun');
    const cases: Record<string, RenderInput> = { ...SCENARIOS, options: OPTIONS_CASE };
    const refused: string[] = [];
    for (const [name, input] of Object.entries(cases)) {
      for (const object of render({ ...input, namespace })) {
        const result = await dryRunCreate(onCluster.admin(), namespace, object);
        if (result.status !== 201 && result.status !== 200) {
          refused.push(`${name}: ${object.kind}/${object.metadata.name}: ${result.status} ${result.body}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  it('installs as the orchestrator does: ready as it checks, the policies on their pods; re-runs the setup; uninstalls to nothing', async () => {
    const namespace = await newNamespace('install');
    const release = 'medusa-chart-test';
    const secret = (bytes: number) => randomBytes(bytes).toString('base64url');
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'store-credentials' },
        stringData: {
          'admin-email': 'owner@example.com',
          'admin-password': secret(18),
          'database-password': secret(18),
          'jwt-secret': secret(32),
          'cookie-secret': secret(32),
        },
      },
    });
    const values = orchestratorValues('medusa-test');
    helmInstall(release, namespace, ['-f', VALUES_LOCAL, '-f', valuesFile(values)]);

    expect(releaseStatus(release, namespace)).toBe('deployed');
    expect(await workloadStates(namespace, release)).toEqual({
      'Deployment/app': 'available',
      'Deployment/storefront': 'available',
      'StatefulSet/database': 'ready',
      'Job/setup': 'complete',
    });
    const kinds = [...new Set((await releaseObjects(namespace, release)).map((o) => o.split('/')[0]))].sort();
    expect(kinds).toEqual([
      'Deployment',
      'Ingress',
      'Job',
      'LimitRange',
      'NetworkPolicy',
      'PersistentVolumeClaim',
      'Pod',
      'ResourceQuota',
      'Service',
      'StatefulSet',
    ]);
    // The setup pod has completed by now; the running pods are the server, storefront and database.
    expect(await policyTargets(namespace)).toEqual({
      [`${release}-default-deny`]: ['app', 'database', 'storefront'],
      [`${release}-dns`]: ['app'],
      [`${release}-app-from-ingress`]: ['app'],
      [`${release}-storefront-from-ingress`]: ['storefront'],
      [`${release}-to-backends`]: ['app'],
      [`${release}-database-from-medusa`]: ['database'],
    });

    // Nothing changed but setup.rerun: the setup runs again as a new Job, and the old one goes.
    const [first] = await setupJobNames(namespace);
    helmInstall(release, namespace, [
      '-f',
      VALUES_LOCAL,
      '-f',
      valuesFile({ ...values, setup: { rerun: '1' } }),
    ]);
    const rerun = await waitFor(
      async () => {
        const names = await setupJobNames(namespace);
        return names.length === 1 && names[0] !== first ? names : undefined;
      },
      'the re-run setup Job to replace the first one',
      60_000,
      250,
    );
    expect((await workloadStates(namespace, release))['Job/setup']).toBe('complete');
    expect(rerun).toHaveLength(1);

    await uninstallLeavesNothing(release, namespace);
  });

  it('installs standalone with production values (Redis, a worker, 2 servers) and generated credentials that an upgrade keeps', async () => {
    const namespace = await newNamespace('standalone');
    // Production values redirect http to https with a Traefik Middleware: a k3s cluster has its CRD.
    await installTraefikCrds(onCluster.admin());
    const args = ['-f', VALUES_PROD, '--set', 'secret.create=true', '--set', 'ingress.host=demo.localhost'];
    helmInstall('demo', namespace, args);
    expect(releaseStatus('demo', namespace)).toBe('deployed');
    expect(await workloadStates(namespace, 'demo')).toEqual({
      'Deployment/app': 'available',
      'Deployment/redis': 'available',
      'Deployment/storefront': 'available',
      'Deployment/worker': 'available',
      'StatefulSet/database': 'ready',
      'Job/setup': 'complete',
    });
    const targets = await policyTargets(namespace);
    expect(targets['demo-to-backends']).toEqual(['app', 'worker']);
    expect(targets['demo-redis-from-medusa']).toEqual(['redis']);
    expect(targets['demo-internet']).toEqual(['app', 'worker']);
    expect(targets['demo-default-deny']).toEqual(['app', 'database', 'redis', 'storefront', 'worker']);

    const before = (await core.readNamespacedSecret({ name: 'store-credentials', namespace })).data;
    expect(Object.keys(before ?? {}).sort()).toEqual([
      'admin-email',
      'admin-password',
      'cookie-secret',
      'database-password',
      'jwt-secret',
    ]);
    helmInstall('demo', namespace, args);
    const after = (await core.readNamespacedSecret({ name: 'store-credentials', namespace })).data;
    expect(after).toEqual(before);
    expect(await setupJobNames(namespace)).toHaveLength(1);

    await uninstallLeavesNothing('demo', namespace);
  });
});
