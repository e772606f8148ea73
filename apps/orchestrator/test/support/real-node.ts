// The test cluster's real node, as the cluster tool recorded it: undefined when stores run on
// simulated nodes only (the host cannot run one).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestCluster } from './kube.ts';

export interface RealNodeState {
  kind: 'real';
  ingressPort: number;
  ingressClass: string;
  /** Traefik's Prometheus metrics (requests per Service). */
  ingressMetricsUrl: string;
}

export function realNode(cluster: TestCluster): RealNodeState | undefined {
  const state = JSON.parse(readFileSync(join(dirname(cluster.adminKubeconfig), 'cluster.json'), 'utf8')) as {
    node?: RealNodeState | { kind: 'simulated'; reason: string };
  };
  return state.node?.kind === 'real' ? state.node : undefined;
}
