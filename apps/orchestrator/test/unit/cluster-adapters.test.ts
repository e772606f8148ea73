import type { V1Deployment, V1Job, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/cluster/helm-cli.ts';
import { workloadState } from '../../src/cluster/kubernetes-cluster.ts';
import { generateStoreSecrets } from '../../src/cluster/store-secrets.ts';

const labelled = (component: string, name: string) => ({
  name,
  labels: { 'app.kubernetes.io/component': component },
});

const db = (ready: number): V1StatefulSet => ({
  metadata: labelled('database', 'db'),
  spec: { replicas: 1 } as never,
  status: { readyReplicas: ready, replicas: 1 },
});
const app = (ready: number, generation = 1, observed = 1): V1Deployment => ({
  metadata: { ...labelled('app', 'app'), generation },
  spec: { replicas: 2 } as never,
  status: { readyReplicas: ready, observedGeneration: observed },
});
const job = (condition?: { type: string; status: string; message?: string }): V1Job => ({
  metadata: labelled('setup', 'setup'),
  status: condition ? { conditions: [condition as never] } : {},
});

describe('workload conditions from the store namespace', () => {
  it('reports each workload condition from its objects', () => {
    const state = workloadState([db(0)], [app(1)], [job()]);
    expect(state.progress.map((p) => [p.type, p.status, p.reason])).toEqual([
      ['DatabaseReady', 'False', 'Starting'],
      ['AppReady', 'False', 'Starting'],
      ['StoreConfigured', 'False', 'SetupRunning'],
    ]);
    expect(state.progress[1]?.message).toBe('App app: 1/2 ready.');
    expect(state.failure).toBeUndefined();
  });

  it('is all True once the database, the app and the setup job are done', () => {
    const state = workloadState([db(1)], [app(2)], [job({ type: 'Complete', status: 'True' })]);
    expect(state.progress.every((p) => p.status === 'True')).toBe(true);
  });

  it('does not trust a Deployment status older than its spec', () => {
    expect(workloadState([db(1)], [app(2, 3, 2)], []).progress[1]?.status).toBe('False');
  });

  it('says Unknown for workloads that do not exist yet', () => {
    expect(workloadState([], [], []).progress.map((p) => p.reason)).toEqual([
      'NotCreated',
      'NotCreated',
      'NotCreated',
    ]);
  });

  it('turns a failed setup job into a retryable failure naming the job and the cause', () => {
    const state = workloadState(
      [db(1)],
      [app(2)],
      [job({ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' })],
    );
    expect(state.failure).toMatchObject({
      code: 'SetupJobFailed',
      retryable: true,
      condition: 'StoreConfigured',
    });
    expect(state.failure?.message).toBe(
      'Setup job setup failed: Job has reached the specified backoff limit.',
    );
  });
});

describe('redaction of helm output', () => {
  it.each([
    ['Error: secret password=hunter22 in values', 'Error: secret password=[redacted] in values'],
    ['"db-password": "s3cr3t!"', '"db-password": "[redacted]"'],
    ['token: abc.def.ghi', 'token: [redacted]'],
  ])('%j → %j', (input, output) => expect(redactSecrets(input)).toBe(output));

  it('removes known secret values wherever they appear', () => {
    expect(redactSecrets('Unauthorized for bearer eyJhbGciOi.payload', ['eyJhbGciOi.payload'])).toBe(
      'Unauthorized for bearer [redacted]',
    );
  });
});

describe('store secrets', () => {
  it('generates strong, distinct values for every key the chart needs, new each time', () => {
    const first = generateStoreSecrets('woocommerce', 'shop');
    const second = generateStoreSecrets('woocommerce', 'shop');
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining([
        'admin-password',
        'database-password',
        'database-root-password',
        'auth-key',
        'nonce-salt',
      ]),
    );
    expect(first['database-password']).not.toBe(second['database-password']);
    expect(first['database-password']?.length).toBeGreaterThanOrEqual(32);
    expect(new Set(Object.values(first)).size).toBeGreaterThan(Object.keys(first).length - 3);
  });
});
