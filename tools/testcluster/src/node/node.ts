// The real node: containerd + runc (Debian's) with the bridge CNI plugin, kubelet and kube-proxy, and
// CoreDNS and Traefik on the host (they reach the API server on loopback and need no image). Started
// after the control plane by `up`, stopped before it by `down`.
import { mkdir, writeFile } from 'node:fs/promises';
import { type AdminApi, callApi, createIfAbsent } from '../admin-api.ts';
import type { NodeBinaries } from '../binaries.ts';
import { waitFor } from '../bootstrap.ts';
import { answers } from '../http.ts';
import type { ClusterLayout } from '../layout.ts';
import { formatDuration, type Log } from '../log.ts';
import { freePorts } from '../ports.ts';
import {
  isRunning,
  type ProcessRecord,
  readProcessRecords,
  startDetached,
  stopProcesses,
  waitReady,
  writeProcessRecord,
} from '../processes.ts';
import { capture } from '../run.ts';
import { type AcmeInfo, acmeInfo, acmeLayout, acmeUnavailable, writeAcmeFiles } from './acme.ts';
import { cleanHost, dropClaim, killContainers, prepareHost, readClaim, writeClaim } from './host.ts';
import { importImages } from './images.ts';
import { acmeSpecs, CLEAN_ENV, type NodeSpec, traefikSpec } from './ingress-specs.ts';
import {
  ENFORCER_COMPONENT,
  enforcerSpec,
  grantEnforcerAccess,
  NETWORK_POLICY_ENFORCER,
  removeEnforcerRules,
} from './network-policy.ts';
import {
  cniConfig,
  containerdConfig,
  corefile,
  kubeletArgs,
  kubeletConfig,
  kubeProxyConfig,
  NODE_PORT_NAMES,
  type NodePorts,
} from './node-config.ts';
import { GATEWAY, INGRESS_CLASS, NODE_NAME, nodeLayout } from './node-layout.ts';

export const NODE_COMPONENTS = [
  'containerd',
  'kubelet',
  'kube-proxy',
  ENFORCER_COMPONENT,
  'coredns',
  'challtestsrv',
  'pebble',
  'traefik',
] as const;
const CNI_BIN_DIR = '/usr/lib/cni';

export interface RealNodeInfo {
  name: string;
  ingressPort: number;
  ingressClass: string;
  /** Traefik's Prometheus metrics: requests per Service, which idle sleep reads. */
  ingressMetricsUrl: string;
  /** Traefik's https entry point, whose certificates come from the node's ACME server. */
  ingressTlsPort?: number;
  /** The node's ACME server (Pebble) and its DNS; absent, with `acmeUnavailable` saying why. */
  acme?: AcmeInfo;
  acmeUnavailable?: string;
  /** What enforces NetworkPolicies on the node; absent on a node from before (none did). */
  networkPolicy?: string;
  images: string[];
}

/** The node's processes; Pebble's and the enforcer only when it was started with them (a node from before has none). */
export function nodeComponents(
  node: Pick<RealNodeInfo, 'acme' | 'networkPolicy'>,
): (typeof NODE_COMPONENTS)[number][] {
  return NODE_COMPONENTS.filter(
    (name) =>
      (node.acme || (name !== 'pebble' && name !== 'challtestsrv')) &&
      (node.networkPolicy || name !== ENFORCER_COMPONENT),
  );
}

