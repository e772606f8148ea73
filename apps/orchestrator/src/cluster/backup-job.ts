// The objects of one backup or restore Job in a store's namespace (BACKUP_TARGET=s3): the Job that runs
// the engine's dump piped into the backup agent (or the agent's download piped into the engine's
// restore), the Secret it reads the bucket's credentials and the age key from, and the NetworkPolicies
// that let it reach the store's database and the bucket. Pure functions of their input: what the
// cluster adapter creates is exactly what these return, and the unit tests read them.
//
// What the Job says back: a backup's agent prints the manifest it wrote, and the container writes it to
// its termination message (/dev/termination-log, at most 4 KiB; a manifest of two parts is under 1 KiB);
// on failure the kubelet takes the end of the log instead, whose last line is the agent's
// `backup-agent: CODE: message`. The exit status says the kind (the agent's: 1 failure, 2 usage or
// configuration, 3 a refused backup).
import type { V1Job, V1NetworkPolicy, V1Secret } from '@kubernetes/client-node';
import type { JobDataCommands, Placement } from '../engines/engine.ts';
import { placementValues } from '../engines/engine.ts';
import { type BackupJobBucket, type BackupPart, RESTORE_COMMAND_FAILED, type StoreTarget } from './port.ts';
import { LABELS, storeLabels } from './store-labels.ts';
import { COMPONENT_LABEL } from './workload-state.ts';

/** The component label of backup Jobs' pods: what their NetworkPolicies select. */
export const BACKUP_JOB_COMPONENT = 'backup-agent';
export const BACKUP_ID_LABEL = 'storefleet.io/backup-id';

/** The agent's entry point in its image (images/backup-agent). */
export const AGENT_ENTRY = ['node', '--max-semi-space-size=1', '/app/packages/backup-agent/src/agent.ts'];

export type JobDirection = 'backup' | 'restore' | 'verify';

export interface BackupJobInput {
  direction: JobDirection;
  target: Pick<StoreTarget, 'storeId' | 'slug' | 'engine' | 'ownerId' | 'namespace' | 'generation'>;
  /** The store the backup was taken of (a restore may put it into another store: a new one from a backup). */
  backupStoreId: string;
  backupId: string;
  part: BackupPart;
  commands: JobDataCommands;
  /** The store's Secret (existingSecret of its chart), where the database passwords are. */
  storeSecret: string;
  bucket: BackupJobBucket;
  /** Whether the Job's Secret holds BACKUP_S3_ACCESS_KEY_ID/BACKUP_S3_SECRET_ACCESS_KEY (else the SDK's chain). */
  withCredentials: boolean;
  image: string;
  placement: Placement;
  /** The longest the Job may run (activeDeadlineSeconds). */
  deadlineSeconds: number;
}

/**
 * The Job's name: one per backup, part, direction and request (the store's generation), so a retried
 * step or a worker taking the job over finds the Job it started, and a later request (the same backup
 * restored again) runs its own instead of finding the last one's, kept for its TTL.
 */
export function backupJobName(
  direction: JobDirection,
  part: BackupPart,
  backupId: string,
  generation: number,
): string {
  return `sf-${direction}-${part}-g${generation}-${backupId}`.toLowerCase().slice(0, 63).replace(/-+$/, '');
}

/** The Job's Secret shares its name. */
export const backupJobSecretName = backupJobName;

function labelsOf(input: BackupJobInput): Record<string, string> {
  return {
    ...storeLabels(input.target),
    [COMPONENT_LABEL]: BACKUP_JOB_COMPONENT,
    [BACKUP_ID_LABEL]: input.backupId.toLowerCase().slice(0, 63),
  };
}

/**
 * What the Job's Secret holds: the bucket's credentials when there are any, and for a backup only the
 * age recipient (a store's namespace can write backups, never read one); a restore gets the identity
 * and the Secret is deleted with the Job.
 */
export function backupJobSecret(
  input: BackupJobInput,
  secrets: {
    credentials?: { accessKeyId: string; secretAccessKey: string };
    recipient: string;
    identity: string;
  },
): V1Secret {
  const data: Record<string, string> = {};
  if (secrets.credentials) {
    data.BACKUP_S3_ACCESS_KEY_ID = secrets.credentials.accessKeyId;
    data.BACKUP_S3_SECRET_ACCESS_KEY = secrets.credentials.secretAccessKey;
  }
  if (input.direction === 'backup') data.BACKUP_AGE_RECIPIENT = secrets.recipient;
  else data.BACKUP_AGE_IDENTITY = secrets.identity;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: backupJobSecretName(input.direction, input.part, input.backupId, input.target.generation),
      namespace: input.target.namespace,
      labels: labelsOf(input),
    },
    type: 'Opaque',
    stringData: data,
  };
}

