// The chart on a real Kubernetes API server (the local control plane; pods are simulated, so this shows
// that the objects are valid and wired together, not that WordPress serves pages).
import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  PolicyV1Api,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateStoreSecrets,
  STORE_SECRET_NAME,
} from '../../../apps/orchestrator/src/cluster/store-secrets.ts';
import { waitFor } from '../../../apps/orchestrator/test/support/harness.ts';
import {
  adminConfig,
  helmAsAdmin,
  type TestCluster,
  testCluster,
} from '../../../apps/orchestrator/test/support/kube.ts';
import { installTraefikCrds } from '../../test-support/traefik.ts';
import {
  CHART,
  OPTIONS_CASE,
  orchestratorValues,
  type RenderInput,
  render,
  SCENARIOS,
  VALUES_LOCAL,
  valuesFile,
} from './support/chart.ts';
import { dryRunCreate } from './support/kube-api.ts';

let cluster: TestCluster;
let admin: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let batch: BatchV1Api;
const namespaces: string[] = [];

async function newNamespace(purpose: string): Promise<string> {
  const name = `chart-test-${purpose}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name } } });
  namespaces.push(name);
  return name;
}

function helmInstall(release: string, namespace: string, args: string[]): void {
  helmAsAdmin(cluster, [
    'upgrade',
    '--install',
    release,
    CHART,
    '-n',
    namespace,
    '--wait=watcher',
    '--wait-for-jobs',
    '--rollback-on-failure',
    '--timeout',
    '3m',
    ...args,
  ]);
}

function releaseStatus(release: string, namespace: string): string {
  return JSON.parse(helmAsAdmin(cluster, ['status', release, '-n', namespace, '-o', 'json'])).info.status;
}

async function setupJobs(namespace: string) {
  const jobs = await batch.listNamespacedJob({
    namespace,
    labelSelector: 'app.kubernetes.io/component=setup',
  });
  return jobs.items.map((job) => ({
    name: job.metadata?.name,
    uid: job.metadata?.uid,
    complete: job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false,
  }));
}

/** Names of every object of the chart's kinds (and pods) labelled with the release. */
async function releaseObjects(namespace: string, release: string): Promise<string[]> {
  const labelSelector = `app.kubernetes.io/instance=${release}`;
  const query = { namespace, labelSelector };
  const networking = admin.makeApiClient(NetworkingV1Api);
  const policy = admin.makeApiClient(PolicyV1Api);
  const lists = await Promise.all([
    apps.listNamespacedDeployment(query).then((l) => l.items.map((o) => `Deployment/${o.metadata?.name}`)),
    apps.listNamespacedStatefulSet(query).then((l) => l.items.map((o) => `StatefulSet/${o.metadata?.name}`)),
    batch.listNamespacedJob(query).then((l) => l.items.map((o) => `Job/${o.metadata?.name}`)),
    batch.listNamespacedCronJob(query).then((l) => l.items.map((o) => `CronJob/${o.metadata?.name}`)),
    core.listNamespacedPod(query).then((l) => l.items.map((o) => `Pod/${o.metadata?.name}`)),
    core.listNamespacedService(query).then((l) => l.items.map((o) => `Service/${o.metadata?.name}`)),
    core.listNamespacedConfigMap(query).then((l) => l.items.map((o) => `ConfigMap/${o.metadata?.name}`)),
    core.listNamespacedSecret(query).then((l) => l.items.map((o) => `Secret/${o.metadata?.name}`)),
    core
      .listNamespacedPersistentVolumeClaim(query)
      .then((l) => l.items.map((o) => `PersistentVolumeClaim/${o.metadata?.name}`)),
    core
      .listNamespacedResourceQuota(query)
      .then((l) => l.items.map((o) => `ResourceQuota/${o.metadata?.name}`)),
    core.listNamespacedLimitRange(query).then((l) => l.items.map((o) => `LimitRange/${o.metadata?.name}`)),
    networking.listNamespacedIngress(query).then((l) => l.items.map((o) => `Ingress/${o.metadata?.name}`)),
    networking
      .listNamespacedNetworkPolicy(query)
      .then((l) => l.items.map((o) => `NetworkPolicy/${o.metadata?.name}`)),
    policy
      .listNamespacedPodDisruptionBudget(query)
      .then((l) => l.items.map((o) => `PodDisruptionBudget/${o.metadata?.name}`)),
  ]);
  return lists.flat().sort();
}

async function uninstallLeavesNothing(release: string, namespace: string): Promise<void> {
  helmAsAdmin(cluster, ['uninstall', release, '-n', namespace, '--wait', '--timeout', '2m']);
  await waitFor(
    async () => ((await releaseObjects(namespace, release)).length === 0 ? true : undefined),
    'every object of the release to be gone',
    60_000,
    250,
  );
  const claims = await core.listNamespacedPersistentVolumeClaim({ namespace });
  expect(claims.items).toEqual([]);
}

beforeAll(() => {
  cluster = testCluster();
  admin = adminConfig(cluster);
  core = admin.makeApiClient(CoreV1Api);
  apps = admin.makeApiClient(AppsV1Api);
  batch = admin.makeApiClient(BatchV1Api);
});

afterAll(async () => {
  for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => {});
});

describe('the store chart on a real API server', { timeout: 240_000 }, () => {
  it('has every rendered object accepted by a server-side dry run with strict field validation', async () => {
    // Production renders hold a Traefik Middleware (http → https), judged by Traefik's CRD schema.
    await installTraefikCrds(admin);
    const namespace = await newNamespace('dryrun');
    const cases: Record<string, RenderInput> = { ...SCENARIOS, options: OPTIONS_CASE };
    const refused: string[] = [];
    for (const [name, input] of Object.entries(cases)) {
      for (const object of render({ ...input, namespace })) {
        const result = await dryRunCreate(admin, namespace, object);
        if (result.status !== 201 && result.status !== 200) {
          refused.push(`${name}: ${object.kind}/${object.metadata.name}: ${result.status} ${result.body}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  it('installs as the orchestrator does: deployed with the setup Job complete; upgrades; uninstalls to nothing', async () => {
    const namespace = await newNamespace('install');
    const release = 'store-chart-test';
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: STORE_SECRET_NAME },
        stringData: generateStoreSecrets('woocommerce', 'chart-test'),
      },
    });
    const values = orchestratorValues('chart-test');
    helmInstall(release, namespace, ['-f', VALUES_LOCAL, '-f', valuesFile(values)]);

    expect(releaseStatus(release, namespace)).toBe('deployed');
    const [setup] = await setupJobs(namespace);
    expect(setup?.complete).toBe(true);
    const deployment = await apps.readNamespacedDeployment({ name: `${release}-app`, namespace });
    expect(deployment.status?.readyReplicas).toBe(1);
    const database = await apps.readNamespacedStatefulSet({ name: `${release}-db`, namespace });
    expect(database.status?.readyReplicas).toBe(1);
    const objects = await releaseObjects(namespace, release);
    const kinds = [...new Set(objects.map((o) => o.split('/')[0]))].sort();
    expect(kinds).toEqual([
      'ConfigMap',
      'CronJob',
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

    // More replicas: the completed setup Job is left as it is.
    helmInstall(release, namespace, [
      '-f',
      VALUES_LOCAL,
      '-f',
      valuesFile({ ...values, app: { replicas: 2 } }),
    ]);
    expect(await setupJobs(namespace)).toEqual([setup]);
    expect((await apps.readNamespacedDeployment({ name: `${release}-app`, namespace })).spec?.replicas).toBe(
      2,
    );

    // A changed setup runs as a new Job, and the old one goes.
    const changed = { ...values, woocommerce: { sampleProducts: false } };
    helmInstall(release, namespace, ['-f', VALUES_LOCAL, '-f', valuesFile(changed)]);
    const jobs = await waitFor(
      async () => {
        const current = await setupJobs(namespace);
        return current.length === 1 ? current : undefined;
      },
      'the old setup Job to be deleted',
      60_000,
      250,
    );
    expect(jobs[0]?.name).not.toBe(setup?.name);
    expect(jobs[0]?.complete).toBe(true);
    expect(releaseStatus(release, namespace)).toBe('deployed');

    // Nothing changed but setup.rerun: the setup runs again as a new Job, to completion.
    helmInstall(release, namespace, [
      '-f',
      VALUES_LOCAL,
      '-f',
      valuesFile({ ...changed, setup: { rerun: '1' } }),
    ]);
    const rerun = await waitFor(
      async () => {
        const current = await setupJobs(namespace);
        return current.length === 1 && current[0]?.name !== jobs[0]?.name ? current : undefined;
      },
      'the re-run setup Job to replace the previous one',
      60_000,
      250,
    );
    expect(rerun[0]?.complete).toBe(true);
    // The same value again leaves that Job alone.
    helmInstall(release, namespace, [
      '-f',
      VALUES_LOCAL,
      '-f',
      valuesFile({ ...changed, setup: { rerun: '1' } }),
    ]);
    expect(await setupJobs(namespace)).toEqual(rerun);

    // WP-Cron on the cluster: scheduled every 5 minutes, one run at a time, a starting deadline.
    const cron = await batch.readNamespacedCronJob({ name: `${release}-cron`, namespace });
    expect(cron.spec?.schedule).toBe('*/5 * * * *');
    expect(cron.spec?.concurrencyPolicy).toBe('Forbid');
    expect(cron.spec?.startingDeadlineSeconds).toBe(240);
    expect(cron.spec?.suspend).toBe(false);
    expect(cron.spec?.jobTemplate.spec?.template.spec?.containers[0]?.command?.join(' ')).toContain(
      'wp cron event run --due-now',
    );

    await uninstallLeavesNothing(release, namespace);
  });

  it('installs standalone with generated credentials that an upgrade keeps', async () => {
    const namespace = await newNamespace('standalone');
    const args = ['--set', 'secret.create=true', '--set', 'ingress.host=demo.localhost'];
    helmInstall('demo', namespace, args);
    expect(releaseStatus('demo', namespace)).toBe('deployed');
    const before = (await core.readNamespacedSecret({ name: 'store-credentials', namespace })).data;
    expect(Object.keys(before ?? {})).toHaveLength(13);

    helmInstall('demo', namespace, args);
    const after = (await core.readNamespacedSecret({ name: 'store-credentials', namespace })).data;
    expect(after).toEqual(before);
    expect(await setupJobs(namespace)).toHaveLength(1);

    await uninstallLeavesNothing('demo', namespace);
    const secrets = await core.listNamespacedSecret({
      namespace,
      fieldSelector: 'metadata.name=store-credentials',
    });
    expect(secrets.items).toEqual([]);
  });
});
