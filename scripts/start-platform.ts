// `npm start`: the platform on the embedded database, on a cluster. KUBECONFIG (or a reachable
// ~/.kube/config context: k3d, kind, k3s) wins; with neither, the local control plane of
// tools/testcluster is started (pods simulated, store URLs will not serve) and left running for the
// next start (`npm run cluster:down` stops it).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { resolveHelm } from '../tools/testcluster/src/binaries.ts';
import { clusterStatus, clusterUp } from '../tools/testcluster/src/control-plane.ts';
import { REPO_ROOT } from '../tools/testcluster/src/paths.ts';
import { keepRunning } from '../tools/testcluster/src/shared-cluster.ts';
import { ensureDashboardBuilt } from './build-dashboard.ts';

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

async function chooseCluster(): Promise<{ kubeconfig: string; local: boolean }> {
  if (process.env.KUBECONFIG) {
    log(`using the cluster of KUBECONFIG=${process.env.KUBECONFIG}`);
    return { kubeconfig: process.env.KUBECONFIG, local: false };
  }
  const userConfig = join(homedir(), '.kube', 'config');
  if (existsSync(userConfig) && (await reachable(userConfig))) {
    log(`using the current context of ${userConfig}`);
    return { kubeconfig: userConfig, local: false };
  }
  log(
    'no cluster configured: starting the local control plane (the first start builds its binaries; this takes minutes)',
  );
  const cluster = await clusterUp({ build: true, log });
  await keepRunning(cluster.dir, log);
  const { node } = await clusterStatus(cluster.dir);
  log(
    node?.kind === 'real'
      ? `local control plane up with a real node (${node.name}): workloads that ask for it run in real ` +
          `containers and answer through the ingress at http://<host>.localhost:${node.ingressPort}; ` +
          'store pods are still SIMULATED; `npm run cluster:down` stops it'
      : `local control plane up: pods are SIMULATED (${node?.reason ?? 'no real node'}), store URLs will not serve; ` +
          '`npm run cluster:down` stops it',
  );
  return { kubeconfig: cluster.kubeconfig, local: true };
}

await ensureDashboardBuilt(log);
const { kubeconfig } = await chooseCluster();
const helm = process.env.HELM_BIN ?? (await resolveHelm({ build: true, log }));
const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/orchestrator/src/main.ts')], {
  stdio: 'inherit',
  env: {
    ...process.env,
    KUBECONFIG: kubeconfig,
    HELM_BIN: helm,
    STORE_CHART: process.env.STORE_CHART ?? join(REPO_ROOT, 'charts/store'),
  },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
