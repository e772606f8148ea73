// The backup Jobs of an S3 target as the pure builders make them: the engine's dump piped through the
// agent (and back), in the store's namespace, with the bucket's credentials and the key only as
// references to the Job's Secret; the Secret holding the recipient for a backup and the identity only
// for a restore; the NetworkPolicies letting exactly the database and the bucket; and the Job's shell
// pipeline itself, run with stand-ins, exiting with the status that says who failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BACKUP_JOB_COMPONENT,
  type BackupJobInput,
  backupJob,
  backupJobCommand,
  backupJobName,
  backupJobNetworkPolicies,
  backupJobSecret,
  bucketDestination,
} from '../../src/cluster/backup-job.ts';
import { RESTORE_COMMAND_FAILED } from '../../src/cluster/port.ts';
import { medusa } from '../../src/engines/medusa/index.ts';
import { woocommerce } from '../../src/engines/woocommerce/index.ts';

const BACKUP_ID = '0b4f5a2e-8a61-4d5e-9f3a-0c7c1f1e2d3c';
const STORE_ID = '6f1c2d1e-5b0a-4c59-9a57-1d1c0ee1b7a1';
const REAL_NODE = { kind: 'node', label: { key: 'storefleet.io/real-node', value: 'true' } } as const;

function input(overrides: Partial<BackupJobInput> = {}): BackupJobInput {
  const jobs = medusa.backup.job?.('store-acme-shoes');
  if (!jobs) throw new Error('medusa has backup Jobs');
  return {
    direction: 'backup',
    target: {
      storeId: STORE_ID,
      slug: 'acme-shoes',
      engine: 'medusa',
      ownerId: 'user:42',
      generation: 3,
      namespace: 'store-acme-shoes',
    },
    backupStoreId: STORE_ID,
    backupId: BACKUP_ID,
    part: 'database',
    commands: jobs.database,
    storeSecret: 'store-secrets',
    bucket: {
      endpoint: 'http://10.250.0.1:9000',
      region: 'us-east-1',
      bucket: 'storefleet-backups',
      prefix: 'fleet',
      forcePathStyle: true,
    },
    withCredentials: true,
    image: 'storefleet.local/backup-agent:0.1.0',
    placement: REAL_NODE,
    deadlineSeconds: 900,
    ...overrides,
  };
}