/**
 * Before anything: every destination of the Job (`BACKUP_JOB_WAIT_FOR`, host:port pairs) answers. A new
 * pod's address may not be admitted by the node's NetworkPolicy enforcer for its first seconds, and a
 * dump whose first connection is refused fails for good.
 */
const WAIT_SCRIPT = `for destination in \${BACKUP_JOB_WAIT_FOR:-}; do
  for ((waited = 0; ; waited++)); do
    if (exec 3<>"/dev/tcp/\${destination%:*}/\${destination##*:}") 2>/dev/null; then break; fi
    if [ "$waited" -ge 60 ]; then echo "backup-agent: UNREACHABLE: \${destination} did not answer within 60 s" >&2; exit 1; fi
    sleep 1
  done
done`;

/**
 * The restore's pipeline: the agent verifies the part before it writes a byte, so a refused backup
 * leaves the restore command with nothing to read; the exit status is the agent's when it refused or
 * failed first, RESTORE_COMMAND_FAILED when the restore command did.
 */
const RESTORE_SCRIPT = `agent_args=()
while [ "$1" != "--" ]; do agent_args+=("$1"); shift; done
shift
"\${AGENT[@]}" "\${agent_args[@]}" | "$@"
status=("\${PIPESTATUS[@]}")
if [ "\${status[0]}" -ge 2 ]; then exit "\${status[0]}"; fi
if [ "\${status[1]}" -ne 0 ]; then echo "backup-agent: RESTORE_FAILED: $1 exited with \${status[1]}" >&2; exit ${RESTORE_COMMAND_FAILED}; fi
if [ "\${status[0]}" -ne 0 ]; then exit "\${status[0]}"; fi
echo '{"restored":true}' > /dev/termination-log`;

/** A backup's: the agent runs the dump itself (it stores nothing unless the dump exits 0). */
const BACKUP_SCRIPT = `"\${AGENT[@]}" "$@" > /dev/termination-log`;

/** A verify's: the agent alone; a refusal is the end of its log (FallbackToLogsOnError) and its exit status. */
const VERIFY_SCRIPT = `exec "\${AGENT[@]}" "$@"`;

/** The container's command: bash with the script, the agent's arguments, then the engine's command. */
export function backupJobCommand(input: BackupJobInput): string[] {
  const ref = ['--store', input.backupStoreId, '--backup', input.backupId, '--part', input.part];
  const agentEntry = `AGENT=(${AGENT_ENTRY.join(' ')})`;
  if (input.direction === 'backup') {
    return [
      'bash',
      '-c',
      `${agentEntry}\n${WAIT_SCRIPT}\n${BACKUP_SCRIPT}`,
      'backup-job',
      'upload',
      ...ref,
      '--slug',
      input.target.slug,
      '--engine',
      input.target.engine,
      '--',
      ...input.commands.dump,
    ];
  }
  if (input.direction === 'verify') {
    return ['bash', '-c', `${agentEntry}\n${WAIT_SCRIPT}\n${VERIFY_SCRIPT}`, 'verify-job', 'verify', ...ref];
  }
  return [
    'bash',
    '-c',
    `set -u\n${agentEntry}\n${WAIT_SCRIPT}\n${RESTORE_SCRIPT}`,
    'restore-job',
    'download',
    ...ref,
    '--',
    ...input.commands.restore,
  ];
}

/** What of the engine's commands a Job uses: a verify reads only the bucket (no database, no volume). */
function engineSide(
  input: BackupJobInput,
): Pick<JobDataCommands, 'env' | 'secretEnv' | 'volume' | 'reaches'> {
  if (input.direction === 'verify') return { env: {}, secretEnv: {} };
  return input.commands;
}

