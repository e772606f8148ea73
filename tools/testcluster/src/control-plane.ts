// A throw-away Kubernetes control plane in one directory: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok (fake nodes that run pods without containers), all on 127.0.0.1.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { adminApi } from './admin-api.ts';
import { type Binaries, type NodeBinaries, resolveBinaries, resolveNodeBinaries } from './binaries.ts';
import { bootstrapCluster, hostPathVolumeDirs } from './bootstrap.ts';
import { type ClusterState, clusterStatus, readState } from './cluster-status.ts';
import {
  apiServerUrl,
  type ClusterPorts,
  type ComponentSpec,
  componentSpecs,
  PORT_NAMES,
} from './components.ts';
import { withFileLock } from './file-lock.ts';
import { answers, type TlsMaterial } from './http.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { type ClusterLayout, clusterLayout } from './layout.ts';
import { formatDuration, type Log, stderrLog } from './log.ts';
import { upgradeRunningNode } from './node/acme-upgrade.ts';
import { chooseNodeMode, type NodeMode } from './node/mode.ts';
import { NODE_COMPONENTS, realNodeOwner, startRealNode, stopRealNode, takenMessage } from './node/node.ts';
import { GATEWAY } from './node/node-layout.ts';
import { defaultClusterDir } from './paths.ts';
import { CLIENT_IDENTITIES, type ClientIdentity, writeClusterPki } from './pki.ts';
import { freePorts } from './ports.ts';
import {
  type ProcessRecord,
  readProcessRecords,
  startDetached,
  stopProcesses,
  waitReady,
  writeProcessRecord,
} from './processes.ts';

export interface ClusterUpOptions {
  /** Default: STOREFLEET_CLUSTER_DIR, else `<repo>/.data/cluster`. */
  dir?: string;
  /** Build missing binaries with Go (default true). */
  build?: boolean;
  /** Fake nodes (default 3), each 8 CPU, 32Gi, 110 pods. */
  nodes?: number;
  /** `simulated`: no real node, whatever the host can do (a second cluster beside the one that has it). */
  node?: 'simulated';
  log?: Log;
}

export interface RunningCluster {
  dir: string;
  kubeconfig: string;
  server: string;
  /** False when a healthy cluster was already running in the directory. */
  started: boolean;
}

/** Real where the host can and no other cluster holds the machine's real node. */
async function nodeMode(dir: string): Promise<NodeMode> {
  const mode = chooseNodeMode();
  if (mode.kind === 'simulated') return mode;
  const owner = await realNodeOwner(dir);
  if (!owner) return mode;
  if (process.env.STOREFLEET_NODE === 'real')
    throw new Error(`STOREFLEET_NODE=real, but ${takenMessage(owner)}`);
  return { kind: 'simulated', reason: takenMessage(owner) };
}

class RealNodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealNodeError';
  }
}

const lockOptions = (dir: string, log: Log) => ({
  what: `the cluster in ${dir}`,
  timeoutMs: 5 * 60_000,
  log,
});
const lockFile = (dir: string) => `${dir}.lock`;

export async function clusterUp(options: ClusterUpOptions = {}): Promise<RunningCluster> {
  const log = options.log ?? stderrLog;
  const layout = clusterLayout(resolve(options.dir ?? defaultClusterDir()));
  // Before the lock: a first build takes minutes and must not hold up `status` or `down`.
  const binaries = await resolveBinaries({ build: options.build ?? true, log });
  const mode =
    options.node === 'simulated'
      ? ({ kind: 'simulated', reason: 'asked for' } as const)
      : await nodeMode(layout.dir);
  const nodeBinaries =
    mode.kind === 'real' ? await resolveNodeBinaries({ build: options.build ?? true, log }) : undefined;
  return withFileLock(lockFile(layout.dir), lockOptions(layout.dir, log), async () => {
    const status = await clusterStatus(layout.dir);
    if (status.healthy && status.server) {
      if (status.node?.kind === 'real' && nodeBinaries) await upgradeRunningNode(layout, nodeBinaries, log);
      log(`a healthy cluster is already running in ${layout.dir}`);
      return { dir: layout.dir, kubeconfig: layout.adminKubeconfig, server: status.server, started: false };
    }
    if (status.exists) {
      log(`cleaning up the stopped or broken cluster in ${layout.dir}`);
      await teardown(layout, log);
    } else {
      await assertUsableDir(layout.dir);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await start(layout, binaries, nodeBinaries, mode, options.nodes ?? 3, log);
      } catch (error) {
        if (nodeBinaries) await stopRealNode(layout, log).catch((cleanup: Error) => log(cleanup.message));
        await stopProcesses(await readProcessRecords(layout.pids), log).catch(() => {});
        // Ports are free when picked but another process may take one before the component binds it.
        const portTaken = /address already in use/i.test((error as Error).message);
        if (portTaken && attempt < 3) {
          log('a port was taken in the meantime; starting again on other ports');
          await rm(layout.dir, { recursive: true, force: true });
          continue;
        }
        // The node has more moving parts than the control plane: one more try, with the reason shown.
        if (error instanceof RealNodeError && attempt < 2) {
          log(`${error.message}; trying once more`);
          await rm(layout.dir, { recursive: true, force: true });
          continue;
        }
        throw new Error(
          `the test cluster did not start: ${(error as Error).message}\n(logs are in ${layout.logs}; ` +
            '`npm run cluster:down` removes the directory)',
        );
      }
    }
  });
}

