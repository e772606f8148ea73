// The chart on a real Kubernetes API server (the local control plane; pods are simulated, so this shows
// that the objects are valid, admitted, wired together and become ready, not that the orchestrator
// serves). A release of its own in a namespace of its own, next to the integration tests' `storefleet`.
import { randomBytes } from 'node:crypto';
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../apps/orchestrator/test/support/harness.ts';
import { adminConfig, testCluster } from '../../../apps/orchestrator/test/support/kube.ts';
import { installTraefikCrds } from '../../test-support/traefik.ts';
import {
  CHART,
  helm,
  type RenderInput,
  render,
  SCENARIOS,
  VALUES_LOCAL,
  VALUES_PROD,
  valueArgs,
} from './support/chart.ts';
import { allowed, dryRunCreate, releaseObjects } from './support/kube-api.ts';

// A suffix of its own, so that test runs sharing the control plane (several checkouts) do not collide.
const SUFFIX = randomBytes(3).toString('hex');
const NAMESPACE = `storefleet-chart-test-${SUFFIX}`;
const RELEASE = `sf-chart-test-${SUFFIX}`;
const FULLNAME = `${RELEASE}-storefleet`;
const SERVICE_ACCOUNT_USER = `system:serviceaccount:${NAMESPACE}:${FULLNAME}-orchestrator`;

let admin: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

async function namespaceGone(name: string): Promise<void> {
  await core.deleteNamespace({ name }).catch(() => {});
  await waitFor(
    () =>
      core.readNamespace({ name }).then(
        () => undefined,
        () => true,
      ),
    `namespace ${name} to go`,
    90_000,
    250,
  );
}

/** helm's "2026-11-22 22:57:10.719682697 +0000 UTC" as epoch milliseconds (NaN if it is not that). */
function updatedAt(text: string): number {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\S* ([+-]\d\d)(\d\d)/.exec(text);
  return match ? Date.parse(`${match[1]}T${match[2]}${match[3]}:${match[4]}`) : Number.NaN;
}

function helmOk(args: string[]): string {
  const result = helm([...args, '--kubeconfig', testCluster().adminKubeconfig]);
  if (result.status !== 0) throw new Error(`helm ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

function upgradeInstall(input: RenderInput): void {
  helmOk([
    'upgrade',
    '--install',
    RELEASE,
    CHART,
    '-n',
    NAMESPACE,
    '--create-namespace',
    '--wait=watcher',
    '--timeout',
    '4m',
    ...valueArgs(input),
  ]);
}

/** Everything of the release still in the cluster, namespaced and cluster-scoped. */
const leftovers = () => releaseObjects(admin, RELEASE, NAMESPACE);

beforeAll(async () => {
  admin = adminConfig(testCluster());
  // Production's http → https is a Traefik Middleware: its CRD, as k3s has it.
  await installTraefikCrds(admin);
  core = admin.makeApiClient(CoreV1Api);
  apps = admin.makeApiClient(AppsV1Api);
  // Runs that died half-way an hour ago or more may have left their release behind.
  const releases = JSON.parse(helmOk(['list', '-A', '-o', 'json'])) as {
    name: string;
    namespace: string;
    updated: string;
  }[];
  for (const stale of releases) {
    if (!stale.name.startsWith('sf-chart-test-')) continue;
    if (!(Date.now() - updatedAt(stale.updated) > 3_600_000)) continue;
    helm([
      'uninstall',
      stale.name,
      '-n',
      stale.namespace,
      '--wait',
      '--kubeconfig',
      testCluster().adminKubeconfig,
    ]);
    await namespaceGone(stale.namespace);
  }
}, 300_000);

afterAll(async () => {
  helm(['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--kubeconfig', testCluster().adminKubeconfig]);
  await namespaceGone(NAMESPACE);
}, 180_000);

describe('server-side dry run', { timeout: 120_000 }, () => {
  let namespace: string;

  beforeAll(async () => {
    namespace = `storefleet-chart-dryrun-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace }).catch(() => {});
  });

  for (const name of Object.keys(SCENARIOS)) {
    it(`the API server admits every object of the ${name} case, with strict field validation`, async () => {
      // The Prometheus Operator's ServiceMonitor needs its CRD, which this cluster does not have:
      // insights.test.ts checks what the chart renders of it.
      const objects = render({ ...SCENARIOS[name], release: 'sf-dryrun', namespace }).filter(
        (object) => object.kind !== 'ServiceMonitor',
      );
      expect(objects.length).toBeGreaterThan(8);
      const refused: string[] = [];
      for (const object of objects) {
        const result = await dryRunCreate(admin, namespace, object);
        if (result.status !== 201)
          refused.push(`${object.kind}/${object.metadata.name}: ${result.status} ${result.body}`);
      }
      expect(refused).toEqual([]);
    });
  }
});