const containerOf = (job: ReturnType<typeof backupJob>) => {
  const container = job.spec?.template.spec?.containers[0];
  if (!container) throw new Error('no container');
  return container;
};
const envOf = (job: ReturnType<typeof backupJob>) =>
  Object.fromEntries((containerOf(job).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

describe('a backup Job', () => {
  const job = backupJob(input());

  it('is named after the backup, part and direction, in the store namespace, labelled as the store', () => {
    expect(job.metadata).toMatchObject({
      name: `sf-backup-database-g3-${BACKUP_ID}`,
      namespace: 'store-acme-shoes',
      labels: {
        'app.kubernetes.io/managed-by': 'storefleet',
        'storefleet.io/store-id': STORE_ID,
        'storefleet.io/owner': 'user_42',
        'app.kubernetes.io/component': BACKUP_JOB_COMPONENT,
        'storefleet.io/backup-id': BACKUP_ID,
      },
    });
    expect(job.spec?.template.metadata?.labels).toEqual(job.metadata?.labels);
    for (const direction of ['backup', 'restore'] as const) {
      for (const part of ['database', 'files'] as const) {
        expect(backupJobName(direction, part, BACKUP_ID, 99_999).length).toBeLessThanOrEqual(63);
      }
    }
  });

  it("runs the engine's dump under the agent, which prints the manifest into the termination message", () => {
    const container = containerOf(job);
    expect(container.image).toBe('storefleet.local/backup-agent:0.1.0');
    expect(container.terminationMessagePolicy).toBe('FallbackToLogsOnError');
    const [shell, flag, script, name, ...args] = container.command ?? [];
    expect([shell, flag, name]).toEqual(['bash', '-c', 'backup-job']);
    expect(script).toContain('> /dev/termination-log');
    expect(args).toEqual([
      'upload',
      '--store',
      STORE_ID,
      '--backup',
      BACKUP_ID,
      '--part',
      'database',
      '--slug',
      'acme-shoes',
      '--engine',
      'medusa',
      '--',
      'pg_dump',
      '--format=custom',
      '--no-owner',
    ]);
  });

  it('tells the agent the bucket in plain values and every secret only as a Secret reference', () => {
    expect(envOf(job)).toEqual({
      PGHOST: 'store-acme-shoes-database',
      PGUSER: 'medusa',
      PGDATABASE: 'medusa',
      PGPASSWORD: { secretKeyRef: { name: 'store-secrets', key: 'database-password' } },
      // The Job waits for the database and the bucket to answer first (a new pod's NetworkPolicy).
      BACKUP_JOB_WAIT_FOR: 'store-acme-shoes-database:5432 10.250.0.1:9000',
      BACKUP_S3_ENDPOINT: 'http://10.250.0.1:9000',
      BACKUP_S3_REGION: 'us-east-1',
      BACKUP_S3_BUCKET: 'storefleet-backups',
      BACKUP_S3_PREFIX: 'fleet',
      BACKUP_S3_FORCE_PATH_STYLE: 'true',
      BACKUP_S3_ACCESS_KEY_ID: { secretKeyRef: { name: job.metadata?.name, key: 'BACKUP_S3_ACCESS_KEY_ID' } },
      BACKUP_S3_SECRET_ACCESS_KEY: {
        secretKeyRef: { name: job.metadata?.name, key: 'BACKUP_S3_SECRET_ACCESS_KEY' },
      },
      BACKUP_AGE_RECIPIENT: { secretKeyRef: { name: job.metadata?.name, key: 'BACKUP_AGE_RECIPIENT' } },
      HOME: '/tmp',
    });
    const withoutCredentials = envOf(
      backupJob(input({ withCredentials: false, bucket: { ...input().bucket, endpoint: undefined } })),
    );
    expect(withoutCredentials.BACKUP_S3_ACCESS_KEY_ID).toBeUndefined();
    expect(withoutCredentials.BACKUP_S3_ENDPOINT).toBeUndefined();
  });

  it('is retried by the orchestrator, not the Job, runs restricted and bounded, on the store node', () => {
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 900 });
    const pod = job.spec?.template.spec;
    expect(pod).toMatchObject({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      nodeSelector: { 'storefleet.io/real-node': 'true' },
      tolerations: [
        { key: 'storefleet.io/real-node', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      ],
    });
    expect(containerOf(job).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(containerOf(job).resources?.limits).toEqual({ cpu: '1', memory: '256Mi' });
    expect(
      backupJob(input({ placement: { kind: 'anywhere' } })).spec?.template.spec?.nodeSelector,
    ).toBeUndefined();
  });
});

describe('a restore Job', () => {
  const job = backupJob(input({ direction: 'restore' }));

  it("pipes the agent's verified download into the engine's restore, with the identity", () => {
    expect(job.metadata?.name).toBe(`sf-restore-database-g3-${BACKUP_ID}`);
    expect(containerOf(job).command?.slice(3)).toEqual([
      'restore-job',
      'download',
      '--store',
      STORE_ID,
      '--backup',
      BACKUP_ID,
      '--part',
      'database',
      '--',
      ...input().commands.restore,
    ]);
    expect(input().commands.restore.slice(0, 2)).toEqual(['pg_restore', '--dbname=medusa']);
    const env = envOf(job);
    expect(env.BACKUP_AGE_IDENTITY).toEqual({
      secretKeyRef: { name: job.metadata?.name, key: 'BACKUP_AGE_IDENTITY' },
    });
    expect(env.BACKUP_AGE_RECIPIENT).toBeUndefined();
  });

  it('reads the backup where it was taken (a new store from a backup) and restores it into the target', () => {
    const other = '9a0e3b7c-1f2d-4e5a-8b6c-7d8e9f0a1b2c';
    const into = backupJob(input({ direction: 'restore', backupStoreId: other }));
    expect(into.metadata?.namespace).toBe('store-acme-shoes');
    expect(containerOf(into).command?.slice(4, 7)).toEqual(['download', '--store', other]);
    expect(into.metadata?.labels?.['storefleet.io/store-id']).toBe(STORE_ID);
  });

  it("mounts WooCommerce's uploads volume beside its app pod, as www-data, for the files part", () => {
    const files = woocommerce.backup.job?.('store-acme-shoes').files;
    if (!files) throw new Error('woocommerce keeps files');
    const woo = backupJob(
      input({
        direction: 'restore',
        part: 'files',
        commands: files,
        target: { ...input().target, engine: 'woocommerce' },
      }),
    );
    const pod = woo.spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({ runAsUser: 33, runAsGroup: 33 });
    expect(pod?.volumes).toContainEqual({
      name: 'store-data',
      persistentVolumeClaim: { claimName: 'store-acme-shoes-wp-content' },
    });
    expect(containerOf(woo).volumeMounts).toContainEqual({
      name: 'store-data',
      mountPath: '/var/www/html/wp-content',
    });
    expect(pod?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        labelSelector: {
          matchLabels: { 'app.kubernetes.io/component': 'app', 'storefleet.io/store-id': STORE_ID },
        },
        topologyKey: 'kubernetes.io/hostname',
      },
    ]);
  });
});