/** Stops the cluster in `dir` and deletes the directory. False when there was no cluster there. */
export async function clusterDown(
  dir: string = defaultClusterDir(),
  options: { log?: Log } = {},
): Promise<boolean> {
  const log = options.log ?? stderrLog;
  const layout = clusterLayout(resolve(dir));
  return withFileLock(lockFile(layout.dir), lockOptions(layout.dir, log), async () => {
    if (!existsSync(layout.state)) {
      await assertUsableDir(layout.dir);
      await rm(layout.dir, { recursive: true, force: true });
      log(`no cluster in ${layout.dir}`);
      return false;
    }
    const started = Date.now();
    await teardown(layout, log);
    log(`cluster in ${layout.dir} stopped and removed in ${formatDuration(Date.now() - started)}`);
    return true;
  });
}

async function start(
  layout: ClusterLayout,
  binaries: Binaries,
  nodeBinaries: NodeBinaries | undefined,
  mode: NodeMode,
  nodes: number,
  log: Log,
): Promise<RunningCluster> {
  const started = Date.now();
  const picked = await freePorts(PORT_NAMES.length);
  const ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, picked[i]])) as unknown as ClusterPorts;
  const server = apiServerUrl(ports);
  await mkdir(layout.dir, { recursive: true });
  const state: ClusterState = { ports, server, createdAt: new Date().toISOString(), binaries };
  await writeFile(layout.state, `${JSON.stringify(state, null, 2)}\n`);
  await mkdir(layout.logs, { recursive: true });
  await writeClusterPki(layout.pki);
  for (const identity of Object.keys(CLIENT_IDENTITIES) as ClientIdentity[]) {
    await writeKubeconfig(layout, identity, server);
  }
  await copyFile(binaries.kwokStages, layout.kwokConfig);

  const api = await adminApi(layout, server);
  const launch = async (spec: ComponentSpec) => {
    const record = startDetached(spec, layout.log(spec.name));
    await writeProcessRecord(layout.pids, record);
    return record;
  };
  const [etcd, apiserver, ...others] = componentSpecs(
    layout,
    ports,
    binaries,
    nodeBinaries ? GATEWAY : undefined,
  );
  for (const spec of [etcd!, apiserver!]) await waitHealthy(spec, await launch(spec), layout, api.tls, log);
  const records = await Promise.all(others.map(launch));
  await Promise.all(others.map((spec, i) => waitHealthy(spec, records[i]!, layout, api.tls, log)));
  await bootstrapCluster(api, nodes, log);
  if (mode.kind === 'simulated') log(`simulated nodes only: ${mode.reason}`);
  state.node = nodeBinaries
    ? {
        kind: 'real',
        ...(await startRealNode(layout, api, nodeBinaries, log).catch((error: Error) => {
          throw new RealNodeError(`the real node did not start: ${error.message}`);
        })),
      }
    : { kind: 'simulated', reason: mode.kind === 'simulated' ? mode.reason : 'no node binaries' };
  await writeFile(layout.state, `${JSON.stringify(state, null, 2)}\n`);
  log(`cluster up in ${formatDuration(Date.now() - started)}: ${server}`);
  log(`kubeconfig: ${layout.adminKubeconfig}`);
  return { dir: layout.dir, kubeconfig: layout.adminKubeconfig, server, started: true };
}

function waitHealthy(
  spec: ComponentSpec,
  record: ProcessRecord,
  layout: ClusterLayout,
  tls: TlsMaterial,
  log: Log,
): Promise<void> {
  return waitReady(
    record,
    {
      ready: () => answers(spec.health.url, spec.health.tls === 'admin' ? tls : undefined),
      what: `answering ${spec.health.url}`,
      timeoutMs: spec.startTimeoutMs,
      logFile: layout.log(spec.name),
    },
    log,
  );
}

/** Stops whatever still runs, deletes the provisioned volume directories, then the cluster directory. */
async function teardown(layout: ClusterLayout, log: Log): Promise<void> {
  const state = await readState(layout);
  let volumeDirs: string[] = [];
  if (state) {
    try {
      volumeDirs = await hostPathVolumeDirs(await adminApi(layout, state.server));
    } catch {
      log(
        'the API server does not answer, so volume directories under /tmp/hostpath_pv cannot be identified',
      );
    }
  }
  const hadNode = state?.node?.kind === 'real' || existsSync(`${layout.dir}/node`);
  if (hadNode) await stopRealNode(layout, log);
  const records = await readProcessRecords(layout.pids);
  await stopProcesses(
    hadNode
      ? records.filter((record) => !(NODE_COMPONENTS as readonly string[]).includes(record.name))
      : records,
    log,
  );
  for (const volumeDir of volumeDirs) await rm(volumeDir, { recursive: true, force: true });
  if (volumeDirs.length > 0)
    log(`removed ${volumeDirs.length} volume director${volumeDirs.length === 1 ? 'y' : 'ies'}`);
  await assertUsableDir(layout.dir);
  await rm(layout.dir, { recursive: true, force: true });
}

/** Refuses to delete or fill a directory that has other things in it than a test cluster. */
async function assertUsableDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length > 0 && !entries.includes('cluster.json')) {
    throw new Error(
      `${dir} is not empty and holds no test cluster (no cluster.json); refusing to use or delete it. ` +
        'Choose another directory (STOREFLEET_CLUSTER_DIR) or empty it.',
    );
  }
}

async function writeKubeconfig(
  layout: ClusterLayout,
  identity: ClientIdentity,
  server: string,
): Promise<void> {
  const read = (name: string) => readFile(layout.pkiFile(name), 'utf8');
  const text = renderKubeconfig({
    server,
    caPem: await read('ca.crt'),
    certPem: await read(`${identity}.crt`),
    keyPem: await read(`${identity}.key`),
  });
  await writeFile(layout.kubeconfig(identity), text, { mode: 0o600 });
}
