// What the reconciler needs from a Kubernetes cluster, one interface per role. Adapters implement the
// roles; the domain and the reconciler never see Kubernetes or Helm types. Every operation is
// idempotent and honours `signal`.

import type { Readable, Writable } from 'node:stream';
import type {
  ConditionStatus,
  Engine,
  EngineAvailability,
  ReleaseRevision,
  StoreResources,
  StoreValues,
} from '@storefleet/contracts';
import type { Store } from '../domain/store.ts';
import type { ContainerReading } from './kubelet-metrics.ts';

export interface StoreTarget {
  storeId: string;
  slug: string;
  /** The shop's name as its owner wrote it (the engine's store title, the sender name of its e-mail). */
  name: string;
  engine: Engine;
  ownerId: string;
  namespace: string;
  release: string;
  /** The store's own value overrides (from upgrades). */
  values: StoreValues;
  /** The request being served: every release names the generation it was made for. */
  generation: number;
}

export interface AdminCredentials {
  username: string;
  password: string;
  email: string;
}

export interface DeployedRelease {
  revision: number;
  chartVersion: string;
  /** The store's value overrides as deployed (after a rollback: those of the restored revision). */
  values: StoreValues;
}

export interface ClusterInfo {
  /** False when no cluster is configured: every store operation would fail. */
  configured: boolean;
  /** True when pods are simulated (the local control plane): store URLs will not serve. */
  simulated: boolean;
  /** One line for people: which cluster this is, or what to do to configure one. */
  description: string;
}

export type WorkloadCondition = 'DatabaseReady' | 'AppReady' | 'StoreConfigured';