describe("a backup Job's Secret", () => {
  const secrets = {
    credentials: { accessKeyId: 'AKIA', secretAccessKey: 'not-real' },
    recipient: 'age1recipient',
    identity: 'AGE-SECRET-KEY-1IDENTITY',
  };

  it('holds the recipient for a backup (the store namespace can write backups, never read them)', () => {
    const secret = backupJobSecret(input(), secrets);
    expect(secret.metadata?.name).toBe(backupJob(input()).metadata?.name);
    expect(secret.stringData).toEqual({
      BACKUP_S3_ACCESS_KEY_ID: 'AKIA',
      BACKUP_S3_SECRET_ACCESS_KEY: 'not-real',
      BACKUP_AGE_RECIPIENT: 'age1recipient',
    });
  });

  it('holds the identity for a restore only, and no credentials when the SDK finds its own', () => {
    const { credentials: _none, ...withoutCredentials } = secrets;
    expect(backupJobSecret(input({ direction: 'restore' }), withoutCredentials).stringData).toEqual({
      BACKUP_AGE_IDENTITY: 'AGE-SECRET-KEY-1IDENTITY',
    });
  });
});

describe("a backup Job's NetworkPolicies", () => {
  it('let the Job out to DNS, the bucket and the database, and into the database from the Job', () => {
    const [egress, ingress] = backupJobNetworkPolicies(input());
    const jobPods = { matchLabels: { 'app.kubernetes.io/component': BACKUP_JOB_COMPONENT } };
    expect(egress?.spec).toEqual({
      podSelector: jobPods,
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { to: [{ ipBlock: { cidr: '10.250.0.1/32' } }], ports: [{ protocol: 'TCP', port: 9000 }] },
        {
          to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'database' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    });
    expect(ingress?.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'database' } },
      policyTypes: ['Ingress'],
      ingress: [{ _from: [{ podSelector: jobPods }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
  });

  it('has only the egress one for a part on a volume, and any address of a bucket named by host', () => {
    const files = woocommerce.backup.job?.('store-x').files;
    if (!files) throw new Error('woocommerce keeps files');
    expect(backupJobNetworkPolicies(input({ commands: files }))).toHaveLength(1);
    expect(bucketDestination(undefined)).toEqual({ port: 443 });
    expect(bucketDestination('https://s3.eu-central-1.amazonaws.com')).toEqual({ port: 443 });
    expect(bucketDestination('http://minio.storage.svc')).toEqual({ port: 80 });
    expect(bucketDestination('http://10.0.0.5:9000')).toEqual({ port: 9000, ipv4: '10.0.0.5' });
  });
});

describe("the Job's pipeline, with stand-ins for the agent and the engine's commands", () => {
  const dir = mkdtempSync(join(tmpdir(), 'backup-job-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the container's command with `agent` in place of the agent; returns the status, termination message and stderr. */
  function run(direction: 'backup' | 'restore', agent: string, engineCommand: string[]) {
    const log = join(dir, `${direction}-${Math.random()}`);
    const command = backupJobCommand(
      input({ direction, commands: { ...input().commands, dump: engineCommand, restore: engineCommand } }),
    );
    const script = (command[2] ?? '')
      .replace(/^AGENT=\(.*\)$/m, `AGENT=(sh -c '${agent}' agent)`)
      .replaceAll('/dev/termination-log', log);
    const result = spawnSync(command[0] ?? 'bash', [command[1] ?? '-c', script, ...command.slice(3)], {
      encoding: 'utf8',
    });
    let message = '';
    try {
      message = readFileSync(log, 'utf8');
    } catch {}
    return { status: result.status, message, stderr: result.stderr };
  }

  it("writes a backup's manifest (the agent's stdout) as the termination message", () => {
    const done = run('backup', 'echo "{\\"manifest\\":\\"$1 $3\\"}"', ['true']);
    expect(done.status).toBe(0);
    expect(JSON.parse(done.message)).toEqual({ manifest: `upload ${STORE_ID}` });
    const refused = run('backup', 'echo "backup-agent: DUMP_FAILED: no" >&2; exit 1', ['true']);
    expect(refused).toMatchObject({ status: 1, stderr: expect.stringContaining('DUMP_FAILED') });
  });

  it('restores what the agent downloads, and says so', () => {
    const done = run('restore', 'echo "dump of $5"', ['sh', '-c', `grep -q "dump of ${BACKUP_ID}"`]);
    expect(done).toMatchObject({ status: 0, message: '{"restored":true}\n' });
  });

  it("exits with the agent's refusal when it refuses, though the restore then fails on nothing", () => {
    const refused = run('restore', 'echo "backup-agent: CHECKSUM_MISMATCH: tampered" >&2; exit 3', [
      'sh',
      '-c',
      'test -n "$(cat)"',
    ]);
    expect(refused).toMatchObject({ status: 3, message: '' });
    expect(refused.stderr).toContain('CHECKSUM_MISMATCH');
  });

  it('exits with RESTORE_COMMAND_FAILED when the restore command fails, whatever the agent then hit', () => {
    const failed = run('restore', 'yes dump | head -c 1000000; exit 1', ['sh', '-c', 'exit 7']);
    expect(failed.status).toBe(RESTORE_COMMAND_FAILED);
    expect(failed.stderr).toContain('backup-agent: RESTORE_FAILED: sh exited with 7');
  });
});
