// The Cluster on a real Kubernetes API server (@kubernetes/client-node) and the helm CLI: one adapter
// per role, all sharing one set of API clients.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Engine } from '@storefleet/contracts';
import type { Logger } from 'pino';
import {
  type ClusterNodes,
  decideEngine,
  engineModule,
  engineModules,
  type PlacementPolicy,
} from '../engines/registry.ts';
import { KubernetesBackupJobs } from './backup-jobs.ts';
import { KubernetesBackupSchedule } from './backup-schedule.ts';
import { publishFallbackRoute } from './fallback-route.ts';
import type { HelmCli } from './helm-cli.ts';
import { KubernetesHostCertificates } from './host-certificates.ts';
import { KubernetesInspection } from './inspection.ts';
import { KubeApi } from './kube-api.ts';
import { KubernetesNamespaces, type StoreAccess } from './namespaces.ts';
import type { Cluster, ClusterInfo } from './port.ts';
import { HelmReleases } from './releases.ts';
import { KubernetesUsage } from './resource-usage.ts';
import { KubernetesScaling } from './scaling.ts';
import { KubernetesSecrets } from './secrets.ts';
import { KubernetesStoreData } from './store-data.ts';
import type { ChartSettings } from './store-values.ts';
import { KubernetesWorkloads } from './workloads.ts';

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

export function kubernetesCluster(options: KubernetesClusterOptions): Cluster {
  const kube = new KubeApi(options.kubeConfig);
  const decide = (engine: Engine) => decideEngine(engineModule(engine), options.nodes, options.placement);
  return {
    info: () => options.info,
    engines: () => engineModules().map((module) => decide(module.name).availability),
    namespaces: new KubernetesNamespaces(kube, options.storeAccess),
    secrets: new KubernetesSecrets(kube, options.chart.smtp?.password),
    releases: new HelmReleases({
      kube,
      helm: options.helm,
      chart: options.chart,
      placementOf: (engine) => decide(engine).placement,
    }),
    workloads: new KubernetesWorkloads(kube, options.logger),
    inspection: new KubernetesInspection(kube),
    data: new KubernetesStoreData(kube),
    scaling: new KubernetesScaling(kube),
    backupSchedule: new KubernetesBackupSchedule(kube),
    certificates: new KubernetesHostCertificates(kube),
    fallback: {
      publishFallbackRoute: (upstream, signal) =>
        publishFallbackRoute(kube, upstream, options.chart.ingressClass, signal),
    },
    usage: new KubernetesUsage(kube),
    backupJobs: new KubernetesBackupJobs(kube, (engine) => decide(engine).placement),
  };
}