describe('helm install, upgrade and uninstall', { timeout: 300_000 }, () => {
  it('installs with values-local.yaml and waits until everything is ready', async () => {
    upgradeInstall({ files: [VALUES_LOCAL], values: { database: { keepOnUninstall: false } } });
    const deployment = await apps.readNamespacedDeployment({
      name: `${FULLNAME}-orchestrator`,
      namespace: NAMESPACE,
    });
    expect(deployment.status?.availableReplicas).toBe(1);
    expect(deployment.spec?.strategy?.type).toBe('Recreate');
    const claim = await core.readNamespacedPersistentVolumeClaim({
      name: `${FULLNAME}-data`,
      namespace: NAMESPACE,
    });
    expect(claim.status?.phase).toBe('Bound');
    expect(await leftovers()).toEqual(
      [
        `ClusterRole/${FULLNAME}-orchestrator`,
        `ClusterRole/${FULLNAME}-store`,
        `ClusterRoleBinding/${FULLNAME}-orchestrator`,
        `ConfigMap/${FULLNAME}-orchestrator`,
        `Deployment/${FULLNAME}-orchestrator`,
        `Ingress/${FULLNAME}-fallback`,
        `Ingress/${FULLNAME}-orchestrator`,
        `NetworkPolicy/${FULLNAME}-default-deny`,
        `NetworkPolicy/${FULLNAME}-dns`,
        `NetworkPolicy/${FULLNAME}-orchestrator`,
        `PersistentVolumeClaim/${FULLNAME}-data`,
        `PersistentVolumeClaim/${FULLNAME}-store-backups`,
        `Service/${FULLNAME}-orchestrator`,
        `ServiceAccount/${FULLNAME}-orchestrator`,
        `ValidatingAdmissionPolicy/${FULLNAME}-orchestrator-store-namespaces-only`,
        `ValidatingAdmissionPolicyBinding/${FULLNAME}-orchestrator-store-namespaces-only`,
      ].sort(),
    );
  });

  it('gives its ServiceAccount its own store role and nothing of the other release', async () => {
    const may = (attributes: Parameters<typeof allowed>[2]) =>
      allowed(admin, SERVICE_ACCOUNT_USER, attributes);
    expect(await may({ verb: 'create', resource: 'namespaces' })).toBe(true);
    expect(await may({ verb: 'delete', resource: 'namespaces', name: 'store-acme' })).toBe(true);
    expect(
      await may({
        verb: 'bind',
        group: 'rbac.authorization.k8s.io',
        resource: 'clusterroles',
        name: `${FULLNAME}-store`,
      }),
    ).toBe(true);
    expect(
      await may({
        verb: 'bind',
        group: 'rbac.authorization.k8s.io',
        resource: 'clusterroles',
        name: 'storefleet-store',
      }),
    ).toBe(false);
    expect(await may({ verb: 'list', resource: 'persistentvolumes' })).toBe(true);
    // Which engines the cluster can run: nodes and the images they hold, read only.
    expect(await may({ verb: 'list', resource: 'nodes' })).toBe(true);
    expect(await may({ verb: 'patch', resource: 'nodes' })).toBe(false);
    // Store insights: the kubelets' resource metrics and volume stats through the node proxy, read only.
    expect(await may({ verb: 'get', resource: 'nodes', subresource: 'proxy' })).toBe(true);
    expect(await may({ verb: 'create', resource: 'nodes', subresource: 'proxy' })).toBe(false);
    expect(await may({ verb: 'delete', resource: 'persistentvolumes' })).toBe(false);
    // The fleet-wide watch of Ready stores' workloads: read only, and never Secrets.
    expect(await may({ verb: 'watch', resource: 'pods' })).toBe(true);
    expect(await may({ verb: 'list', group: 'apps', resource: 'deployments' })).toBe(true);
    expect(await may({ verb: 'delete', resource: 'pods', namespace: 'default' })).toBe(false);
    expect(await may({ verb: 'list', resource: 'secrets' })).toBe(false);
    expect(await may({ verb: 'get', resource: 'secrets', namespace: 'kube-system' })).toBe(false);
    expect(await may({ verb: 'create', resource: 'pods', namespace: 'default' })).toBe(false);
  });

  it('upgrades to values-prod.yaml: the bundled PostgreSQL, two replicas, backups, TLS', async () => {
    const prod = { files: [VALUES_PROD], values: { database: { keepOnUninstall: false } } };
    upgradeInstall(prod);
    const statefulSet = await apps.readNamespacedStatefulSet({
      name: `${FULLNAME}-postgresql`,
      namespace: NAMESPACE,
    });
    expect(statefulSet.status?.readyReplicas).toBe(1);
    const deployment = await apps.readNamespacedDeployment({
      name: `${FULLNAME}-orchestrator`,
      namespace: NAMESPACE,
    });
    expect(deployment.status?.availableReplicas).toBe(2);
    expect(deployment.spec?.strategy?.type).toBe('RollingUpdate');
    const backups = await core.readNamespacedPersistentVolumeClaim({
      name: `${FULLNAME}-backups`,
      namespace: NAMESPACE,
    });
    expect(backups.status?.phase).toBe('Bound');
    // The embedded database's volume went with the mode that needed it: deleted by the upgrade, it
    // stays Terminating until the last pod using it is gone (helm does not wait for that).
    const dataClaim = () =>
      core.readNamespacedPersistentVolumeClaim({ name: `${FULLNAME}-data`, namespace: NAMESPACE }).then(
        (claim) => claim,
        (error: unknown) => {
          if (error instanceof ApiException && error.code === 404) return undefined;
          throw error;
        },
      );
    const claim = await dataClaim();
    expect(claim === undefined || claim.metadata?.deletionTimestamp !== undefined, 'claim deleted').toBe(
      true,
    );
    await waitFor(
      async () => (await dataClaim()) === undefined,
      `the ${FULLNAME}-data claim to go`,
      90_000,
      250,
    );
    const names = await leftovers();
    expect(names).toContain(`CronJob/${FULLNAME}-backup`);
    expect(names).toContain(`PodDisruptionBudget/${FULLNAME}-orchestrator`);
    expect(names).toContain(`Service/${FULLNAME}-postgresql-hl`);
    for (const policy of ['default-deny', 'dns', 'orchestrator', 'postgresql', 'backup', 'acme-solver']) {
      expect(names).toContain(`NetworkPolicy/${FULLNAME}-${policy}`);
    }
    expect(names).not.toContain(`PersistentVolumeClaim/${FULLNAME}-data`);
    // The stores' backups keep their volume through the change of database, shared by both replicas.
    const storeBackups = await core.readNamespacedPersistentVolumeClaim({
      name: `${FULLNAME}-store-backups`,
      namespace: NAMESPACE,
    });
    expect(storeBackups.status?.phase).toBe('Bound');

    // The password is generated once: another upgrade finds it (lookup) and keeps it.
    const password = async () =>
      (await core.readNamespacedSecret({ name: `${FULLNAME}-postgresql`, namespace: NAMESPACE })).data
        ?.password;
    const first = await password();
    expect(first).toBeTruthy();
    upgradeInstall(prod);
    expect(await password()).toBe(first);
    const history = JSON.parse(helmOk(['history', RELEASE, '-n', NAMESPACE, '-o', 'json'])) as {
      status: string;
    }[];
    expect(history.map((revision) => revision.status)).toEqual(['superseded', 'superseded', 'deployed']);
  });

  it('selects the running pods with the network policies, and schedules the backups with a deadline', async () => {
    const networking = admin.makeApiClient(NetworkingV1Api);
    const podsMatching = async (labels: Record<string, string> | undefined) => {
      if (!labels || Object.keys(labels).length === 0) throw new Error('an empty selector matches every pod');
      const labelSelector = Object.entries(labels ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector });
      return pods.items
        .filter((pod) => pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp)
        .map((pod) => pod.metadata?.name);
    };
    const policy = (suffix: string) =>
      networking.readNamespacedNetworkPolicy({ name: `${FULLNAME}-${suffix}`, namespace: NAMESPACE });
    const orchestrator = await policy('orchestrator');
    expect(await podsMatching(orchestrator.spec?.podSelector?.matchLabels)).toHaveLength(2);
    const postgresql = await policy('postgresql');
    expect(await podsMatching(postgresql.spec?.podSelector?.matchLabels)).toEqual([
      `${FULLNAME}-postgresql-0`,
    ]);
    // The orchestrator's pods are the first peer allowed into PostgreSQL; the backup Job the second.
    const peers = postgresql.spec?.ingress?.[0]?._from ?? [];
    expect(await podsMatching(peers[0]?.podSelector?.matchLabels)).toHaveLength(2);
    expect(peers[1]?.podSelector?.matchLabels?.['app.kubernetes.io/component']).toBe('backup');
    // Egress of the orchestrator reaches PostgreSQL's pod by the same labels.
    const toDatabase = orchestrator.spec?.egress?.find((rule) => rule.ports?.some((p) => p.port === 5432));
    expect(await podsMatching(toDatabase?.to?.[0]?.podSelector?.matchLabels)).toEqual([
      `${FULLNAME}-postgresql-0`,
    ]);
    const cronJob = await admin
      .makeApiClient(BatchV1Api)
      .readNamespacedCronJob({ name: `${FULLNAME}-backup`, namespace: NAMESPACE });
    expect(cronJob.spec?.schedule).toBe('30 3 * * *');
    expect(cronJob.spec?.startingDeadlineSeconds).toBe(3600);
    const backupPod = cronJob.spec?.jobTemplate.spec?.template.metadata?.labels;
    const backupPolicy = await policy('backup');
    expect(backupPolicy.spec?.podSelector?.matchLabels).toEqual(backupPod);
  });

  it('rolls back to the first revision with helm rollback', async () => {
    helmOk(['rollback', RELEASE, '1', '-n', NAMESPACE, '--wait=watcher', '--timeout', '4m']);
    const deployment = await apps.readNamespacedDeployment({
      name: `${FULLNAME}-orchestrator`,
      namespace: NAMESPACE,
    });
    expect(deployment.spec?.replicas).toBe(1);
    const config = await core.readNamespacedConfigMap({
      name: `${FULLNAME}-orchestrator`,
      namespace: NAMESPACE,
    });
    expect(config.data?.ENVIRONMENT).toBe('local');
  });

  it('uninstalls without leaving anything behind', async () => {
    helmOk(['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '4m']);
    // Volumes of the StatefulSet go with it (keepOnUninstall=false); the garbage collector takes a moment.
    await waitFor(
      async () => ((await leftovers()).length === 0 ? true : undefined),
      'the release to be gone',
      90_000,
      250,
    );
    const claims = await core.listNamespacedPersistentVolumeClaim({ namespace: NAMESPACE });
    expect(claims.items.map((claim) => claim.metadata?.name)).toEqual([]);
    const secrets = await core.listNamespacedSecret({ namespace: NAMESPACE });
    expect(secrets.items.map((secret) => secret.metadata?.name)).toEqual([]);
  });
});
