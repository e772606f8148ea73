// An in-memory Cluster for fast tests of the queue and reconciler. It keeps what a real cluster
// would hold (namespaces, secrets, releases), one object per role as the real one has; every call
// goes through ScriptedCalls, so a test can make any operation fail, hang or block, and overlapping
// calls for one store, which must never happen, are counted.
import type { Engine, EngineAvailability } from '@storefleet/contracts';
import type { Cluster, ClusterInfo, StoreTarget } from '../../src/cluster/port.ts';
import { describeEngine, engineModules } from '../../src/engines/registry.ts';
import {
  MemoryCertificates,
  MemoryFallback,
  MemoryInspection,
  MemoryNamespaces,
  type MemorySecrets,
} from './memory-cluster/namespaces.ts';
import { MemoryReleases } from './memory-cluster/releases.ts';
import { ScriptedCalls } from './memory-cluster/scripted-calls.ts';
import { MemoryBackupSchedule, MemoryData, MemoryScaling } from './memory-cluster/store-data.ts';
import { MemoryWorkloads } from './memory-cluster/workloads.ts';

export type { ClusterOperation, Gate } from './memory-cluster/scripted-calls.ts';

export class MemoryCluster extends ScriptedCalls implements Cluster {
  readonly namespaces = new MemoryNamespaces(this);
  readonly secrets: MemorySecrets = this.namespaces.secrets;
  readonly releases = new MemoryReleases(this);
  readonly workloads = new MemoryWorkloads(this);
  readonly inspection = new MemoryInspection(this.namespaces);
  readonly data = new MemoryData(this);
  readonly scaling = new MemoryScaling(this);
  readonly backupSchedule = new MemoryBackupSchedule(this);
  readonly certificates = new MemoryCertificates();
  readonly fallback = new MemoryFallback();
  /** Engines a test has made unavailable, with the reason given. */
  readonly unavailableEngines = new Map<Engine, string>();
  private readonly configured: boolean;

  constructor(options: { configured?: boolean } = {}) {
    super();
    this.configured = options.configured ?? true;
  }

  info(): ClusterInfo {
    return { configured: this.configured, simulated: true, description: 'in-memory test cluster' };
  }

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

  /** True when nothing at all is left for this store. */
  isEmptyFor(target: Pick<StoreTarget, 'namespace' | 'release'>): boolean {
    return (
      !this.namespaces.existing.has(target.namespace) &&
      !this.secrets.existing.has(target.namespace) &&
      !this.releases.current.has(target.release)
    );
  }
}
