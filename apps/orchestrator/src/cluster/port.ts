// What the reconciler needs from a Kubernetes cluster. Adapters implement it; the domain and the
// reconciler never see Kubernetes or Helm types. Every operation is idempotent and honours `signal`.
import type {
  ConditionStatus,
  Engine,
  EngineAvailability,
  ReleaseRevision,
  StoreResources,
  StoreValues,
} from '@storefleet/contracts';
import type { Store } from '../domain/store.ts';

export interface StoreTarget {
  storeId: string;
  slug: string;
  engine: Engine;
  ownerId: string;
  namespace: string;
  release: string;
  /** The store's own value overrides (from upgrades). */
  values: StoreValues;
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
  uninstallRelease(target: StoreTarget, signal: AbortSignal): Promise<void>;
}

/** The store's workloads: readiness and the conditions they add up to. */
export interface ClusterWorkloads {
  /** Resolves once the database, the app and the setup job are ready, reporting progress meanwhile. */
  waitUntilReady(
    target: StoreTarget,
    signal: AbortSignal,
    onProgress: (progress: WorkloadProgress) => Promise<void>,
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

export interface Cluster
  extends ClusterNamespaces,
    ClusterSecrets,
    ClusterReleases,
    ClusterWorkloads,
    ClusterInspection {
  info(): ClusterInfo;
  /** Whether this cluster can run each engine's stores, and where their pods run. */
  engines(): EngineAvailability[];
}

/** A failure the cluster reported, with a stable code and whether trying again may help. */
export class ClusterError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly condition: WorkloadCondition | undefined;

  constructor(code: string, message: string, options: { retryable: boolean; condition?: WorkloadCondition }) {
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
    engine: store.engine,
    ownerId: store.ownerId,
    namespace: store.namespace,
    release: store.release,
    values: store.values,
  };
}
