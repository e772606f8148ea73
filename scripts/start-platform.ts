// `npm start`: the platform on the embedded database, on a cluster. KUBECONFIG (or a reachable
// ~/.kube/config context: k3d, kind, k3s) wins; with neither, the local control plane of
// tools/testcluster is started (with a real node where the host can run one; store pods simulated)
// and left running for the next start (`npm run cluster:down` stops it); with a real node, a mail
// catcher takes the stores' e-mail while the platform runs. What is being prepared is served at once
// on the platform's port until the orchestrator takes it over.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import {
  type NodeBinaries,
  resolveBinaries,
  resolveHelm,
  resolveNodeBinaries,
} from '../tools/testcluster/src/binaries.ts';
import { clusterStatus } from '../tools/testcluster/src/cluster-status.ts';
import { clusterUp } from '../tools/testcluster/src/control-plane.ts';
import { buildImages } from '../tools/testcluster/src/node/images.ts';
import { chooseNodeMode } from '../tools/testcluster/src/node/mode.ts';
import { GATEWAY } from '../tools/testcluster/src/node/node-layout.ts';
import { REPO_ROOT } from '../tools/testcluster/src/paths.ts';
import { keepRunning } from '../tools/testcluster/src/shared-cluster.ts';
import { ensureDashboardBuilt } from './build-dashboard.ts';
import { type LocalMail, startLocalMail } from './local-mail.ts';
import { createPreparation, servePreparation } from './preparation.ts';

const log = (line: string) => process.stderr.write(`[start] ${line}\n`);

