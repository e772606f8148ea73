// Real pods on the test cluster's real node: Service DNS and ClusterIP between pods, the ingress from
// the host, PostgreSQL keeping its data on a volume, probes, Jobs, the memory limit, quota and
// limits, and a deleted namespace leaving nothing behind on the host.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  NetworkingV1Api,
  type V1Container,
  type V1Pod,
  type V1PodSpec,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realNodeBlocker } from '../../../../tools/testcluster/src/node/mode.ts';
import { NODE_LABEL } from '../../../../tools/testcluster/src/node/node-layout.ts';
import { podProblem } from '../../src/cluster/workload-state.ts';
import { adminConfig, testCluster } from '../support/kube.ts';
import { podCgroups } from '../support/pod-cgroups.ts';
import { until } from '../support/until.ts';

const cluster = testCluster();
const state = JSON.parse(readFileSync(join(dirname(cluster.adminKubeconfig), 'cluster.json'), 'utf8')) as {
  node?: { kind: 'real'; ingressPort: number; ingressClass: string } | { kind: 'simulated'; reason: string };
};
const node = state.node;
const config = adminConfig(cluster);
const core = config.makeApiClient(CoreV1Api);
const apps = config.makeApiClient(AppsV1Api);
const batch = config.makeApiClient(BatchV1Api);
const networking = config.makeApiClient(NetworkingV1Api);

const BUSYBOX = 'storefleet.local/busybox:1.35';
const POSTGRES = 'storefleet.local/postgres:15';

/** Everything that must run on the real node asks for it (its taint keeps the rest off). */
function onRealNode(spec: V1PodSpec): V1PodSpec {
  return {
    nodeSelector: { [NODE_LABEL.key]: NODE_LABEL.value },
    tolerations: [{ key: NODE_LABEL.key, operator: 'Equal', value: NODE_LABEL.value, effect: 'NoSchedule' }],
    terminationGracePeriodSeconds: 1,
    ...spec,
    containers: spec.containers.map((c) => ({ imagePullPolicy: 'Never', ...c })),
  };
}

/** One replica of these containers on the real node, selected by its labels. */
function oneReplica(labels: Record<string, string>, containers: V1Container[]) {
  return {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: onRealNode({ containers }) },
  };
}

function container(
  name: string,
  image: string,
  script: string,
  extra: Partial<V1Container> = {},
): V1Container {
  return { name, image, command: ['sh', '-c', script], ...extra };
}

async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name } } });
  await until('the default ServiceAccount', 30_000, async () =>
    (await core.readNamespacedServiceAccount({ name: 'default', namespace: name })) ? true : undefined,
  );
  return name;
}

async function runJob(
  namespace: string,
  name: string,
  spec: V1PodSpec,
  timeoutMs = 90_000,
): Promise<'Complete' | 'Failed'> {
  await batch.createNamespacedJob({
    namespace,
    body: {
      metadata: { name },
      spec: { backoffLimit: 0, template: { spec: onRealNode({ restartPolicy: 'Never', ...spec }) } },
    },
  });
  return until(`job ${name}`, timeoutMs, async () => {
    const job = await batch.readNamespacedJob({ name, namespace });
    const done = job.status?.conditions?.find(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    return done?.type as 'Complete' | 'Failed' | undefined;
  });
}

async function podOf(namespace: string, selector: string): Promise<V1Pod | undefined> {
  return (await core.listNamespacedPod({ namespace, labelSelector: selector })).items[0];
}

const isReady = (pod: V1Pod | undefined) =>
  pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function httpGet(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end();
  });
}

const namespaces: string[] = [];
afterAll(async () => {
  for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => {});
});

describe('the test cluster', () => {
  it('has a real node wherever the host can run one', () => {
    const expected = process.env.STOREFLEET_NODE === 'simulated' || realNodeBlocker() ? 'simulated' : 'real';
    expect(node?.kind).toBe(expected);
  });
});

