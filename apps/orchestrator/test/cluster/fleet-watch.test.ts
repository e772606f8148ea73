// The fleet-wide workload watch on the test cluster's API server: one label-selected informer per
// kind serves every subscribed namespace, each subscriber sees only its own namespace, and the
// informers stop with the last subscriber.
import { randomBytes } from 'node:crypto';
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkloadProgress } from '../../src/cluster/port.ts';
import { STORE_WORKLOAD_SELECTOR } from '../../src/cluster/store-labels.ts';
import { FleetWorkloadWatch } from '../../src/cluster/workload-watch.ts';
import { silentLogger, waitFor } from '../support/harness.ts';
import { adminConfig, testCluster } from '../support/kube.ts';

const config = adminConfig(testCluster());
const core = config.makeApiClient(CoreV1Api);
const apps = config.makeApiClient(AppsV1Api);
const batch = config.makeApiClient(BatchV1Api);
const namespaces = ['a', 'b'].map((n) => `fleet-watch-${n}-${randomBytes(3).toString('hex')}`);

afterAll(async () => {
  for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => {});
});

const labels = (instance: string) => ({
  'app.kubernetes.io/instance': instance,
  'app.kubernetes.io/component': 'app',
});

const appReady = (progress: WorkloadProgress[] | undefined) =>
  progress?.find((p) => p.type === 'AppReady')?.status;

describe('the fleet-wide workload watch', () => {
  it('serves each namespace its own state from one watch per kind, and stops with the last subscriber', async () => {
    const watch = new FleetWorkloadWatch(
      config,
      silentLogger,
      {
        statefulSets: () => apps.listStatefulSetForAllNamespaces({ labelSelector: STORE_WORKLOAD_SELECTOR }),
        deployments: () => apps.listDeploymentForAllNamespaces({ labelSelector: STORE_WORKLOAD_SELECTOR }),
        jobs: () => batch.listJobForAllNamespaces({ labelSelector: STORE_WORKLOAD_SELECTOR }),
        pods: () => core.listPodForAllNamespaces({ labelSelector: STORE_WORKLOAD_SELECTOR }),
      },
      STORE_WORKLOAD_SELECTOR,
    );
    for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });
    const [first, second] = namespaces as [string, string];
    const seen = new Map<string, WorkloadProgress[][]>(namespaces.map((n) => [n, []]));
    const stops = namespaces.map((namespace) =>
      watch.subscribe(
        namespace,
        ['app'],
        async (state) => {
          seen.get(namespace)?.push(state.progress);
        },
        (error) => {
          throw error;
        },
      ),
    );
    expect(watch.namespaces().sort()).toEqual([...namespaces].sort());
    await waitFor(async () => namespaces.every((n) => (seen.get(n)?.length ?? 0) > 0), 'the first states');
    // Nothing exists yet in either namespace: no app.
    expect(appReady(seen.get(first)?.at(-1))).toBe('Unknown');

    const before = seen.get(second)?.length ?? 0;
    await apps.createNamespacedDeployment({
      namespace: first,
      body: {
        metadata: { name: 'app', labels: labels('shop') },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels('shop') },
          template: {
            metadata: { labels: labels('shop') },
            spec: { containers: [{ name: 'app', image: 'storefleet.local/busybox:1.35' }] },
          },
        },
      },
    });
    await waitFor(
      async () => appReady(seen.get(first)?.at(-1)) === 'True',
      'the app of the first store to be ready',
    );
    // The other namespace's subscriber heard nothing of it.
    expect(seen.get(second)?.length).toBe(before);
    expect(seen.get(second)?.every((progress) => appReady(progress) === 'Unknown')).toBe(true);

    await stops[0]?.();
    expect(watch.namespaces()).toEqual([second]);
    await stops[1]?.();
    expect(watch.namespaces()).toEqual([]);
  });
});
