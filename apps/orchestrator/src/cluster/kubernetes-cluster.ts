// The Cluster port on a real Kubernetes API server (@kubernetes/client-node) and the helm CLI: a
// facade over one adapter per role (namespaces, secrets, releases, workloads, inspection).
import type { Readable, Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Engine, EngineAvailability, ReleaseRevision, StoreResources } from '@storefleet/contracts';
import type { Logger } from 'pino';
import {
  type ClusterNodes,
  decideEngine,
  engineModule,
  engineModules,
  type PlacementPolicy,
} from '../engines/registry.ts';
import { KubernetesBackupSchedule } from './backup-schedule.ts';
import { publishFallbackRoute } from './fallback-route.ts';
import type { HelmCli } from './helm-cli.ts';
import { KubernetesHostCertificates } from './host-certificates.ts';
import { KubernetesInspection } from './inspection.ts';
import { KubeApi } from './kube-api.ts';
import { KubernetesNamespaces, type StoreAccess } from './namespaces.ts';
import type {
  AdminCredentials,
  BackupPart,
  BackupScheduleTarget,
  Cluster,
  ClusterInfo,
  ClusterInspection,
  ClusterNamespaces,
  ClusterReleases,
  ClusterSecrets,
  ClusterWorkloads,
  DeployedRelease,
  ScaleScope,
  StoreTarget,
  WorkloadProgress,
  WorkloadWatch,
} from './port.ts';
import { HelmReleases } from './releases.ts';
import { KubernetesScaling } from './scaling.ts';
import { KubernetesSecrets } from './secrets.ts';
import { KubernetesStoreData } from './store-data.ts';
import type { ChartSettings } from './store-values.ts';
import { KubernetesWorkloads } from './workloads.ts';

export { LABELS, STORE_WORKLOAD_SELECTOR } from './store-labels.ts';
export type { ChartSettings } from './store-values.ts';

export interface KubernetesClusterOptions {
  kubeConfig: KubeConfig;
  helm: HelmCli;
  chart: ChartSettings;
  info: ClusterInfo;
  /** The kinds of nodes found at start-up, and where stores go when there is a real node. */
  nodes: ClusterNodes;
  placement: PlacementPolicy;
  /** When set, each store namespace gets a RoleBinding of this ClusterRole to this ServiceAccount. */
  storeAccess?: StoreAccess;
  logger: Logger;
}

export class KubernetesCluster implements Cluster {
  private readonly options: KubernetesClusterOptions;
  private readonly namespaces: ClusterNamespaces;
  private readonly secrets: ClusterSecrets;
  private readonly releases: ClusterReleases;
  private readonly workloads: ClusterWorkloads;
  private readonly inspection: ClusterInspection;
  private readonly data: KubernetesStoreData;
  private readonly scaling: KubernetesScaling;
  private readonly backupSchedule: KubernetesBackupSchedule;
  private readonly kube: KubeApi;

  constructor(options: KubernetesClusterOptions) {
    this.options = options;
    const kube = new KubeApi(options.kubeConfig);
    this.kube = kube;
    this.namespaces = new KubernetesNamespaces(kube, options.storeAccess);
    this.secrets = new KubernetesSecrets(kube);
    this.releases = new HelmReleases({
      kube,
      helm: options.helm,
      chart: options.chart,
      placementOf: (engine) => this.decide(engine).placement,
    });
    this.workloads = new KubernetesWorkloads(kube, options.logger);
    this.inspection = new KubernetesInspection(kube);
    this.data = new KubernetesStoreData(kube);
    this.scaling = new KubernetesScaling(kube);
    this.backupSchedule = new KubernetesBackupSchedule(kube);
  }

  info(): ClusterInfo {
    return this.options.info;
  }

  engines(): EngineAvailability[] {
    return engineModules().map((module) => this.decide(module.name).availability);
  }

  private decide(engine: Engine) {
    return decideEngine(engineModule(engine), this.options.nodes, this.options.placement);
  }

  ensureNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.namespaces.ensureNamespace(target, signal);
  }
  deleteNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.namespaces.deleteNamespace(target, signal);
  }
  ensureSecrets(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.secrets.ensureSecrets(target, signal);
  }
  installRelease(target: StoreTarget, signal: AbortSignal): Promise<DeployedRelease> {
    return this.releases.installRelease(target, signal);
  }
  rollbackRelease(target: StoreTarget, revision: number, signal: AbortSignal): Promise<DeployedRelease> {
    return this.releases.rollbackRelease(target, revision, signal);
  }
  releaseHistory(target: StoreTarget, signal: AbortSignal): Promise<ReleaseRevision[]> {
    return this.releases.releaseHistory(target, signal);
  }
  helmRunning(target: StoreTarget): Promise<boolean | undefined> {
    return this.releases.helmRunning(target);
  }
  uninstallRelease(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.releases.uninstallRelease(target, signal);
  }
  waitUntilReady(
    target: StoreTarget,
    signal: AbortSignal,
    onProgress: (progress: WorkloadProgress) => Promise<void>,
  ): Promise<void> {
    return this.workloads.waitUntilReady(target, signal, onProgress);
  }
  watchWorkloads(
    target: StoreTarget,
    onChange: (progress: WorkloadProgress[]) => Promise<void>,
  ): WorkloadWatch {
    return this.workloads.watchWorkloads(target, onChange);
  }
  observeWorkloads(target: StoreTarget, signal: AbortSignal): Promise<WorkloadProgress[]> {
    return this.workloads.observeWorkloads(target, signal);
  }
  resources(target: StoreTarget, signal: AbortSignal): Promise<StoreResources> {
    return this.inspection.resources(target, signal);
  }
  adminCredentials(target: StoreTarget, signal: AbortSignal): Promise<AdminCredentials> {
    return this.inspection.adminCredentials(target, signal);
  }
  backupParts(target: StoreTarget): BackupPart[] {
    return this.data.backupParts(target);
  }
  dumpData(target: StoreTarget, part: BackupPart, sink: Writable, signal: AbortSignal): Promise<void> {
    return this.data.dumpData(target, part, sink, signal);
  }
  restoreData(target: StoreTarget, part: BackupPart, source: Readable, signal: AbortSignal): Promise<void> {
    return this.data.restoreData(target, part, source, signal);
  }
  scaleDown(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void> {
    return this.scaling.scaleDown(target, scope, signal);
  }
  scaleUp(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void> {
    return this.scaling.scaleUp(target, scope, signal);
  }
  rerunSetup(target: StoreTarget, tag: string, signal: AbortSignal): Promise<void> {
    return this.scaling.rerunSetup(target, tag, signal);
  }
  applyBackupSchedule(
    target: StoreTarget,
    schedule: BackupScheduleTarget | null,
    signal: AbortSignal,
  ): Promise<void> {
    return this.backupSchedule.applyBackupSchedule(target, schedule, signal);
  }
  deleteHostCertificate(target: StoreTarget, host: string, signal: AbortSignal): Promise<void> {
    return new KubernetesHostCertificates(this.kube).deleteHostCertificate(target, host, signal);
  }
  publishFallbackRoute(upstream: { host: string; port: number }, signal: AbortSignal): Promise<void> {
    return publishFallbackRoute(this.kube, upstream, this.options.chart.ingressClass, signal);
  }
}
