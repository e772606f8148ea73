// An in-memory Cluster for fast tests of the queue and reconciler. It keeps what a real cluster
// would hold (namespaces, secrets, releases), can be told to fail, hang or block at any operation,
// and records overlapping calls for one store, which must never happen.

import type { Readable, Writable } from 'node:stream';
import type {
  Engine,
  EngineAvailability,
  ReleaseRevision,
  StoreResources,
  StoreValues,
} from '@storefleet/contracts';
import {
  type AdminCredentials,
  type BackupPart,
  type BackupScheduleTarget,
  type Cluster,
  ClusterError,
  type ClusterInfo,
  type DeployedRelease,
  type ScaleScope,
  type StoreTarget,
  type WorkloadProgress,
  type WorkloadWatch,
} from '../../src/cluster/port.ts';
import { releaseDescription } from '../../src/domain/next-action.ts';
import { describeEngine, engineModules } from '../../src/engines/registry.ts';

/** One revision of a release: its values, its description and when it was written. */
interface Revision {
  values: StoreValues;
  description: string;
  updated: Date;
}

export type ClusterOperation =
  | 'ensureNamespace'
  | 'ensureSecrets'
  | 'installRelease'
  | 'waitUntilReady'
  | 'rollbackRelease'
  | 'uninstallRelease'
  | 'deleteNamespace'
  | 'dumpData'
  | 'restoreData'
  | 'scaleDown'
  | 'scaleUp'
  | 'applyBackupSchedule'
  | 'rerunSetup';

type Behaviour =
  | { kind: 'fail'; error: ClusterError; remaining: number; only?: (target: StoreTarget) => boolean }
  | { kind: 'hang'; remaining: number }
  | { kind: 'block'; gate: Gate };

export interface Gate {
  /** Resolves when a call reaches the blocked operation. */
  reached: Promise<void>;
  /** Lets the blocked call go on. */
  open(): void;
}

