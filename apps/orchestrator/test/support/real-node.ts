// The test cluster's real node, as the cluster tool recorded it: undefined when stores run on
// simulated nodes only (the host cannot run one).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { orchestratorKubeconfig, type TestCluster } from './kube.ts';

export interface RealNodeState {
  kind: 'real';
  ingressPort: number;
  ingressClass: string;
  /** Traefik's Prometheus metrics (requests per Service). */
  ingressMetricsUrl: string;
  /** Traefik's https entry point (certificates from the node's Pebble); absent on a node from before. */
  ingressTlsPort?: number;
  acme?: {
    resolver: string;
    directoryUrl: string;
    listenerCaFile: string;
    managementUrl: string;
    dnsServer: string;
    dnsManagementUrl: string;
    logFile: string;
  };
  acmeUnavailable?: string;
}

export function realNode(cluster: TestCluster): RealNodeState | undefined {
  const state = JSON.parse(readFileSync(join(dirname(cluster.adminKubeconfig), 'cluster.json'), 'utf8')) as {
    node?: RealNodeState | { kind: 'simulated'; reason: string };
  };
  return state.node?.kind === 'real' ? state.node : undefined;
}

/**
 * The environment of an orchestrator that runs stores on the real node with the platform's least
 * privilege (the chart's ServiceAccount and store ClusterRole), slow enough for Medusa on 2 cores.
 */
export async function realNodeEnvironment(
  cluster: TestCluster,
  node: RealNodeState | undefined,
  readyTimeoutMs: number,
): Promise<Record<string, string>> {
  return {
    KUBECONFIG: await orchestratorKubeconfig(cluster),
    HELM_BIN: cluster.helm,
    STORE_CLUSTER_ROLE: 'storefleet-store',
    ORCHESTRATOR_SERVICE_ACCOUNT: 'storefleet/storefleet-orchestrator',
    STORE_PLACEMENT: 'auto',
    INGRESS_CLASS: node?.ingressClass ?? 'traefik',
    STORE_URL_PORT: String(node?.ingressPort),
    // Where the orchestrator asks the ingress for a store's host (asleep page, serving after a wake).
    INGRESS_URL: `http://127.0.0.1:${node?.ingressPort}`,
    PROVISION_TIMEOUT: `${readyTimeoutMs / 1000}s`,
    MAX_PROVISION_RETRIES: '1',
    PROVISION_RETRY_BACKOFF: '2s',
    LEASE_DURATION: '30s',
  };
}
