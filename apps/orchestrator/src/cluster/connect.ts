// Chooses the cluster the orchestrator works on: KUBECONFIG, else the in-cluster ServiceAccount,
// else none (stores then fail at once with a message saying what to configure).

import { CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { ClusterNodes, PlacementPolicy } from '../engines/registry.ts';
import { smtpRelay } from '../mail/mail-config.ts';
import { apiError } from './cluster-errors.ts';
import { HelmCli } from './helm-cli.ts';
import { kubernetesCluster } from './kubernetes-cluster.ts';
import type { Cluster, ClusterInfo } from './port.ts';
import { unconfiguredCluster } from './unconfigured-cluster.ts';

const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export async function connectCluster(config: Config, logger: Logger): Promise<Cluster> {
  const kubeConfig = new KubeConfig();
  if (config.KUBECONFIG) kubeConfig.loadFromFile(config.KUBECONFIG);
  else if (process.env.KUBERNETES_SERVICE_HOST) kubeConfig.loadFromCluster();
  else return unconfiguredCluster();

  const server = kubeConfig.getCurrentCluster()?.server ?? 'unknown server';
  const { info, nodes } = await describe(kubeConfig, server, config.STORE_PLACEMENT, logger);
  const helm = new HelmCli({
    bin: config.HELM_BIN,
    ...(config.KUBECONFIG ? { kubeconfig: config.KUBECONFIG } : {}),
    // helm gives up a little before the attempt does, so its own error (not a timeout) is reported.
    timeoutMs: Math.max(10_000, Math.floor(config.PROVISION_TIMEOUT * 0.8)),
  });
  const relay = smtpRelay(config);
  const [roleNamespace, roleAccount] = config.ORCHESTRATOR_SERVICE_ACCOUNT?.split('/') ?? [];
  return kubernetesCluster({
    kubeConfig,
    helm,
    info,
    nodes,
    placement: config.STORE_PLACEMENT,
    logger,
    chart: {
      valuesFiles: config.engineValuesFiles,
      baseDomain: config.STORE_BASE_DOMAIN,
      ingressClass: config.INGRESS_CLASS,
      storageClass: config.STORAGE_CLASS,
      environment: config.ENVIRONMENT,
      ...(config.STORE_TLS ? { tls: config.STORE_TLS } : {}),
      ...(config.STORE_URL_TLS_PORT ? { tlsPort: config.STORE_URL_TLS_PORT } : {}),
      ...(relay ? { smtp: relay } : {}),
      ...(roleNamespace ? { platformNamespace: roleNamespace } : {}),
    },
    ...(config.STORE_CLUSTER_ROLE && roleNamespace && roleAccount
      ? {
          storeAccess: {
            clusterRole: config.STORE_CLUSTER_ROLE,
            serviceAccount: { namespace: roleNamespace, name: roleAccount },
          },
        }
      : {}),
  });
}

const REAL_NODE_LABEL = 'storefleet.io/node';

/**
 * Which cluster this is, whether its nodes are simulated (KWOK: then store URLs will not serve), and
 * the local cluster's real node with the images it holds.
 */
async function describe(
  kubeConfig: KubeConfig,
  server: string,
  placement: PlacementPolicy,
  logger: Logger,
): Promise<{ info: ClusterInfo; nodes: ClusterNodes }> {
  let version: string;
  try {
    version = (await kubeConfig.makeApiClient(VersionApi).getCode()).gitVersion;
  } catch (error) {
    const failure = apiError(error, 'read the cluster version', server);
    logger.warn({ err: failure, server }, 'the cluster does not answer yet; store operations will retry');
    return {
      info: {
        configured: true,
        simulated: false,
        description: `Kubernetes at ${server} (not reachable at start-up)`,
      },
      nodes: { simulated: false, realNode: undefined },
    };
  }
  let simulated = false;
  let realNode: ClusterNodes['realNode'];
  try {
    const nodes = await kubeConfig.makeApiClient(CoreV1Api).listNode();
    // The local cluster's real node takes only pods that ask for it (a taint): stores land on the
    // simulated nodes until their chart asks for it.
    const storeNodes = nodes.items.filter((node) => node.metadata?.labels?.[REAL_NODE_LABEL] !== 'real');
    const real = nodes.items.find((node) => node.metadata?.labels?.[REAL_NODE_LABEL] === 'real');
    if (real?.metadata?.name)
      realNode = {
        name: real.metadata.name,
        label: { key: REAL_NODE_LABEL, value: 'real' },
        images: (real.status?.images ?? []).flatMap((image) => image.names ?? []),
      };
    simulated =
      storeNodes.length > 0 && storeNodes.every((node) => node.metadata?.annotations?.[KWOK_NODE_ANNOTATION]);
  } catch {
    // Least-privilege accounts may not list nodes; such a cluster is taken to be real.
  }
  const realStores = realNode !== undefined && placement === 'auto';
  const description = realStores
    ? `Local control plane ${version} at ${server} with a real node (${realNode?.name}, containerd): stores of engines whose images it holds run there and serve; engines whose images it lacks are unavailable.`
    : simulated
      ? `Local control plane ${version} at ${server}: store pods are simulated (KWOK), store URLs will not serve. Use k3d, kind or k3s for real stores.`
      : `Kubernetes ${version} at ${server}`;
  return {
    info: { configured: true, simulated: simulated && !realStores, description },
    nodes: { simulated, realNode },
  };
}