async function reachable(kubeconfig: string): Promise<boolean> {
  try {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    await Promise.race([
      config.makeApiClient(VersionApi).getCode(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** The cluster the user configured, if any; undefined means the local one is started. */
async function configuredCluster(): Promise<string | undefined> {
  if (process.env.KUBECONFIG) {
    log(`using the cluster of KUBECONFIG=${process.env.KUBECONFIG}`);
    return process.env.KUBECONFIG;
  }
  const userConfig = join(homedir(), '.kube', 'config');
  if (existsSync(userConfig) && (await reachable(userConfig))) {
    log(`using the current context of ${userConfig}`);
    return userConfig;
  }
  log(
    'no cluster configured: starting the local control plane (the first start builds its binaries; this takes minutes)',
  );
  return undefined;
}

/** The local Traefik's port (store URLs) and metrics (idle sleep), when the local cluster has a real node. */
let ingressPort: number | undefined;
let ingressMetricsUrl: string | undefined;
/** The local Traefik's https entry point and the ACME server (Pebble) and DNS (challtestsrv) beside it. */
let https: { port: number; dnsServer: string } | undefined;

async function startLocalCluster(step: (line: string) => void): Promise<string> {
  const cluster = await clusterUp({ build: true, log: step });
  await keepRunning(cluster.dir, step);
  const { node } = await clusterStatus(cluster.dir);
  if (node?.kind === 'real') {
    ingressPort = node.ingressPort;
    ingressMetricsUrl = node.ingressMetricsUrl;
    if (node.ingressTlsPort && node.acme)
      https = { port: node.ingressTlsPort, dnsServer: node.acme.dnsServer };
  }
  log(
    node?.kind === 'real'
      ? `local control plane up with a real node (${node.name}): stores of the engines whose images it holds ` +
          `run in real containers and answer through the ingress at http://<store>.localhost:${node.ingressPort}` +
          (node.ingressTlsPort ? ` and https://<store>.localhost:${node.ingressTlsPort}` : '') +
          (node.acme
            ? ''
            : ` (no https: ${node.acmeUnavailable ?? 'node started before Pebble was added'})`) +
          '; `npm run cluster:down` stops it'
      : `local control plane up: pods are SIMULATED (${node?.reason ?? 'no real node'}), store URLs will not serve; ` +
          '`npm run cluster:down` stops it',
  );
  return cluster.kubeconfig;
}

const STEPS = {
  dashboard: 'Build the dashboard',
  binaries: 'Build the cluster binaries (Go module proxy)',
  images: 'Build the node images',
  cluster: 'Start the local cluster',
} as const;

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const configured = await configuredCluster();
const realNode = !configured && chooseNodeMode().kind === 'real';
const preparation = createPreparation(
  [
    STEPS.dashboard,
    ...(configured ? [STEPS.binaries] : [STEPS.binaries, ...(realNode ? [STEPS.images] : []), STEPS.cluster]),
  ],
  log,
);
const page = await servePreparation(preparation, port, host).catch((error: Error) => {
  log(`cannot listen on ${host}:${port}: ${error.message} (set PORT to another port)`);
  process.exit(1);
});
log(`preparing; progress at http://${host}:${port}/ (and GET /api/preparation)`);

let kubeconfig: string;
let helm: string;
let nodeBinaries: NodeBinaries | undefined;
try {
  await preparation.run(STEPS.dashboard, (step) => ensureDashboardBuilt(step));
  helm = await preparation.run(STEPS.binaries, async (step) => {
    if (!configured) {
      await resolveBinaries({ build: true, log: step });
      if (realNode) nodeBinaries = await resolveNodeBinaries({ build: true, log: step });
    }
    return process.env.HELM_BIN ?? (await resolveHelm({ build: true, log: step }));
  });
  if (realNode) {
    await preparation.run(STEPS.images, async (step) => {
      await buildImages(step);
    });
  }
  kubeconfig = configured ?? (await preparation.run(STEPS.cluster, startLocalCluster));
} catch (error) {
  log(`start-up failed: ${(error as Error).message}`);
  process.exit(1);
}
/**
 * On the local cluster's real node the orchestrator runs on the host beside Traefik: it publishes
 * itself as the ingress's default backend (asleep stores' pages) and reads Traefik's metrics (idle
 * sleep). Store pods reach the host on the node's bridge: when HOST listens there too, scheduled
 * backups can call back.
 */
function localIngressSettings(): Record<string, string> {
  return {
    PUBLISH_INGRESS_FALLBACK: process.env.PUBLISH_INGRESS_FALLBACK ?? 'true',
    INGRESS_URL: process.env.INGRESS_URL ?? `http://127.0.0.1:${ingressPort}`,
    ...(ingressMetricsUrl && !process.env.INGRESS_METRICS_URL
      ? { INGRESS_METRICS_URL: ingressMetricsUrl }
      : {}),
    // Stores over https with certificates from the node's Pebble (plain http keeps working); custom
    // domains are checked in challtestsrv's DNS, the only DNS Pebble asks, and probed at the local Traefik.
    ...(https && !process.env.STORE_TLS
      ? {
          STORE_TLS: 'ingress',
          STORE_URL_TLS_PORT: String(https.port),
          DOMAIN_DNS_SERVERS: process.env.DOMAIN_DNS_SERVERS ?? https.dnsServer,
          DOMAIN_INGRESS_ADDRESS: process.env.DOMAIN_INGRESS_ADDRESS ?? '127.0.0.1',
          DOMAIN_TLS_PROBE_ADDRESS: process.env.DOMAIN_TLS_PROBE_ADDRESS ?? `127.0.0.1:${https.port}`,
        }
      : {}),
    ...((host === '0.0.0.0' || host === GATEWAY) && !process.env.PLATFORM_INTERNAL_URL
      ? { PLATFORM_INTERNAL_URL: `http://${GATEWAY}:${port}` }
      : {}),
  };
}

// Only a real node's stores send mail (its bridge address exists once the cluster is up).
const mail: LocalMail | undefined =
  ingressPort && nodeBinaries ? await startLocalMail(nodeBinaries.mailpit, log) : undefined;

// Hand the port to the orchestrator; the page reloads into the dashboard.
page.closeAllConnections();
await new Promise((resolve) => page.close(resolve));
const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/orchestrator/src/main.ts')], {
  stdio: 'inherit',
  env: {
    ...process.env,
    KUBECONFIG: kubeconfig,
    HELM_BIN: helm,
    ...(ingressPort && !process.env.STORE_URL_PORT ? { STORE_URL_PORT: String(ingressPort) } : {}),
    ...(ingressPort ? localIngressSettings() : {}),
    ...mail?.env,
  },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', async (code, signal) => {
  await mail?.stop().catch((error: Error) => log(`stopping the mail catcher: ${error.message}`));
  process.exit(code ?? (signal ? 1 : 0));
});