describe.runIf(node?.kind === 'real')('real pods on the real node', { timeout: 240_000 }, () => {
  const ingressPort = node?.kind === 'real' ? node.ingressPort : 0;
  let web: string;
  let db: string;

  beforeAll(async () => {
    web = await createNamespace('real-web');
    namespaces.push(web);
  });

  it('serves a Deployment over Service DNS and ClusterIP to a Job, and through the ingress to the host', async () => {
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace: web,
      body: {
        metadata: { name: 'web' },
        spec: oneReplica(labels, [
          container(
            'httpd',
            BUSYBOX,
            'mkdir -p /www && echo "hello from web" > /www/index.html && exec httpd -f -p 8080 -h /www',
            { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } },
          ),
        ]),
      },
    });
    await core.createNamespacedService({
      namespace: web,
      body: {
        metadata: { name: 'web' },
        spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    await networking.createNamespacedIngress({
      namespace: web,
      body: {
        metadata: { name: 'web' },
        spec: {
          ingressClassName: 'traefik',
          rules: [
            {
              host: `${web}.localhost`,
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
    await until('the web pod to be Ready', 90_000, async () =>
      isReady(await podOf(web, 'app=web')) ? true : undefined,
    );

    const fetched = await runJob(web, 'fetch', {
      containers: [
        container(
          'fetch',
          BUSYBOX,
          `wget -qO- http://web.${web}.svc.cluster.local/ | grep -q 'hello from web'`,
        ),
      ],
    });
    expect(fetched).toBe('Complete');
    const missing = await runJob(web, 'fetch-missing', {
      containers: [container('fetch', BUSYBOX, `wget -qO- -T 3 http://nothing.${web}.svc.cluster.local/`)],
    });
    expect(missing).toBe('Failed');

    const page = await until('the ingress to route to the pod', 60_000, async () => {
      const response = await httpGet(ingressPort, `${web}.localhost`);
      return response.status === 200 ? response : undefined;
    });
    expect(page.body).toBe('hello from web\n');
    expect((await httpGet(ingressPort, 'nobody.localhost')).status).toBe(404);
  });

  it('keeps PostgreSQL data on its volume across a pod deletion, and refuses a wrong password', async () => {
    const namespace = await createNamespace('real-db');
    namespaces.push(namespace);
    db = namespace;
    const password = randomBytes(12).toString('hex');
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'db' }, stringData: { password } },
    });
    const labels = { app: 'db' };
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'db' },
        spec: { clusterIP: 'None', selector: labels, ports: [{ port: 5432 }] },
      },
    });
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'db' },
        spec: {
          serviceName: 'db',
          ...oneReplica(labels, [
            {
              name: 'postgres',
              image: POSTGRES,
              env: [
                { name: 'POSTGRES_DB', value: 'shop' },
                {
                  name: 'POSTGRES_PASSWORD',
                  valueFrom: { secretKeyRef: { name: 'db', key: 'password' } },
                },
              ],
              ports: [{ containerPort: 5432 }],
              readinessProbe: { exec: { command: ['pg_isready', '-h', '127.0.0.1'] }, periodSeconds: 1 },
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
            },
          ]),
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      },
    });
    const waitReady = () =>
      until('the database pod to be Ready', 120_000, async () => {
        const pod = await podOf(namespace, 'app=db');
        return isReady(pod) && !pod?.metadata?.deletionTimestamp ? pod : undefined;
      });
    const first = await waitReady();
    const url = (secret: string) =>
      `postgresql://postgres:${secret}@db-0.db.${namespace}.svc.cluster.local/shop`;
    const psql = (name: string, secret: string, sql: string) =>
      runJob(namespace, name, {
        containers: [
          {
            name: 'psql',
            image: POSTGRES,
            command: ['psql', url(secret), '-v', 'ON_ERROR_STOP=1', '-tAc', sql],
          },
        ],
      });
    expect(
      await psql('write', password, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives')"),
    ).toBe('Complete');

    await core.deleteNamespacedPod({ name: 'db-0', namespace });
    const second = await until('a new database pod', 120_000, async () => {
      const pod = await podOf(namespace, 'app=db');
      return pod && pod.metadata?.uid !== first.metadata?.uid && isReady(pod) ? pod : undefined;
    });
    expect(second.metadata?.uid).not.toBe(first.metadata?.uid);
    const check = await runJob(namespace, 'read', {
      containers: [
        container(
          'psql',
          POSTGRES,
          // The new pod has a new address; CoreDNS may answer the old one for up to its 30 s cache:
          // wait until the name leads to a server, then read.
          `for i in $(seq 60); do pg_isready -q -h db-0.db.${namespace}.svc.cluster.local && break; sleep 1; done; ` +
            `psql '${url(password)}' -tAc 'SELECT note FROM kept' | grep -qx survives`,
        ),
      ],
    });
    expect(check).toBe('Complete');
    expect(await psql('wrong-password', 'not-the-password', 'SELECT 1')).toBe('Failed');
  });

  it('acts on readiness and liveness probes', async () => {
    await core.createNamespacedPod({
      namespace: web,
      body: {
        metadata: { name: 'probed', labels: { probe: 'readiness' } },
        spec: onRealNode({
          containers: [
            container('main', BUSYBOX, 'sleep 4; touch /ready; exec sleep 3600', {
              readinessProbe: { exec: { command: ['test', '-f', '/ready'] }, periodSeconds: 1 },
            }),
          ],
        }),
      },
    });
    await core.createNamespacedPod({
      namespace: web,
      body: {
        metadata: { name: 'unhealthy' },
        spec: onRealNode({
          containers: [
            container('main', BUSYBOX, 'exec sleep 3600', {
              livenessProbe: {
                exec: { command: ['test', '-f', '/alive'] },
                initialDelaySeconds: 1,
                periodSeconds: 1,
                failureThreshold: 1,
              },
            }),
          ],
        }),
      },
    });
    const running = await until('the probed pod to run', 60_000, async () => {
      const pod = await core.readNamespacedPod({ name: 'probed', namespace: web });
      return pod.status?.phase === 'Running' ? pod : undefined;
    });
    // Running but not yet ready: the file appears only after four seconds.
    expect(running.status?.containerStatuses?.[0]?.ready).toBe(false);
    await until('readiness', 60_000, async () =>
      isReady(await core.readNamespacedPod({ name: 'probed', namespace: web })) ? true : undefined,
    );
    const restarted = await until('the liveness probe to restart the container', 90_000, async () => {
      const pod = await core.readNamespacedPod({ name: 'unhealthy', namespace: web });
      const restarts = pod.status?.containerStatuses?.[0]?.restartCount ?? 0;
      return restarts >= 1 ? restarts : undefined;
    });
    expect(restarted).toBeGreaterThanOrEqual(1);
    const events = await core.listNamespacedEvent({
      namespace: web,
      fieldSelector: 'involvedObject.name=unhealthy',
    });
    expect(
      events.items.some((e) => e.reason === 'Unhealthy' && /Liveness probe failed/.test(e.message ?? '')),
    ).toBe(true);
  });

  it('kills a container over its memory limit, and the store condition names the limit', async () => {
    await core.createNamespacedPod({
      namespace: web,
      body: {
        metadata: { name: 'hungry', labels: { 'app.kubernetes.io/component': 'app' } },
        spec: onRealNode({
          restartPolicy: 'Never',
          containers: [
            container('main', BUSYBOX, 'dd if=/dev/zero of=/dev/null bs=64M count=1', {
              resources: {
                limits: { memory: '32Mi', cpu: '200m' },
                requests: { memory: '32Mi', cpu: '10m' },
              },
            }),
          ],
        }),
      },
    });
    const pod = await until('the container to be killed', 60_000, async () => {
      const current = await core.readNamespacedPod({ name: 'hungry', namespace: web });
      return current.status?.containerStatuses?.[0]?.state?.terminated ? current : undefined;
    });
    const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
    expect(terminated?.reason).toBe('OOMKilled');
    expect(terminated?.exitCode).toBe(137);
    const problem = podProblem([pod], 'app');
    expect(problem?.reason).toBe('OOMKilled');
    expect(problem?.message).toContain('exceeding its memory limit of 32Mi');
  });

  it('refuses what the ResourceQuota and LimitRange forbid', async () => {
    const namespace = await createNamespace('real-quota');
    namespaces.push(namespace);
    await core.createNamespacedLimitRange({
      namespace,
      body: {
        metadata: { name: 'limits' },
        spec: {
          limits: [
            {
              type: 'Container',
              max: { memory: '64Mi' },
              _default: { memory: '32Mi', cpu: '100m' },
              defaultRequest: { memory: '16Mi', cpu: '10m' },
            },
          ],
        },
      },
    });
    await core.createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: 'quota' }, spec: { hard: { pods: '1', 'limits.memory': '64Mi' } } },
    });
    const sleeper = (name: string, memory?: string) => ({
      namespace,
      body: {
        metadata: { name },
        spec: onRealNode({
          containers: [
            container(
              'main',
              BUSYBOX,
              'exec sleep 3600',
              memory ? { resources: { limits: { memory } } } : {},
            ),
          ],
        }),
      },
    });
    const refusal = (call: Promise<unknown>) =>
      call.then(
        () => 'admitted',
        (error: { code?: number; body?: unknown }) => `${error.code} ${JSON.stringify(error.body)}`,
      );
    expect(await refusal(core.createNamespacedPod(sleeper('too-big', '128Mi')))).toMatch(
      /^403 .*maximum memory usage/,
    );
    // Admitted with the LimitRange's default limit, and it really runs.
    await core.createNamespacedPod(sleeper('first'));
    const first = await until('the first pod to run', 60_000, async () => {
      const pod = await core.readNamespacedPod({ name: 'first', namespace });
      return pod.status?.phase === 'Running' ? pod : undefined;
    });
    expect(first.spec?.containers[0]?.resources?.limits?.memory).toBe('32Mi');
    expect(await refusal(core.createNamespacedPod(sleeper('second')))).toMatch(/^403 .*exceeded quota/);
  });

  it('leaves no pod, volume, iptables rule or cgroup behind when a namespace is deleted', async () => {
    const volumes = (await core.listPersistentVolume()).items.filter(
      (pv) => pv.spec?.claimRef?.namespace === db,
    );
    const volumeDirs = volumes.map((pv) => pv.spec?.hostPath?.path ?? '');
    expect(volumeDirs.length).toBe(1);
    expect(volumeDirs.every((dir) => existsSync(dir))).toBe(true);
    const pods = [
      ...(await core.listNamespacedPod({ namespace: web })).items,
      ...(await core.listNamespacedPod({ namespace: db })).items,
    ];
    const uids = pods.map((pod) => pod.metadata?.uid ?? '');
    expect(uids.length).toBeGreaterThan(0);
    const cgroupsOf = () => podCgroups().filter((dir) => uids.some((uid) => dir.includes(uid)));
    expect(cgroupsOf().length).toBeGreaterThan(0);
    expect(iptablesSave()).toContain(`${web}/web`);

    for (const name of [web, db]) await core.deleteNamespace({ name });
    for (const name of [web, db]) {
      await until(`namespace ${name} to be gone`, 120_000, async () =>
        core.readNamespace({ name }).then(
          () => undefined,
          (error: { code?: number }) => (error.code === 404 ? true : undefined),
        ),
      );
    }
    await until('the volume to be reclaimed', 60_000, async () => {
      const left = (await core.listPersistentVolume()).items.filter((pv) =>
        volumes.some((v) => v.metadata?.name === pv.metadata?.name),
      );
      return left.length === 0 && volumeDirs.every((dir) => !existsSync(dir)) ? true : undefined;
    });
    await until('the pods\u2019 cgroups to be removed', 60_000, async () =>
      cgroupsOf().length === 0 ? true : undefined,
    );
    await until('kube-proxy to drop the Service\u2019s rules', 30_000, async () =>
      iptablesSave().includes(`${web}/web`) ? undefined : true,
    );
    const leftoverPods = (await core.listPodForAllNamespaces()).items.filter((pod) =>
      uids.includes(pod.metadata?.uid ?? ''),
    );
    expect(leftoverPods).toEqual([]);
  });
});

function iptablesSave(): string {
  return execFileSync('iptables-save', { encoding: 'utf8' });
}
