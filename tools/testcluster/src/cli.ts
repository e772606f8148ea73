// npm run cluster:up | cluster:down | cluster:status | cluster:build, and npm run helm -- <args>.
import { spawn } from 'node:child_process';
import { resolveBinaries, resolveHelm, resolveNodeBinaries } from './binaries.ts';
import { clusterStatus } from './cluster-status.ts';
import { clusterDown, clusterUp } from './control-plane.ts';
import { stderrLog } from './log.ts';
import { writeDockerfiles } from './node/dockerfile.ts';
import { chooseNodeMode } from './node/mode.ts';
import { defaultClusterDir } from './paths.ts';
import { keepRunning } from './shared-cluster.ts';

const USAGE = `usage: node tools/testcluster/src/cli.ts <command>
  up        start the test cluster (or find it running); prints the kubeconfig path
  down      stop the test cluster and delete its directory
  status    show whether each component runs and the API answers; exit code 1 when it is down
  build     build the pinned binaries that are missing (Go >= 1.26)
  dockerfiles  render each node image's recipe (tools/testcluster/images/*/image.json) as its Dockerfile
  helm ...  run the pinned helm, with KUBECONFIG set to the test cluster's when it is up
The cluster lives in STOREFLEET_CLUSTER_DIR (default <repo>/.data/cluster).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': {
      const cluster = await clusterUp({ build: true });
      await keepRunning(cluster.dir);
      process.stdout.write(`${cluster.kubeconfig}\n`);
      return 0;
    }
    case 'down':
      await clusterDown();
      return 0;
    case 'status':
      return printStatus();
    case 'build': {
      const binaries = await resolveBinaries({ build: true });
      const helm = await resolveHelm({ build: true });
      const node = chooseNodeMode().kind === 'real' ? await resolveNodeBinaries({ build: true }) : {};
      for (const [name, path] of Object.entries({ ...binaries, helm, ...node }))
        process.stdout.write(`${name}\t${path}\n`);
      return 0;
    }
    case 'helm':
      return runHelm(rest);
    case 'dockerfiles':
      for (const file of await writeDockerfiles()) process.stdout.write(`wrote ${file}\n`);
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
}

async function printStatus(): Promise<number> {
  const status = await clusterStatus();
  if (!status.exists) {
    process.stdout.write(`no test cluster in ${status.dir}\n`);
    return 1;
  }
  const lines = [`cluster in ${status.dir}`];
  for (const component of status.components) {
    const state = component.running ? `running (pid ${component.pid})` : 'not running';
    lines.push(`  ${component.name.padEnd(24)} ${state}`);
  }
  lines.push(
    `  ${'API server'.padEnd(24)} ${status.apiReady ? 'ready' : 'not answering'} at ${status.server}`,
  );
  const node = status.node;
  lines.push(
    node?.kind === 'real'
      ? `  ${'node'.padEnd(24)} real: ${node.name} (containerd + runc, bridge CNI), ingress class ${node.ingressClass} ` +
          `at http://<host>.localhost:${node.ingressPort}` +
          (node.acme
            ? ` and https://<host>.localhost:${node.ingressTlsPort} (ACME: Pebble at ${node.acme.directoryUrl}, DNS ${node.acme.dnsServer})`
            : ` (no https: ${node.acmeUnavailable ?? 'started without Pebble'})`) +
          `, images ${node.images.join(', ')}`
      : `  ${'node'.padEnd(24)} simulated only${node ? `: ${node.reason}` : ''}`,
  );
  lines.push(`kubeconfig: ${status.kubeconfig ?? '(missing)'}`);
  lines.push(status.healthy ? 'healthy' : 'down: `npm run cluster:up` cleans it up and starts it again');
  process.stdout.write(`${lines.join('\n')}\n`);
  return status.healthy ? 0 : 1;
}

async function runHelm(args: string[]): Promise<number> {
  const helm = await resolveHelm({ build: true });
  const env = { ...process.env };
  const status = await clusterStatus();
  if (status.healthy && status.kubeconfig) env.KUBECONFIG = status.kubeconfig;
  else stderrLog(`no test cluster is running in ${defaultClusterDir()}; helm uses your own KUBECONFIG`);
  return new Promise((resolve) => {
    const child = spawn(helm, args, { stdio: 'inherit', env });
    child.on('error', (error) => {
      stderrLog(`${helm} could not be started: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