export function backupJob(input: BackupJobInput): V1Job {
  const name = backupJobName(input.direction, input.part, input.backupId, input.target.generation);
  const labels = labelsOf(input);
  const { bucket } = input;
  const commands = engineSide(input);
  const waitFor = [
    ...(commands.reaches ? [`${commands.reaches.host}:${commands.reaches.port}`] : []),
    ...(bucket.endpoint ? [endpointAddress(bucket.endpoint)] : []),
  ];
  const plainEnv: Record<string, string> = {
    ...commands.env,
    BACKUP_JOB_WAIT_FOR: waitFor.join(' '),
    BACKUP_S3_REGION: bucket.region,
    BACKUP_S3_BUCKET: bucket.bucket,
    BACKUP_S3_PREFIX: bucket.prefix,
    BACKUP_S3_FORCE_PATH_STYLE: String(bucket.forcePathStyle),
    ...(bucket.endpoint ? { BACKUP_S3_ENDPOINT: bucket.endpoint } : {}),
    // The agent and the dump tools write nothing but to their pipes; HOME for the clients' defaults.
    HOME: '/tmp',
  };
  const jobSecretKeys = [
    ...(input.withCredentials ? ['BACKUP_S3_ACCESS_KEY_ID', 'BACKUP_S3_SECRET_ACCESS_KEY'] : []),
    input.direction === 'backup' ? 'BACKUP_AGE_RECIPIENT' : 'BACKUP_AGE_IDENTITY',
  ];
  const env = [
    ...Object.entries(plainEnv).map(([envName, value]) => ({ name: envName, value })),
    ...Object.entries(commands.secretEnv).map(([envName, key]) => ({
      name: envName,
      valueFrom: { secretKeyRef: { name: input.storeSecret, key } },
    })),
    ...jobSecretKeys.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name, key } } })),
  ];
  const placement = placementValues(input.placement) as {
    nodeSelector?: Record<string, string>;
    tolerations?: { key: string; operator: string; value: string; effect: string }[];
  };
  const volume = commands.volume;
  const user = input.commands.runAsUser ?? 1000;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: input.target.namespace, labels },
    spec: {
      // A failed attempt is the orchestrator's to retry (its retry policy, its backoff), not the Job's.
      backoffLimit: 0,
      activeDeadlineSeconds: input.deadlineSeconds,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: user,
            runAsGroup: user,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
          ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
          // A ReadWriteOnce volume is mounted on one node: the pod goes where the store's pod using it is.
          ...(volume
            ? {
                affinity: {
                  podAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                      {
                        labelSelector: {
                          matchLabels: {
                            [COMPONENT_LABEL]: volume.beside,
                            [LABELS.storeId]: input.target.storeId,
                          },
                        },
                        topologyKey: 'kubernetes.io/hostname',
                      },
                    ],
                  },
                },
              }
            : {}),
          containers: [
            {
              name: 'agent',
              image: input.image,
              imagePullPolicy: 'IfNotPresent',
              command: backupJobCommand(input),
              env,
              terminationMessagePolicy: 'FallbackToLogsOnError',
              resources: {
                requests: { cpu: '50m', memory: '96Mi' },
                limits: { cpu: '1', memory: '256Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                ...(volume ? [{ name: 'store-data', mountPath: volume.mountPath }] : []),
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ...(volume ? [{ name: 'store-data', persistentVolumeClaim: { claimName: volume.claim } }] : []),
          ],
        },
      },
    },
  };
}

/** host:port of an endpoint URL. */
function endpointAddress(endpoint: string): string {
  return `${new URL(endpoint).hostname}:${bucketDestination(endpoint).port}`;
}

/** Where the bucket answers: the endpoint's port (else HTTPS, AWS's), and its address when it is one. */
export function bucketDestination(endpoint: string | undefined): { port: number; ipv4?: string } {
  if (!endpoint) return { port: 443 };
  const url = new URL(endpoint);
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(url.hostname) ? { port, ipv4: url.hostname } : { port };
}

/**
 * The NetworkPolicies of backup Jobs in a store's namespace (the store charts deny everything by
 * default): out to DNS, to the bucket's port, and to the workload the part's commands reach; and into
 * that workload from the Jobs. One set per namespace and workload, kept between Jobs.
 */
export function backupJobNetworkPolicies(input: BackupJobInput): V1NetworkPolicy[] {
  const namespace = input.target.namespace;
  const jobPods = { matchLabels: { [COMPONENT_LABEL]: BACKUP_JOB_COMPONENT } };
  const labels = storeLabels(input.target);
  const reaches = engineSide(input).reaches;
  const bucket = bucketDestination(input.bucket.endpoint);
  const egress: NonNullable<NonNullable<V1NetworkPolicy['spec']>['egress']> = [
    {
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    },
    {
      // A bucket named by host name may be anywhere (its addresses change): any address, that port only.
      ...(bucket.ipv4 ? { to: [{ ipBlock: { cidr: `${bucket.ipv4}/32` } }] } : {}),
      ports: [{ protocol: 'TCP', port: bucket.port }],
    },
  ];
  if (reaches) {
    egress.push({
      to: [{ podSelector: { matchLabels: { [COMPONENT_LABEL]: reaches.component } } }],
      ports: [{ protocol: 'TCP', port: reaches.port }],
    });
  }
  const policies: V1NetworkPolicy[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'storefleet-backup-agent-egress', namespace, labels },
      spec: { podSelector: jobPods, policyTypes: ['Egress'], egress },
    },
  ];
  if (reaches) {
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `storefleet-backup-agent-to-${reaches.component}`, namespace, labels },
      spec: {
        podSelector: { matchLabels: { [COMPONENT_LABEL]: reaches.component } },
        policyTypes: ['Ingress'],
        ingress: [{ _from: [{ podSelector: jobPods }], ports: [{ protocol: 'TCP', port: reaches.port }] }],
      },
    });
  }
  return policies;
}
