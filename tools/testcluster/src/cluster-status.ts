// What a test cluster directory holds and whether its components run: the recorded state
// (cluster.json) and `clusterStatus`.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { adminApi } from './admin-api.ts';
import type { Binaries } from './binaries.ts';
import { type ClusterPorts, COMPONENTS, type ComponentName } from './components.ts';
import { answers } from './http.ts';
import { type ClusterLayout, clusterLayout } from './layout.ts';
import { type NODE_COMPONENTS, nodeComponents, type RealNodeInfo } from './node/node.ts';
import { defaultClusterDir } from './paths.ts';
import { isRunning, readProcessRecords } from './processes.ts';

export interface ComponentStatus {
  name: ComponentName | (typeof NODE_COMPONENTS)[number];
  pid: number | null;
  running: boolean;
}

export interface ClusterStatus {
  dir: string;
  /** The directory holds a cluster (running or not). */
  exists: boolean;
  server: string | null;
  kubeconfig: string | null;
  apiReady: boolean;
  components: ComponentStatus[];
  /** Every component runs and the API server is ready. */
  healthy: boolean;
  node: NodeState | null;
}

/** A real node beside the simulated ones, or why there is none. */
export type NodeState = ({ kind: 'real' } & RealNodeInfo) | { kind: 'simulated'; reason: string };

export interface ClusterState {
  ports: ClusterPorts;
  server: string;
  createdAt: string;
  binaries: Binaries;
  node?: NodeState;
}

export async function clusterStatus(dir: string = defaultClusterDir()): Promise<ClusterStatus> {
  const layout = clusterLayout(resolve(dir));
  const state = await readState(layout);
  const records = await readProcessRecords(layout.pids);
  const names = state?.node?.kind === 'real' ? [...COMPONENTS, ...nodeComponents(state.node)] : COMPONENTS;
  const components = names.map((name): ComponentStatus => {
    const record = records.find((r) => r.name === name);
    return { name, pid: record?.pid ?? null, running: record ? isRunning(record) : false };
  });
  const api = state ? await adminApi(layout, state.server).catch(() => undefined) : undefined;
  const apiReady = api ? await answers(`${api.server}/readyz`, api.tls) : false;
  return {
    dir: layout.dir,
    exists: existsSync(layout.state),
    server: state?.server ?? null,
    kubeconfig: existsSync(layout.adminKubeconfig) ? layout.adminKubeconfig : null,
    apiReady,
    components,
    healthy: apiReady && components.every((component) => component.running),
    node: state?.node ?? null,
  };
}

/** The cluster's recorded state; undefined when there is none or it cannot be read (a crash while writing). */
export async function readState(layout: ClusterLayout): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(layout.state, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}
