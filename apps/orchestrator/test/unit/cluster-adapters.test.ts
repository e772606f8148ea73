import type { V1Deployment, V1Job, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/cluster/helm-cli.ts';
import { isHelmOn } from '../../src/cluster/helm-processes.ts';
import { generateStoreSecrets } from '../../src/cluster/store-secrets.ts';
import { lastWords, type WorkloadObjects, workloadState } from '../../src/cluster/workload-state.ts';

/** The Deployments a Medusa store serves with (its engine module's appComponents). */
const APP = ['app', 'storefront', 'worker'];

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

const objects = (
  statefulSets: V1StatefulSet[],
  deployments: V1Deployment[],
  jobs: V1Job[],
  pods: V1Pod[] = [],
): WorkloadObjects => ({ statefulSets, deployments, jobs, pods });

describe('workload conditions from the store namespace', () => {
  it('reports each workload condition from its objects', () => {
    const state = workloadState(objects([db(0)], [app(1)], [job()]), APP);
    expect(state.progress.map((p) => [p.type, p.status, p.reason])).toEqual([
      ['DatabaseReady', 'False', 'Starting'],
      ['AppReady', 'False', 'Starting'],
      ['StoreConfigured', 'False', 'SetupRunning'],
    ]);
    expect(state.progress[1]?.message).toBe('App app: 1/2 ready.');
    expect(state.failure).toBeUndefined();
  });

  it('is all True once the database, the app and the setup job are done', () => {
    const state = workloadState(objects([db(1)], [app(2)], [job({ type: 'Complete', status: 'True' })]), APP);
    expect(state.progress.every((p) => p.status === 'True')).toBe(true);
  });

  it('counts the setup done once its pod succeeded, before the Job controller marks the Job', () => {
    const running = { ...job(), metadata: { ...job().metadata, uid: 'job-1' } };
    const setupPod = (phase: string, owner = 'job-1'): V1Pod => ({
      metadata: { ...labelled('setup', `setup-${phase}`), ownerReferences: [{ uid: owner } as never] },
      status: { phase },
    });
    const setupOf = (pods: V1Pod[]) =>
      workloadState(objects([db(1)], [app(2)], [running], pods), APP).progress[2]?.status;
    expect(setupOf([setupPod('Running')])).toBe('False');
    expect(setupOf([setupPod('Succeeded', 'another-job')])).toBe('False');
    expect(setupOf([setupPod('Succeeded')])).toBe('True');
  });

  it('does not trust a Deployment status older than its spec', () => {
    expect(workloadState(objects([db(1)], [app(2, 3, 2)], []), APP).progress[1]?.status).toBe('False');
  });

  it('says Unknown for workloads that do not exist yet', () => {
    expect(workloadState(objects([], [], []), APP).progress.map((p) => p.reason)).toEqual([
      'NotCreated',
      'NotCreated',
      'NotCreated',
    ]);
  });

  it('turns a failed setup job into a retryable failure naming the job and the cause', () => {
    const state = workloadState(
      objects(
        [db(1)],
        [app(2)],
        [job({ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' })],
      ),
      APP,
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

  const pod = (component: string, status: V1Pod['status'], deleting = false): V1Pod => ({
    metadata: {
      ...labelled(component, `${component}-0`),
      ...(deleting ? { deletionTimestamp: new Date() } : {}),
    },
    status,
  });

  it("names a waiting container's reason and message when a component is not ready", () => {
    const crashing = pod('app', {
      containerStatuses: [
        {
          name: 'wordpress',
          state: {
            waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container' },
          },
        } as never,
      ],
    });
    const state = workloadState(objects([db(1)], [app(1)], [], [crashing]), APP);
    expect(state.progress[1]).toEqual({
      type: 'AppReady',
      status: 'False',
      reason: 'CrashLoopBackOff',
      message:
        'App app: 1/2 ready. Pod app-0, container wordpress: CrashLoopBackOff: back-off 20s restarting failed container.',
    });
  });

  it('names the memory limit when a container was killed for exceeding it, even while it backs off', () => {
    const oom = pod('app', {
      containerStatuses: [
        {
          name: 'wordpress',
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
        } as never,
      ],
    });
    oom.spec = { containers: [{ name: 'wordpress', resources: { limits: { memory: '256Mi' } } }] };
    const state = workloadState(objects([db(1)], [app(1)], [], [oom]), APP);
    expect(state.progress[1]).toEqual({
      type: 'AppReady',
      status: 'False',
      reason: 'OOMKilled',
      message:
        'App app: 1/2 ready. Pod app-0, container wordpress was killed for exceeding its memory limit of 256Mi; raise the limit or lower what it uses.',
    });
  });

  it('says why a pod cannot be scheduled, and ignores pods on their way out and routine waits', () => {
    const pending = pod('database', {
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
        } as never,
      ],
    });
    const leaving = pod(
      'database',
      { containerStatuses: [{ name: 'mariadb', state: { waiting: { reason: 'ErrImagePull' } } } as never] },
      true,
    );
    const creating = pod('database', {
      containerStatuses: [{ name: 'mariadb', state: { waiting: { reason: 'ContainerCreating' } } } as never],
    });
    const state = workloadState(objects([db(0)], [app(2)], [], [leaving, creating, pending]), APP);
    expect(state.progress[0]).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(state.progress[0]?.message).toBe(
      "Database db: 0/1 ready. Pod database-0 cannot be scheduled: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
    );
    expect(workloadState(objects([db(0)], [app(2)], [], [leaving, creating]), APP).progress[0]).toMatchObject(
      {
        reason: 'Starting',
        message: 'Database db: 0/1 ready.',
      },
    );
  });

  it('is not ready while a rollout is under way, even with enough ready replicas', () => {
    const rolling: V1Deployment = {
      metadata: { ...labelled('app', 'app'), generation: 2 },
      spec: { replicas: 2 } as never,
      status: { observedGeneration: 2, readyReplicas: 2, updatedReplicas: 1, replicas: 3 },
    };
    const done: V1Deployment = { ...rolling, status: { ...rolling.status, updatedReplicas: 2, replicas: 2 } };
    const oldPodLeaving: V1Deployment = { ...done, status: { ...done.status, replicas: 3 } };
    expect(workloadState(objects([db(1)], [rolling], []), APP).progress[1]?.status).toBe('False');
    expect(workloadState(objects([db(1)], [oldPodLeaving], []), APP).progress[1]?.status).toBe('False');
    expect(workloadState(objects([db(1)], [done], []), APP).progress[1]?.status).toBe('True');

    const updating: V1StatefulSet = {
      metadata: { ...labelled('database', 'db'), generation: 2 },
      spec: { replicas: 1 } as never,
      status: {
        observedGeneration: 2,
        readyReplicas: 1,
        replicas: 1,
        currentRevision: 'db-1',
        updateRevision: 'db-2',
        updatedReplicas: 0,
      },
    };
    // The old pod's readiness says nothing of the new spec: 0 of 1 ready, not 1 of 1.
    expect(workloadState(objects([updating], [done], []), APP).progress[0]).toMatchObject({
      status: 'False',
      message: 'Database db: 0/1 ready.',
    });
    expect(workloadState(objects([db(1)], [rolling], []), APP).progress[1]?.message).toBe(
      'App app: 1/2 ready.',
    );
    const updated: V1StatefulSet = {
      ...updating,
      status: { ...updating.status, replicas: 1, currentRevision: 'db-2', updatedReplicas: 1 },
    };
    expect(workloadState(objects([updated], [done], []), APP).progress[0]?.status).toBe('True');
  });

  it('fails at once, not retried, when an image is not on the node', () => {
    const missing = pod('app', {
      containerStatuses: [
        {
          name: 'medusa',
          restartCount: 0,
          state: {
            waiting: {
              reason: 'ErrImageNeverPull',
              message:
                'Container image "storefleet.local/medusa:0.0.0-missing" is not present with pull policy of Never',
            },
          },
        } as never,
      ],
    });
    const state = workloadState(objects([db(1)], [app(0)], [], [missing]), APP);
    expect(state.failure).toMatchObject({ code: 'ImageMissing', retryable: false, condition: 'AppReady' });
    expect(state.failure?.message).toBe(
      'App app: 0/2 ready. Pod app-0, container medusa: ErrImageNeverPull: Container image "storefleet.local/medusa:0.0.0-missing" is not present with pull policy of Never.',
    );
    expect(state.progress[1]).toMatchObject({ status: 'False', reason: 'ErrImageNeverPull' });
  });

  it('names a setup pod whose image is missing as the failure of the setup', () => {
    const missing = pod('setup', {
      containerStatuses: [
        { name: 'setup', restartCount: 0, state: { waiting: { reason: 'ErrImageNeverPull' } } } as never,
      ],
    });
    const state = workloadState(objects([db(1)], [app(2)], [job()], [missing]), APP);
    expect(state.failure).toMatchObject({ code: 'ImageMissing', condition: 'StoreConfigured' });
    expect(state.progress[2]).toMatchObject({ status: 'False', reason: 'ErrImageNeverPull' });
  });

  it('fails a container that keeps crashing only after its third crash, with its last words', () => {
    const crashing = (restartCount: number, said?: string) =>
      pod('app', {
        containerStatuses: [
          {
            name: 'medusa',
            restartCount,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
            lastState: { terminated: { exitCode: 1, ...(said ? { message: said } : {}) } },
          } as never,
        ],
      });
    const early = workloadState(objects([db(1)], [app(0)], [], [crashing(2, 'boom\n')]), APP);
    expect(early.failure).toBeUndefined();
    expect(early.progress[1]?.reason).toBe('CrashLoopBackOff');

    const given = workloadState(
      objects([db(1)], [app(0)], [], [crashing(3, 'starting\nError: connect ECONNREFUSED 10.96.0.9:5432\n')]),
      APP,
    );
    expect(given.failure).toMatchObject({
      code: 'ContainerCrashing',
      retryable: true,
      condition: 'AppReady',
    });
    expect(given.failure?.message).toBe(
      'App app: 0/2 ready. Pod app-0, container medusa: CrashLoopBackOff: back-off 40s; it last said: Error: connect ECONNREFUSED 10.96.0.9:5432.',
    );
    expect(given.logWords).toBeUndefined();

    // Without a termination message, the adapter reads the previous container's log for the last words.
    const silent = workloadState(objects([db(1)], [app(0)], [], [crashing(3)]), APP);
    expect(silent.logWords).toMatchObject({ pod: 'app-0', container: 'medusa', previous: true });
    expect(silent.logWords?.messageWith('Error: no DATABASE_URL')).toBe(
      'App app: 0/2 ready. Pod app-0, container medusa: CrashLoopBackOff: back-off 40s; it last said: Error: no DATABASE_URL.',
    );
  });

  it("takes a JSON logger's last error message as a container's last words, not its stack", () => {
    const log = [
      'setup: migrating',
      '{"level":"info","message":"setup: created admin user"}',
      '{"level":"error","message":"Countries with codes zz do not exist\\nmore","stack":[{"fileName":"a.js"}]}',
      '{"level":"info","message":"shutting down"}',
    ].join('\n');
    expect(lastWords(log)).toBe('Countries with codes zz do not exist');
    // A tail cut inside a long JSON line: its fragment is not words.
    expect(lastWords('Error: boom\n","functionName":"manager","lineNumber":39}')).toBe('Error: boom');
    expect(lastWords('one\ntwo\n\n')).toBe('two');
    expect(lastWords(undefined)).toBeUndefined();
  });

  it('keeps a long pod message to one bounded line', () => {
    const noisy = pod('app', {
      containerStatuses: [
        {
          name: 'wordpress',
          state: { waiting: { reason: 'ImagePullBackOff', message: `line\n${'x'.repeat(1000)}` } },
        } as never,
      ],
    });
    const message = workloadState(objects([db(1)], [app(0)], [], [noisy]), APP).progress[1]?.message ?? '';
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(340);
    expect(message).toMatch(/…\.$/);
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

describe('a helm process working on a release, by its command line', () => {
  const argv = [
    '/root/.cache/storefleet/bin/helm-v4.3.1',
    'upgrade',
    'store-acme',
    '/app/charts/medusa',
    '--install',
    '-n',
    'store-acme',
  ];
  it('is found by its release and namespace', () => {
    expect(isHelmOn(argv, 'store-acme', 'store-acme')).toBe(true);
    expect(
      isHelmOn(['helm', 'uninstall', 'store-acme', '--namespace=store-acme'], 'store-acme', 'store-acme'),
    ).toBe(true);
  });
  it('is not another release, another namespace, a read or another program', () => {
    expect(isHelmOn(argv, 'store-other', 'store-other')).toBe(false);
    expect(isHelmOn(['helm', 'history', 'store-acme', '-n', 'store-acme'], 'store-acme', 'store-acme')).toBe(
      false,
    );
    expect(
      isHelmOn(['/usr/bin/node', 'upgrade', 'store-acme', '-n', 'store-acme'], 'store-acme', 'store-acme'),
    ).toBe(false);
  });
});
