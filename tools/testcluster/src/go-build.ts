import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  COREDNS_MAIN_GO,
  corednsWrapperGoMod,
  ETCD_MAIN_GO,
  etcdLdflags,
  etcdWrapperGoMod,
  helmLdflags,
  KUBERNETES_BUILD_TAGS,
  KUBERNETES_COMMANDS,
  KUBERNETES_NODE_COMMANDS,
  kubeRouterLdflags,
  kubernetesLdflags,
  kubernetesToolsGo,
  kubernetesWrapperGoMod,
  kwokLdflags,
  mailpitLdflags,
  TRAEFIK_TOOLS_GO,
  traefikLdflags,
  traefikWrapperGoMod,
} from './go-mod.ts';
import type { GoToolchain } from './go-toolchain.ts';
import { formatDuration, type Log } from './log.ts';
import { capture, runLogged } from './run.ts';
import { PINNED_VERSIONS } from './versions.ts';

export type BuildTarget =
  | 'kubernetes'
  | 'etcd'
  | 'kwok'
  | 'helm'
  | 'kubernetes-node'
  | 'coredns'
  | 'traefik'
  | 'mailpit'
  | 'kube-router';

export const TARGET_BINARIES: Record<BuildTarget, readonly string[]> = {
  kubernetes: KUBERNETES_COMMANDS,
  etcd: ['etcd'],
  kwok: ['kwok'],
  helm: ['helm'],
  'kubernetes-node': KUBERNETES_NODE_COMMANDS,
  coredns: ['coredns'],
  traefik: ['traefik'],
  mailpit: ['mailpit'],
  'kube-router': ['kube-router'],
};

export const TARGET_VERSION: Record<BuildTarget, string> = PINNED_VERSIONS;

const VERSION_ARGS: Record<BuildTarget, readonly string[]> = {
  kubernetes: ['--version'],
  etcd: ['--version'],
  kwok: ['--version'],
  helm: ['version'],
  'kubernetes-node': ['--version'],
  coredns: ['-version'],
  traefik: ['version'],
  // Without the flag it asks GitHub for a newer release (no network here).
  mailpit: ['version', '--no-release-check'],
  'kube-router': ['--version'],
};

/** Rough cold-build times on 2 cores, for the progress messages. */
const COLD_BUILD_TIME: Record<BuildTarget, string> = {
  kubernetes: 'about 5 min',
  etcd: 'under 1 min after kubernetes, 2 min alone',
  kwok: 'about 2 min',
  helm: 'about 2 min',
  'kubernetes-node': 'about 4 min after the control plane',
  coredns: 'about 3 min',
  traefik: 'about 6 min',
  mailpit: 'about 1.5 min',
  'kube-router': 'about 3 min',
};

interface BuildContext {
  toolchain: GoToolchain;
  binDir: string;
  buildDir: string;
  log: Log;
}

function goRun(
  context: BuildContext,
  label: string,
  args: string[],
  cwd: string,
  extraEnv: NodeJS.ProcessEnv = {},
) {
  const { toolchain } = context;
  const [command, ...prefixArgs] = [...toolchain.prefix, toolchain.go];
  return runLogged(command!, [...prefixArgs, ...args], {
    label,
    log: context.log,
    cwd,
    env: { ...toolchain.env, ...extraEnv },
    echoStdout: true,
  });
}

/** `go mod download -json module@version`: the module's cache entry (Dir, GoMod, …). */
export async function downloadModule(
  toolchain: GoToolchain,
  moduleAtVersion: string,
  cwd: string,
  log: Log,
): Promise<{ Dir: string; GoMod: string }> {
  await mkdir(cwd, { recursive: true });
  const stdout = await runLogged(toolchain.go, ['mod', 'download', '-json', moduleAtVersion], {
    label: `go mod download ${moduleAtVersion}`,
    log,
    cwd,
    env: toolchain.env,
  }).catch((error: Error) => {
    // With -json, go reports a failed download in the JSON on stdout; the error's tail includes it.
    throw new Error(`could not download ${moduleAtVersion} from the Go module proxy: ${error.message}`);
  });
  const info = JSON.parse(stdout) as { Dir?: string; GoMod?: string; Error?: string };
  if (info.Error || !info.Dir || !info.GoMod) {
    throw new Error(
      `could not download ${moduleAtVersion} from the Go module proxy: ${info.Error ?? stdout}`,
    );
  }
  return { Dir: info.Dir, GoMod: info.GoMod };
}

export async function buildTarget(target: BuildTarget, context: BuildContext): Promise<void> {
  const version = TARGET_VERSION[target];
  const dir = join(context.buildDir, target);
  await mkdir(join(dir, 'out'), { recursive: true });
  const started = Date.now();
  context.log(
    `building ${TARGET_BINARIES[target].join(', ')} ${version} with ${context.toolchain.version} ` +
      `(${COLD_BUILD_TIME[target]} on 2 cores without a Go build cache)`,
  );
  if (target === 'kubernetes') await buildKubernetes(context, dir, version, KUBERNETES_COMMANDS);
  else if (target === 'kubernetes-node')
    await buildKubernetes(context, dir, version, KUBERNETES_NODE_COMMANDS);
  else if (target === 'etcd') await buildEtcd(context, dir, version);
  else if (target === 'coredns') await buildCoredns(context, dir, version);
  else if (target === 'traefik') await buildTraefik(context, dir, version);
  else await goInstall(context, target, dir, version);
  for (const name of TARGET_BINARIES[target]) {
    await install(
      join(dir, 'out', name),
      join(context.binDir, `${name}-${version}`),
      version,
      VERSION_ARGS[target],
    );
  }
  context.log(
    `built ${TARGET_BINARIES[target].join(', ')} ${version} in ${formatDuration(Date.now() - started)}`,
  );
}

