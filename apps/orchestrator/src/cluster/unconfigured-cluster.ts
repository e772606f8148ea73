// Stands in when no cluster is configured, so that stores fail at once with a reason saying what to do.
import type { EngineAvailability, ReleaseRevision, StoreResources } from '@storefleet/contracts';
import { describeEngine, engineModules } from '../engines/registry.ts';
import {
  type AdminCredentials,
  type BackupPart,
  type Cluster,
  ClusterError,
  type ClusterInfo,
  type DeployedRelease,
  type WorkloadProgress,
  type WorkloadWatch,
} from './port.ts';

const HOW_TO =
  'No Kubernetes cluster is configured: set KUBECONFIG to a kubeconfig file (k3d, kind or k3s) or run the orchestrator inside a cluster, then retry the store.';

export class UnconfiguredCluster implements Cluster {
  info(): ClusterInfo {
    return { configured: false, simulated: false, description: HOW_TO };
  }

  /** Every engine, as far as this platform goes: creating a store then fails with what to configure. */
  engines(): EngineAvailability[] {
    return engineModules().map((module) =>
      describeEngine(module, { available: true, pods: 'real', reason: null }),
    );
  }

  private refuse(): never {
    throw new ClusterError('ClusterNotConfigured', HOW_TO, { retryable: false });
  }

  async ensureNamespace(): Promise<void> {
    this.refuse();
  }
  async ensureSecrets(): Promise<void> {
    this.refuse();
  }
  async installRelease(): Promise<DeployedRelease> {
    this.refuse();
  }
  async rollbackRelease(): Promise<DeployedRelease> {
    this.refuse();
  }
  async releaseHistory(): Promise<ReleaseRevision[]> {
    this.refuse();
  }
  async resources(): Promise<StoreResources> {
    this.refuse();
  }
  watchWorkloads(): WorkloadWatch {
    this.refuse();
  }
  async observeWorkloads(): Promise<WorkloadProgress[]> {
    this.refuse();
  }
  async adminCredentials(): Promise<AdminCredentials> {
    this.refuse();
  }
  async waitUntilReady(): Promise<void> {
    this.refuse();
  }
  async helmRunning(): Promise<boolean | undefined> {
    return undefined;
  }

  async uninstallRelease(): Promise<void> {
    this.refuse();
  }
  async deleteNamespace(): Promise<void> {
    this.refuse();
  }
  backupParts(): BackupPart[] {
    return ['database'];
  }
  async dumpData(): Promise<void> {
    this.refuse();
  }
  async restoreData(): Promise<void> {
    this.refuse();
  }
  async scaleDown(): Promise<void> {
    this.refuse();
  }
  async scaleUp(): Promise<void> {
    this.refuse();
  }
  async rerunSetup(): Promise<void> {
    this.refuse();
  }
  async applyBackupSchedule(): Promise<void> {
    this.refuse();
  }
  async publishFallbackRoute(): Promise<void> {
    this.refuse();
  }
  async deleteHostCertificate(): Promise<void> {
    this.refuse();
  }
}