function abortable(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class MemoryCluster implements Cluster {
  readonly namespaces = new Set<string>();
  readonly secrets = new Set<string>();
  readonly releases = new Map<string, number>();
  /** Each revision of each release. */
  readonly revisions = new Map<string, Revision[]>();
  /**
   * Like a helm process that outlives the worker that started it (the orchestrator was killed): an
   * install the attempt's signal interrupts is not undone; it goes on and deploys once unblocked,
   * and until then the release is pending-install.
   */
  helmOutlivesWorker = false;
  readonly calls: { operation: ClusterOperation; storeId: string }[] = [];
  /** Releases a helm operation was interrupted in: their newest revision stays pending-* (locked). */
  readonly locked = new Map<string, 'pending-install' | 'pending-upgrade' | 'pending-rollback'>();
  /** Calls that started while another call for the same store was still running. */
  overlaps = 0;
  /** Most stores that had a provisioning call running at the same moment. */
  maxConcurrentProvisioning = 0;
  stepDelayMs = 0;
  private readonly behaviours = new Map<ClusterOperation, Behaviour>();
  private readonly activeByStore = new Map<string, number>();
  private readonly provisioningStores = new Set<string>();
  private readonly configured: boolean;

  constructor(options: { configured?: boolean } = {}) {
    this.configured = options.configured ?? true;
  }

  info(): ClusterInfo {
    return { configured: this.configured, simulated: true, description: 'in-memory test cluster' };
  }

  /** Engines a test has made unavailable, with the reason given. */
  readonly unavailableEngines = new Map<Engine, string>();

  engines(): EngineAvailability[] {
    return engineModules().map((module) => {
      const reason = this.unavailableEngines.get(module.name);
      return describeEngine(module, {
        available: reason === undefined,
        pods: 'simulated',
        reason: reason ?? null,
      });
    });
  }

  failOn(
    operation: ClusterOperation,
    error: ClusterError,
    times = Number.POSITIVE_INFINITY,
    only?: (target: StoreTarget) => boolean,
  ): void {
    this.behaviours.set(operation, { kind: 'fail', error, remaining: times, ...(only ? { only } : {}) });
  }

  hangOn(operation: ClusterOperation, times = Number.POSITIVE_INFINITY): void {
    this.behaviours.set(operation, { kind: 'hang', remaining: times });
  }

  blockOn(operation: ClusterOperation): Gate {
    let reached!: () => void;
    let open!: () => void;
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gate: Gate & { arrive(): void; opened: Promise<void> } = {
      reached: reachedPromise,
      open,
      arrive: reached,
      opened,
    };
    this.behaviours.set(operation, { kind: 'block', gate });
    return gate;
  }

  clearBehaviour(operation: ClusterOperation): void {
    this.behaviours.delete(operation);
  }

  private async call<T>(
    operation: ClusterOperation,
    target: StoreTarget,
    signal: AbortSignal,
    effect: () => T,
  ): Promise<T> {
    this.calls.push({ operation, storeId: target.storeId });
    const active = this.activeByStore.get(target.storeId) ?? 0;
    if (active > 0) this.overlaps++;
    this.activeByStore.set(target.storeId, active + 1);
    const provisioning = [
      'ensureNamespace',
      'ensureSecrets',
      'installRelease',
      'waitUntilReady',
      'rollbackRelease',
    ].includes(operation);
    if (provisioning) {
      this.provisioningStores.add(target.storeId);
      this.maxConcurrentProvisioning = Math.max(this.maxConcurrentProvisioning, this.provisioningStores.size);
    }
    try {
      if (this.stepDelayMs > 0) {
        await Promise.race([
          new Promise((resolve) => setTimeout(resolve, this.stepDelayMs)),
          abortable(signal),
        ]);
      }
      const behaviour = this.behaviours.get(operation);
      if (behaviour?.kind === 'fail' && behaviour.remaining > 0 && (behaviour.only?.(target) ?? true)) {
        behaviour.remaining--;
        throw behaviour.error;
      }
      if (behaviour?.kind === 'hang' && behaviour.remaining > 0) {
        behaviour.remaining--;
        await abortable(signal);
      }
      if (behaviour?.kind === 'block') {
        const gate = behaviour.gate as Gate & { arrive(): void; opened: Promise<void> };
        gate.arrive();
        await Promise.race([gate.opened, abortable(signal)]);
      }
      signal.throwIfAborted();
      return effect();
    } finally {
      this.activeByStore.set(target.storeId, (this.activeByStore.get(target.storeId) ?? 1) - 1);
      if (provisioning) this.provisioningStores.delete(target.storeId);
    }
  }

  ensureNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.call('ensureNamespace', target, signal, () => {
      this.namespaces.add(target.namespace);
    });
  }

  ensureSecrets(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.call('ensureSecrets', target, signal, () => {
      if (!this.namespaces.has(target.namespace)) {
        throw new ClusterError('KubernetesApiError', `namespace ${target.namespace} does not exist`, {
          retryable: true,
        });
      }
      this.secrets.add(target.namespace);
    });
  }

  installRelease(target: StoreTarget, signal: AbortSignal): Promise<DeployedRelease> {
    if (this.helmOutlivesWorker) return this.orphanableInstall(target, signal);
    return this.call('installRelease', target, signal, () => {
      if (this.locked.has(target.release)) {
        throw new ClusterError('HelmFailed', 'another operation (install/upgrade/rollback) is in progress', {
          retryable: true,
        });
      }
      return this.deploy(target.release, target.values, releaseDescription(target.generation));
    });
  }

  /**
   * An install whose helm is not stopped by the signal: the release is pending-install from the
   * start, and the revision is deployed when the install is let through, whether or not anyone still
   * waits for it.
   */
  private orphanableInstall(target: StoreTarget, signal: AbortSignal): Promise<DeployedRelease> {
    const fresh = !this.revisions.has(target.release);
    if (fresh) {
      this.revisions.set(target.release, [
        { values: target.values, description: 'Initial install underway', updated: new Date() },
      ]);
      this.releases.set(target.release, 1);
      this.locked.set(target.release, 'pending-install');
    }
    this.orphans.add(target.release);
    const helm = this.call('installRelease', target, new AbortController().signal, () => {
      this.orphans.delete(target.release);
      if (fresh) {
        this.revisions.get(target.release)?.pop();
        this.locked.delete(target.release);
      }
      return this.deploy(target.release, target.values, releaseDescription(target.generation));
    });
    return Promise.race([helm, abortable(signal)]);
  }

  /** Installs whose helm outlives its worker and has not finished yet, by release. */
  private readonly orphans = new Set<string>();

  async helmRunning(target: StoreTarget): Promise<boolean | undefined> {
    return this.orphans.has(target.release);
  }

  /** Leaves the release as a helm killed mid-operation would: a new revision, pending and locked. */
  interrupt(release: string, phase: 'pending-install' | 'pending-upgrade' | 'pending-rollback'): void {
    const history = this.revisions.get(release) ?? [];
    // Written long ago: no helm can still be working on it.
    history.push({
      values: history.at(-1)?.values ?? {},
      description: 'Preparing upgrade',
      updated: new Date(0),
    });
    this.revisions.set(release, history);
    this.releases.set(release, history.length);
    this.locked.set(release, phase);
  }

  rollbackRelease(target: StoreTarget, revision: number, signal: AbortSignal): Promise<DeployedRelease> {
    return this.call('rollbackRelease', target, signal, () => {
      const values = this.revisions.get(target.release)?.[revision - 1]?.values;
      if (!values)
        throw new ClusterError('RevisionMissing', `release has no revision ${revision}`, {
          retryable: false,
        });
      this.locked.delete(target.release);
      return this.deploy(target.release, values, `Rollback to ${revision}`);
    });
  }

  private deploy(release: string, values: StoreValues, description: string): DeployedRelease {
    const history = this.revisions.get(release) ?? [];
    history.push({ values, description, updated: new Date() });
    this.revisions.set(release, history);
    this.releases.set(release, history.length);
    return { revision: history.length, chartVersion: '0.1.0', values };
  }

  async releaseHistory(target: StoreTarget): Promise<ReleaseRevision[]> {
    const history = this.revisions.get(target.release) ?? [];
    const newest = this.locked.get(target.release) ?? 'deployed';
    return history.map((revision, index) => ({
      revision: index + 1,
      status: index === history.length - 1 ? newest : 'superseded',
      chart: 'store-0.1.0',
      appVersion: '0.1.0',
      updated: revision.updated.toISOString(),
      description: revision.description,
    }));
  }

  /** What observeWorkloads reports for each namespace; by default everything is ready. Change it with `observe`. */
  readonly observations = new Map<string, WorkloadProgress[]>();
  /** Live watches by namespace (watchWorkloads). */
  readonly watches = new Map<string, Set<(progress: WorkloadProgress[]) => Promise<void>>>();

  /** Sets (or with undefined, resets) what a namespace's workloads look like, telling its watchers. */
  async observe(namespace: string, progress: WorkloadProgress[] | undefined): Promise<void> {
    if (progress) this.observations.set(namespace, progress);
    else this.observations.delete(namespace);
    const current = this.currentObservation(namespace);
    for (const onChange of this.watches.get(namespace) ?? []) await onChange(current);
  }

  watchWorkloads(
    target: StoreTarget,
    onChange: (progress: WorkloadProgress[]) => Promise<void>,
  ): WorkloadWatch {
    const listeners = this.watches.get(target.namespace) ?? new Set();
    this.watches.set(target.namespace, listeners);
    listeners.add(onChange);
    // Like informers, the first observation arrives after the watch is returned.
    setImmediate(() => void onChange(this.currentObservation(target.namespace)));
    return {
      stop: async () => {
        listeners.delete(onChange);
        if (listeners.size === 0) this.watches.delete(target.namespace);
      },
    };
  }

  async observeWorkloads(target: StoreTarget): Promise<WorkloadProgress[]> {
    return this.currentObservation(target.namespace);
  }

  private currentObservation(namespace: string): WorkloadProgress[] {
    return (
      this.observations.get(namespace) ??
      (['DatabaseReady', 'AppReady', 'StoreConfigured'] as const).map((type) => ({
        type,
        status: 'True' as const,
        reason: 'Observed',
        message: `${type} observed in memory`,
      }))
    );
  }

  async adminCredentials(target: StoreTarget): Promise<AdminCredentials> {
    if (!this.secrets.has(target.namespace)) {
      throw new ClusterError('CredentialsMissing', 'The store Secret store-credentials does not exist.', {
        retryable: false,
      });
    }
    return {
      username: 'storeadmin',
      password: `pw-${target.slug}-memory`,
      email: `admin@${target.slug}.store.invalid`,
    };
  }

  async resources(target: StoreTarget): Promise<StoreResources> {
    const exists = this.namespaces.has(target.namespace);
    return {
      namespace: target.namespace,
      items: exists
        ? [{ kind: 'Pod', name: `${target.release}-app`, status: 'Running', details: {}, createdAt: null }]
        : [],
      events: [],
    };
  }

  async waitUntilReady(
    target: StoreTarget,
    signal: AbortSignal,
    onProgress: (progress: WorkloadProgress) => Promise<void>,
  ): Promise<void> {
    await this.call('waitUntilReady', target, signal, () => undefined);
    for (const type of ['DatabaseReady', 'AppReady', 'StoreConfigured'] as const) {
      await onProgress({ type, status: 'True', reason: 'Observed', message: `${type} observed in memory` });
    }
  }

  uninstallRelease(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.call('uninstallRelease', target, signal, () => {
      this.releases.delete(target.release);
      this.revisions.delete(target.release);
      this.locked.delete(target.release);
    });
  }

  deleteNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.call('deleteNamespace', target, signal, () => {
      this.namespaces.delete(target.namespace);
      this.secrets.delete(target.namespace);
    });
  }

  /** True when nothing at all is left for this store. */
  isEmptyFor(target: Pick<StoreTarget, 'namespace' | 'release'>): boolean {
    return (
      !this.namespaces.has(target.namespace) &&
      !this.secrets.has(target.namespace) &&
      !this.releases.has(target.release)
    );
  }

  /** Each namespace's data, as a dump would carry it. Tests write it to tell backups apart. */
  readonly data = new Map<string, string>();
  /** Which scopes of each namespace are scaled down. */
  readonly scaledDown = new Map<string, Set<ScaleScope>>();
  readonly schedules = new Map<string, BackupScheduleTarget>();

  backupParts(): BackupPart[] {
    return ['database'];
  }

  dumpData(target: StoreTarget, _part: BackupPart, sink: Writable, signal: AbortSignal): Promise<void> {
    return this.call('dumpData', target, signal, () => {
      sink.write(this.data.get(target.namespace) ?? '');
    });
  }

  async restoreData(
    target: StoreTarget,
    _part: BackupPart,
    source: Readable,
    signal: AbortSignal,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(Buffer.from(chunk as Buffer));
    await this.call('restoreData', target, signal, () => {
      this.data.set(target.namespace, Buffer.concat(chunks).toString('utf8'));
    });
  }

  scaleDown(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void> {
    return this.call('scaleDown', target, signal, () => {
      const scopes = this.scaledDown.get(target.namespace) ?? new Set();
      scopes.add(scope);
      this.scaledDown.set(target.namespace, scopes);
    });
  }

  scaleUp(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void> {
    return this.call('scaleUp', target, signal, () => {
      // Scaling everything up brings back what a narrower scale-down stopped, as the adapter does.
      if (scope === 'all') this.scaledDown.get(target.namespace)?.clear();
      else this.scaledDown.get(target.namespace)?.delete(scope);
    });
  }

  /** Setup reruns per namespace, by tag. */
  readonly setupReruns = new Map<string, Set<string>>();

  rerunSetup(target: StoreTarget, tag: string, signal: AbortSignal): Promise<void> {
    return this.call('rerunSetup', target, signal, () => {
      const tags = this.setupReruns.get(target.namespace) ?? new Set();
      tags.add(tag);
      this.setupReruns.set(target.namespace, tags);
    });
  }

  applyBackupSchedule(
    target: StoreTarget,
    schedule: BackupScheduleTarget | null,
    signal: AbortSignal,
  ): Promise<void> {
    return this.call('applyBackupSchedule', target, signal, () => {
      if (schedule) this.schedules.set(target.namespace, schedule);
      else this.schedules.delete(target.namespace);
    });
  }

  fallback: { host: string; port: number } | undefined;

  async publishFallbackRoute(upstream: { host: string; port: number }): Promise<void> {
    this.fallback = upstream;
  }

  /** Hosts whose certificate Secret was deleted, as `<namespace>/<host>`. */
  readonly deletedCertificates: string[] = [];

  async deleteHostCertificate(target: StoreTarget, host: string): Promise<void> {
    this.deletedCertificates.push(`${target.namespace}/${host}`);
  }
}