export async function startRealNode(
  cluster: ClusterLayout,
  api: AdminApi,
  binaries: NodeBinaries,
  log: Log,
): Promise<RealNodeInfo> {
  const layout = nodeLayout(cluster.dir);
  const owner = await realNodeOwner(cluster.dir);
  if (owner) throw new Error(takenMessage(owner));
  const claim = await readClaim();
  if (claim && claim.dir !== cluster.dir) {
    // A claim whose cluster is not running is a killed run's: clean up after it and take over.
    log(`cleaning up after the real node of ${claim.dir}, which no longer runs`);
    await stopProcesses(await readProcessRecords(`${claim.dir}/pids`), log).catch(() => {});
    await cleanHost(nodeLayout(claim.dir), log);
  }
  await writeClaim(cluster.dir);
  const started = Date.now();
  await cleanHost(layout, () => {});
  await prepareHost(layout, log);
  const picked = await freePorts(NODE_PORT_NAMES.length + 1);
  const enforcerHealthPort = picked[NODE_PORT_NAMES.length]!;
  const ports = Object.fromEntries(
    NODE_PORT_NAMES.map((name, i) => [name, picked[i]]),
  ) as unknown as NodePorts;
  for (const dir of [layout.cniConfDir, layout.cniIpamDir, layout.kubeletRoot, layout.containerdRoot]) {
    await mkdir(dir, { recursive: true });
  }
  await writeFile(layout.containerdConfig, containerdConfig(layout, CNI_BIN_DIR));
  await writeFile(`${layout.cniConfDir}/10-storefleet.conflist`, cniConfig(layout));
  await writeFile(layout.kubeletConfig, kubeletConfig(layout, ports, cluster.pkiFile('ca.crt')));
  await writeFile(layout.kubeProxyConfig, kubeProxyConfig(ports, cluster.kubeconfig('kube-proxy')));
  await writeFile(layout.corefile, corefile(ports, cluster.adminKubeconfig));
  await writeFile(layout.resolvConf, `nameserver ${GATEWAY}\n`);
  const noAcme = acmeUnavailable();
  const acme = noAcme ? undefined : acmeLayout(cluster.dir);
  if (acme) await writeAcmeFiles(acme, ports);

  const local = (port: number, path: string) => () => answers(`http://127.0.0.1:${port}${path}`);
  const specs: NodeSpec[] = [
    {
      name: 'containerd',
      command: 'containerd',
      args: ['--config', layout.containerdConfig],
      env: CLEAN_ENV,
      ready: () =>
        capture('ctr', ['--address', layout.containerdSocket, 'version'], { timeoutMs: 5000 }).then(
          () => true,
          () => false,
        ),
      startTimeoutMs: 30_000,
    },
    {
      name: 'kubelet',
      command: binaries.kubelet,
      args: kubeletArgs(layout, cluster.kubeconfig('kubelet')),
      env: CLEAN_ENV,
      ready: local(ports.kubeletHealthz, '/healthz'),
      startTimeoutMs: 60_000,
    },
    {
      name: 'kube-proxy',
      command: binaries.kubeProxy,
      args: [`--config=${layout.kubeProxyConfig}`],
      env: CLEAN_ENV,
      ready: local(ports.kubeProxyHealthz, '/healthz'),
      startTimeoutMs: 60_000,
    },
    // After kube-proxy: its chains and kube-proxy's both hook FORWARD, and it reads Services' ranges.
    enforcerSpec(binaries.kubeRouter, cluster, enforcerHealthPort),
    {
      name: 'coredns',
      command: binaries.coredns,
      args: ['-conf', layout.corefile],
      env: CLEAN_ENV,
      ready: local(ports.corednsReady, '/ready'),
      startTimeoutMs: 60_000,
    },
    ...(acme ? acmeSpecs(acme, ports) : []),
    traefikSpec(binaries, cluster, ports, acme),
  ];
  const [containerd, kubelet, ...addOns] = specs;
  await launch(containerd!, cluster, log);
  const images = await importImages(layout.containerdSocket, log);
  await launch(kubelet!, cluster, log);
  await waitFor(`node ${NODE_NAME} to be Ready`, 120_000, () => nodeReady(api));
  await createIfAbsent(api, '/apis/networking.k8s.io/v1/ingressclasses', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: INGRESS_CLASS },
    spec: { controller: 'traefik.io/ingress-controller' },
  });
  await grantEnforcerAccess(api);
  for (const spec of addOns) await launch(spec, cluster, log);
  log(
    `real node ${NODE_NAME} up in ${formatDuration(Date.now() - started)}; ingress at http://<name>.localhost:${ports.ingress}` +
      (acme
        ? ` and https://<name>.localhost:${ports.ingressTls} (certificates from Pebble)`
        : ` (no https: ${noAcme})`),
  );
  return {
    name: NODE_NAME,
    ingressPort: ports.ingress,
    ingressClass: INGRESS_CLASS,
    ingressMetricsUrl: `http://127.0.0.1:${ports.traefikPing}/metrics`,
    ...(acme
      ? { ingressTlsPort: ports.ingressTls, acme: acmeInfo(acme, ports, cluster.log('pebble')) }
      : { acmeUnavailable: noAcme }),
    networkPolicy: NETWORK_POLICY_ENFORCER,
    images,
  };
}

/** The directory of another cluster whose real node runs on this machine (there can be one). */
export async function realNodeOwner(clusterDir: string): Promise<string | undefined> {
  const claim = await readClaim();
  if (!claim || claim.dir === clusterDir) return undefined;
  const records = await readProcessRecords(`${claim.dir}/pids`);
  return records.some((record) => record.name === 'kubelet' && isRunning(record)) ? claim.dir : undefined;
}

export function takenMessage(owner: string): string {
  return (
    `the real node of this machine belongs to the cluster in ${owner} ` +
    '(stop it with `npm run cluster:down` there, or set STOREFLEET_NODE=simulated)'
  );
}

export async function launch(spec: NodeSpec, cluster: ClusterLayout, log: Log): Promise<ProcessRecord> {
  const record = startDetached(spec, cluster.log(spec.name));
  await writeProcessRecord(cluster.pids, record);
  await waitReady(
    record,
    { ready: spec.ready, what: 'ready', timeoutMs: spec.startTimeoutMs, logFile: cluster.log(spec.name) },
    log,
  );
  return record;
}

async function nodeReady(api: AdminApi): Promise<boolean> {
  const node = await callApi<{ status?: { conditions?: { type: string; status: string }[] } }>(
    api,
    'GET',
    `/api/v1/nodes/${NODE_NAME}`,
  );
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Stops the node's processes (kubelet first, so it restarts nothing; containerd last) and undoes
 * what it changed on the host. Fails when something is left.
 */
export async function stopRealNode(cluster: ClusterLayout, log: Log): Promise<void> {
  const records = await readProcessRecords(cluster.pids);
  const ofNode = (names: readonly string[]) => records.filter((record) => names.includes(record.name));
  const layout = nodeLayout(cluster.dir);
  const claim = await readClaim();
  if (claim && claim.dir !== cluster.dir) {
    // Another cluster took the host over after this one was killed: the host is its to clean.
    await stopProcesses(ofNode(NODE_COMPONENTS), log);
    log(`the real node now belongs to the cluster in ${claim.dir}; leaving the host to it`);
    return;
  }
  await stopProcesses(
    ofNode(['kubelet', 'kube-proxy', ENFORCER_COMPONENT, 'coredns', 'traefik', 'pebble', 'challtestsrv']),
    log,
  );
  await removeEnforcerRules(log);
  await killContainers(layout);
  await stopProcesses(ofNode(['containerd']), log);
  await cleanHost(layout, log);
  await dropClaim(cluster.dir);
}