export interface WorkloadProgress {
  type: WorkloadCondition;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export interface WorkloadWatch {
  stop(): Promise<void>;
}

/** The store's namespace, with the access the orchestrator needs in it. */
export interface ClusterNamespaces {
  ensureNamespace(target: StoreTarget, signal: AbortSignal): Promise<void>;
  /** Deletes the namespace and resolves only when it is gone. */
  deleteNamespace(target: StoreTarget, signal: AbortSignal): Promise<void>;
}

/** The store Secret: generated once, never regenerated. */
export interface ClusterSecrets {
  ensureSecrets(target: StoreTarget, signal: AbortSignal): Promise<void>;
}

/** The store's Helm release. */
export interface ClusterReleases {
  /** Installs the release, or upgrades it in place when it exists; returns the deployed revision. */
  installRelease(target: StoreTarget, signal: AbortSignal): Promise<DeployedRelease>;
  /** Rolls the release back to `revision` (a new revision with that one's chart and values). */
  rollbackRelease(target: StoreTarget, revision: number, signal: AbortSignal): Promise<DeployedRelease>;
  releaseHistory(target: StoreTarget, signal: AbortSignal): Promise<ReleaseRevision[]>;
  /** Removes the release; a release that does not exist is not an error. */
  uninstallRelease(target: StoreTarget, signal: AbortSignal, options?: UninstallOptions): Promise<void>;
  /**
   * Whether a helm process still works on the release (one a killed orchestrator left running);
   * undefined when that cannot be told here.
   */
  helmRunning(target: StoreTarget): Promise<boolean | undefined>;
}

export interface UninstallOptions {
  /** Whether to wait until the release's objects are gone (default true); false returns once they are asked to go. */
  wait?: boolean;
}

/** The store's workloads: readiness and the conditions they add up to. */
export interface ClusterWorkloads {
  /** Resolves once the database, the app and the setup job are ready, reporting progress meanwhile. */
  waitUntilReady(
    target: StoreTarget,
    signal: AbortSignal,
    onProgress: (progress: WorkloadProgress) => Promise<void>,
    /** When the change being waited for began: refusals the cluster logged before it are not this one's. */
    since: Date,
  ): Promise<void>;
  /**
   * Watches the store's workloads and calls `onChange` with their conditions once they are first
   * seen and after every change, until the returned watch is stopped.
   */
  watchWorkloads(
    target: StoreTarget,
    onChange: (progress: WorkloadProgress[]) => Promise<void>,
  ): WorkloadWatch;
  /** The workload conditions as they are now (for the periodic resync of Ready stores). */
  observeWorkloads(target: StoreTarget, signal: AbortSignal): Promise<WorkloadProgress[]>;
}

/** What people look at: the store's objects, its events and its admin login. */
export interface ClusterInspection {
  /** Pods, services, ingresses, PVCs, jobs and recent events of the store namespace. */
  resources(target: StoreTarget, signal: AbortSignal): Promise<StoreResources>;
  /** The store admin's login, read from the store Secret. */
  adminCredentials(target: StoreTarget, signal: AbortSignal): Promise<AdminCredentials>;
}

/** A part of a store's data that a backup holds. */
export type BackupPart = 'database' | 'files';

/** Which workloads a scale change touches: those that write the store's data, or every one. */
export type ScaleScope = 'writers' | 'all';

export interface BackupScheduleTarget {
  /** Five-field cron expression (UTC). */
  cron: string;
  /** Where the scheduled pod asks for a backup. */
  url: string;
  /** The store's bearer token for that endpoint. */
  token: string;
  /**
   * The port the platform listens on. Behind a Service the connection arrives there, not on the URL's
   * port, and NetworkPolicies see it after that translation.
   */
  platformPort: number;
}

/** The store's data: what a backup holds, dumped and restored part by part. */
export interface ClusterData {
  /** The parts a backup of this store's engine holds. */
  backupParts(target: StoreTarget): BackupPart[];
  /** Streams a dump of one part of the store's data into `sink`; rejects when the dump fails. */
  dumpData(target: StoreTarget, part: BackupPart, sink: Writable, signal: AbortSignal): Promise<void>;
  /** Replaces one part of the store's data with the dump `source` streams; rejects when that fails. */
  restoreData(target: StoreTarget, part: BackupPart, source: Readable, signal: AbortSignal): Promise<void>;
}

/** The bucket of an S3 backup target as a backup Job's agent is told it (its credentials travel apart). */
export interface BackupJobBucket {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  prefix: string;
  forcePathStyle: boolean;
}

/** One part of a backup (or restore) by a Job in the store's namespace. */
export interface BackupJobRequest {
  /** `verify`: the part read back and checked (the agent's `verify`), nothing written anywhere. */
  direction: 'backup' | 'restore' | 'verify';
  target: StoreTarget;
  /** The store the backup was taken of: the target for a backup, maybe another store for a restore. */
  backupStoreId: string;
  backupId: string;
  part: BackupPart;
  bucket: BackupJobBucket;
  /** Written into the Job's own Secret: a backup gets the recipient, a restore or verify the identity. */
  secrets: {
    credentials?: { accessKeyId: string; secretAccessKey: string };
    recipient: string;
    identity: string;
  };
  /** The backup agent's image (node, the agent, the engines' dump and restore clients). */
  image: string;
  /** The longest the Job may run. */
  deadlineSeconds: number;
}

/** The exit status of a restore Job whose restore command failed (the agent's own are 1 to 3). */
export const RESTORE_COMMAND_FAILED = 4;

/** How the Job's container ended: its exit status and its termination message. */
export interface BackupJobResult {
  exitCode: number;
  /** A backup's manifest (JSON), a restore's `{"restored":true}`, or the end of the log on failure. */
  message: string;
}

/**
 * Backups to an S3 target: Jobs in the store's namespace that run the engine's dump through the
 * backup agent to the bucket (and back), so no dump passes through the platform.
 */
export interface ClusterBackupJobs {
  /** Runs the Job to its end (or finds the one a previous attempt started) and says how it ended. */
  run(request: BackupJobRequest, signal: AbortSignal): Promise<BackupJobResult>;
}

/** The scale of the store's workloads: sleep, wake, and the pause around a restore. */
export interface ClusterScaling {
  /** Scales the scope's workloads to zero (remembering their replicas) and suspends its CronJobs. */
  scaleDown(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void>;
  /** Undoes scaleDown: the remembered replicas come back, suspended CronJobs resume. */
  scaleUp(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void>;
  /** Runs the store's setup job again (a copy named with `tag`; an existing copy is kept). */
  rerunSetup(target: StoreTarget, tag: string, signal: AbortSignal): Promise<void>;
}

/** The store's backup CronJob. */
export interface ClusterBackupSchedule {
  /** Puts the store's backup CronJob in place (or removes it: null). */
  applyBackupSchedule(
    target: StoreTarget,
    schedule: BackupScheduleTarget | null,
    signal: AbortSignal,
  ): Promise<void>;
}

/** The platform itself as the ingress's default backend (asleep pages), when it runs outside the cluster. */
export interface ClusterFallback {
  publishFallbackRoute(upstream: { host: string; port: number }, signal: AbortSignal): Promise<void>;
}

/** The store's quota: limits.cpu in millicores and limits.memory in bytes; null where it sets none. */
export interface StoreQuota {
  cpuMillicores: number | null;
  memoryBytes: number | null;
}

/** One reading of the nodes that report resource usage (simulated nodes do not). */
export interface UsageReading {
  /** Nodes that answered; 0: nothing is reported. */
  nodes: number;
  containers: ContainerReading[];
  /** Bytes used on PVC-backed volumes, per namespace, where the node reports them. */
  disk: Map<string, number>;
}

/** What store insights read from the cluster: CPU, memory, disk, quotas and where a store's app answers. */
export interface ClusterUsage {
  readUsage(signal: AbortSignal): Promise<UsageReading>;
  quota(namespace: string, signal: AbortSignal): Promise<StoreQuota>;
  /** The base URL of the store's Service of `component` (its cluster address), or null when it has none. */
  appAddress(namespace: string, component: string, signal: AbortSignal): Promise<string | null>;
}

/** A custom domain's certificate Secret in the store's namespace. */
export interface ClusterCertificates {
  /** Deletes the Secret of `host`'s certificate; a missing one is not an error. */
  deleteHostCertificate(target: StoreTarget, host: string, signal: AbortSignal): Promise<void>;
}

/** The cluster: what it is, which engines it runs, and one object per role. */
export interface Cluster {
  info(): ClusterInfo;
  /** Whether this cluster can run each engine's stores, and where their pods run. */
  engines(): EngineAvailability[];
  readonly namespaces: ClusterNamespaces;
  readonly secrets: ClusterSecrets;
  readonly releases: ClusterReleases;
  readonly workloads: ClusterWorkloads;
  readonly inspection: ClusterInspection;
  readonly data: ClusterData;
  readonly scaling: ClusterScaling;
  readonly backupSchedule: ClusterBackupSchedule;
  readonly certificates: ClusterCertificates;
  readonly fallback: ClusterFallback;
  /** Resource usage for store insights; absent where the cluster cannot report any. */
  readonly usage?: ClusterUsage;
  /** Backup Jobs for an S3 backup target; absent where the cluster cannot run them. */
  readonly backupJobs?: ClusterBackupJobs;
}

/** Every code a ClusterError carries: what a store's failure reason may be when the cluster failed it. */
export type ClusterErrorCode =
  // the Kubernetes API
  | 'ClusterNotConfigured'
  | 'ClusterUnreachable'
  | 'Forbidden'
  | 'Invalid'
  | 'Unauthorized'
  | 'KubernetesApiError'
  | 'NamespaceConflict'
  | 'NamespaceTerminating'
  | 'QuotaExceeded'
  | 'AdmissionRejected'
  // helm and the release
  | 'HelmFailed'
  | 'ChartRejected'
  | 'ReleaseLocked'
  | 'ReleaseMissing'
  | 'NoReleaseWork'
  | 'RevisionMissing'
  // the workloads
  | 'SetupJobFailed'
  | 'SetupJobMissing'
  | 'PodNotRunning'
  | 'ImageMissing'
  | 'ContainerCrashing'
  | 'AppNotFound'
  | 'CredentialsMissing'
  // the store's data
  | 'NoSuchBackupPart'
  | 'ExecInterrupted'
  | 'CommandFailed'
  | 'RestoreFailed'
  | 'BackupMissing'
  | 'BackupUnreadable'
  | 'BackupJobFailed'
  | 'BackupJobsUnavailable'
  // the job itself
  | 'PayloadMissing';

/** A failure the cluster reported, with a stable code and whether trying again may help. */
export class ClusterError extends Error {
  readonly code: ClusterErrorCode;
  readonly retryable: boolean;
  readonly condition: WorkloadCondition | undefined;

  constructor(
    code: ClusterErrorCode,
    message: string,
    options: { retryable: boolean; condition?: WorkloadCondition },
  ) {
    super(message);
    this.name = 'ClusterError';
    this.code = code;
    this.retryable = options.retryable;
    this.condition = options.condition;
  }
}

/** What the cluster needs to know of a store. */
export function storeTarget(store: Store): StoreTarget {
  return {
    storeId: store.id,
    slug: store.slug,
    name: store.name,
    engine: store.engine,
    ownerId: store.ownerId,
    namespace: store.namespace,
    release: store.release,
    values: store.values,
    generation: store.generation,
  };
}