async function buildKubernetes(
  context: BuildContext,
  dir: string,
  version: string,
  commands: readonly string[],
): Promise<void> {
  const upstream = await downloadModule(
    context.toolchain,
    `k8s.io/kubernetes@${version}`,
    context.buildDir,
    context.log,
  );
  await writeFile(
    join(dir, 'go.mod'),
    kubernetesWrapperGoMod(await readFile(upstream.GoMod, 'utf8'), version),
  );
  await writeFile(join(dir, 'tools.go'), kubernetesToolsGo(commands));
  await rm(join(dir, 'go.sum'), { force: true });
  await goRun(context, `kubernetes ${version} (go mod tidy)`, ['mod', 'tidy'], dir);
  const buildDate = process.env.SOURCE_DATE_EPOCH
    ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000)
    : new Date();
  const ldflags = kubernetesLdflags(version, buildDate, process.env.KUBE_GIT_COMMIT ?? '');
  // One `go build` for all of them shares the compile work.
  await goRun(
    context,
    `kubernetes ${version} (go build)`,
    [
      'build',
      '-trimpath',
      `-tags=${KUBERNETES_BUILD_TAGS}`,
      `-ldflags=${ldflags}`,
      '-o',
      'out/',
      ...commands.map((name) => `k8s.io/kubernetes/cmd/${name}`),
    ],
    dir,
  );
}

async function buildCoredns(context: BuildContext, dir: string, version: string): Promise<void> {
  await writeFile(join(dir, 'main.go'), COREDNS_MAIN_GO);
  await writeFile(join(dir, 'go.mod'), corednsWrapperGoMod(version));
  await rm(join(dir, 'go.sum'), { force: true });
  await goRun(context, `coredns ${version} (go mod tidy)`, ['mod', 'tidy'], dir);
  await goRun(
    context,
    `coredns ${version} (go build)`,
    ['build', '-trimpath', '-ldflags=-s -w', '-o', 'out/coredns', '.'],
    dir,
  );
}

async function buildTraefik(context: BuildContext, dir: string, version: string): Promise<void> {
  const upstream = await downloadModule(
    context.toolchain,
    `github.com/traefik/traefik/v3@${version}`,
    context.buildDir,
    context.log,
  );
  await writeFile(join(dir, 'go.mod'), traefikWrapperGoMod(await readFile(upstream.GoMod, 'utf8'), version));
  await writeFile(join(dir, 'tools.go'), TRAEFIK_TOOLS_GO);
  await rm(join(dir, 'go.sum'), { force: true });
  await goRun(context, `traefik ${version} (go mod tidy)`, ['mod', 'tidy'], dir);
  await goRun(
    context,
    `traefik ${version} (go build)`,
    [
      'build',
      '-trimpath',
      `-ldflags=${traefikLdflags(version)}`,
      '-o',
      'out/traefik',
      'github.com/traefik/traefik/v3/cmd/traefik',
    ],
    dir,
  );
}

async function buildEtcd(context: BuildContext, dir: string, version: string): Promise<void> {
  await writeFile(join(dir, 'main.go'), ETCD_MAIN_GO);
  await writeFile(join(dir, 'go.mod'), etcdWrapperGoMod(version));
  await rm(join(dir, 'go.sum'), { force: true });
  await goRun(context, `etcd ${version} (go mod tidy)`, ['mod', 'tidy'], dir);
  const ldflags = etcdLdflags(process.env.ETCD_GIT_SHA || 'unknown');
  await goRun(
    context,
    `etcd ${version} (go build)`,
    ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', 'out/etcd', '.'],
    dir,
  );
}

/**
 * The targets without replace directives: `go install pkg@version` builds with upstream's go.mod.
 * Also what an image recipe's Dockerfile runs (with an empty git commit).
 */
export const INSTALLED: Record<
  'kwok' | 'helm' | 'mailpit' | 'kube-router',
  (version: string, gitCommit?: string) => [pkg: string, ldflags: string]
> = {
  kwok: (version) => ['sigs.k8s.io/kwok/cmd/kwok', kwokLdflags(version)],
  helm: (version, gitCommit = '') => ['helm.sh/helm/v4/cmd/helm', helmLdflags(version, gitCommit)],
  // Its web UI (server/ui/dist) is not in the module zip: the binary serves SMTP and the /api/v1 API.
  mailpit: (version) => ['github.com/axllent/mailpit', mailpitLdflags(version)],
  'kube-router': (version) => [
    'github.com/cloudnativelabs/kube-router/v2/cmd/kube-router',
    kubeRouterLdflags(version),
  ],
};

async function goInstall(
  context: BuildContext,
  target: keyof typeof INSTALLED,
  dir: string,
  version: string,
): Promise<void> {
  const [pkg, ldflags] = INSTALLED[target](version, process.env.HELM_GIT_COMMIT ?? '');
  await goRun(
    context,
    `${target} ${version} (go install)`,
    ['install', '-trimpath', `-ldflags=${ldflags}`, `${pkg}@${version}`],
    dir,
    {
      GOBIN: join(dir, 'out'),
    },
  );
}

/** Copies into place atomically and checks that the binary runs and reports the pinned version. */
async function install(source: string, destination: string, version: string, versionArgs: readonly string[]) {
  await mkdir(dirname(destination), { recursive: true });
  const temporary = `${destination}.tmp-${process.pid}`;
  await copyFile(source, temporary);
  await chmod(temporary, 0o755);
  const output = await capture(temporary, versionArgs);
  if (!output.includes(version.replace(/^v/, ''))) {
    await rm(temporary, { force: true });
    throw new Error(`the freshly built ${source} does not report version ${version}: ${output.trim()}`);
  }
  await rename(temporary, destination);
}
