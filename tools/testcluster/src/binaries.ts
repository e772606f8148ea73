// Finds the pinned binaries: in STOREFLEET_BIN_DIR, else in the cache as <name>-<version>, else builds
// them with the machine's Go. Never takes kube binaries from PATH (a kubectl-era install there is unrelated).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from './file-lock.ts';
import { type BuildTarget, buildTarget, TARGET_BINARIES, TARGET_VERSION } from './go-build.ts';
import { findGo, findOnPath, type GoToolchain, isExecutableFile } from './go-toolchain.ts';
import { kwokStagesFileName, writeKwokStages } from './kwok-stages.ts';
import { type Log, stderrLog } from './log.ts';
import { cacheRoot } from './paths.ts';
import { capture } from './run.ts';

export { PINNED_VERSIONS } from './versions.ts';

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  /** kwok's Stage objects (the kwok binary has none built in). */
  kwokStages: string;
}

export interface ResolveOptions {
  /** Build what is missing with the machine's Go (about 10 minutes the first time). */
  build: boolean;
  log?: Log;
}

type BinaryName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kwok'
  | 'helm'
  | 'kubelet'
  | 'kube-proxy'
  | 'coredns'
  | 'traefik'
  | 'mailpit'
  | 'kube-router';

/** What a real node runs besides containerd and runc (Debian's), and the mail catcher its stores send to. */
export interface NodeBinaries {
  kubelet: string;
  kubeProxy: string;
  coredns: string;
  traefik: string;
  /** Runs on the host, not in the node; only real store pods send mail, so it comes with the node. */
  mailpit: string;
  /** Its firewall alone: enforces NetworkPolicies with iptables and ipset (node/network-policy.ts). */
  kubeRouter: string;
}

const NODE: readonly BinaryName[] = ['kubelet', 'kube-proxy', 'coredns', 'traefik', 'mailpit', 'kube-router'];

const CONTROL_PLANE: readonly BinaryName[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];

function targetOf(name: BinaryName): BuildTarget {
  const target = (Object.keys(TARGET_BINARIES) as BuildTarget[]).find((t) =>
    TARGET_BINARIES[t].includes(name),
  );
  if (!target) throw new Error(`no build target for ${name}`);
  return target;
}

const versioned = (name: BinaryName) => `${name}-${TARGET_VERSION[targetOf(name)]}`;
const binDir = () => join(cacheRoot(), 'bin');
const buildDir = () => join(cacheRoot(), 'build');

/** Thrown when a binary is neither provided nor could be built; the message says how to provide it. */
export class MissingBinariesError extends Error {
  readonly missing: readonly string[];
  constructor(missing: readonly string[], reason: string) {
    super(missingMessage(missing, reason));
    this.name = 'MissingBinariesError';
    this.missing = missing;
  }
}

function missingMessage(missing: readonly string[], reason: string): string {
  const binaries = missing.filter((name) => !name.endsWith('.yaml'));
  const plain = binaries.map((name) => name.replace(/-v\d.*$/, ''));
  const provided = [
    ...(binaries.length > 0
      ? [`the release binaries named ${plain.join(', ')} (or ${binaries.join(', ')})`]
      : []),
    ...(missing.some((name) => name.startsWith('kwok')) ? [`kwok's stages as ${kwokStagesFileName()}`] : []),
  ];
  return (
    `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: ${reason}. ` +
    `Either install Go ≥ 1.26 and run \`npm run cluster:build\` (builds from the Go module proxy into ${binDir()}; ` +
    `about 10 minutes the first time), or set STOREFLEET_BIN_DIR to a directory holding ${provided.join(' and ')}`
  );
}

function findBinary(name: BinaryName): string | undefined {
  const dir = process.env.STOREFLEET_BIN_DIR;
  if (dir) {
    for (const candidate of [name, versioned(name)]) {
      if (isExecutableFile(join(dir, candidate))) return join(dir, candidate);
    }
  }
  const cached = join(binDir(), versioned(name));
  return isExecutableFile(cached) ? cached : undefined;
}

/** A binary that must be there now (after building). */
function path(name: BinaryName): string {
  const found = findBinary(name);
  if (!found) throw new MissingBinariesError([versioned(name)], 'not found even after building');
  return found;
}

function findKwokStages(): string | undefined {
  const dir = process.env.STOREFLEET_BIN_DIR;
  const candidates = dir ? [join(dir, 'kwok-stages.yaml'), join(dir, kwokStagesFileName())] : [];
  candidates.push(join(cacheRoot(), 'share', kwokStagesFileName()));
  return candidates.find((file) => existsSync(file));
}

async function goOrExplain(missing: readonly string[]): Promise<GoToolchain> {
  try {
    return await findGo();
  } catch (error) {
    throw new MissingBinariesError(
      missing,
      `Go is needed to build ${missing.length === 1 ? 'it' : 'them'}, and ${(error as Error).message}`,
    );
  }
}

/** Builds each target that has a missing binary, one process at a time per target (a lock file). */
async function build(names: readonly BinaryName[], log: Log): Promise<void> {
  const missing = names.map(versioned);
  const toolchain = await goOrExplain(missing);
  // Kubernetes first: etcd then reuses most of its compiled dependencies.
  const targets = (Object.keys(TARGET_BINARIES) as BuildTarget[]).filter((t) =>
    names.some((n) => targetOf(n) === t),
  );
  log(`building ${missing.join(', ')} (progress is printed as it goes)`);
  for (const target of targets) {
    const lock = join(buildDir(), `${target}.lock`);
    await withFileLock(lock, { what: `the build of ${target}`, timeoutMs: 45 * 60_000, log }, async () => {
      // Another process may have built it while this one waited for the lock.
      if (TARGET_BINARIES[target].every((name) => findBinary(name as BinaryName))) return;
      try {
        await buildTarget(target, { toolchain, binDir: binDir(), buildDir: buildDir(), log });
      } catch (error) {
        const failed = TARGET_BINARIES[target].map((name) => versioned(name as BinaryName));
        throw new MissingBinariesError(failed, `building ${target} failed: ${(error as Error).message}`);
      }
    });
  }
}

async function ensureKwokStages(log: Log): Promise<string> {
  const target = join(cacheRoot(), 'share', kwokStagesFileName());
  const toolchain = await goOrExplain([kwokStagesFileName()]);
  await withFileLock(
    join(buildDir(), 'kwok-stages.lock'),
    { what: 'the kwok stages', timeoutMs: 10 * 60_000, log },
    () => (existsSync(target) ? Promise.resolve() : writeKwokStages(target, toolchain, buildDir(), log)),
  );
  return target;
}

export async function resolveBinaries(options: ResolveOptions): Promise<Binaries> {
  const log = options.log ?? stderrLog;
  const missing = CONTROL_PLANE.filter((name) => !findBinary(name));
  let kwokStages = findKwokStages();
  if (!options.build && (missing.length > 0 || !kwokStages)) {
    const names = missing.map(versioned);
    if (!kwokStages) names.push(kwokStagesFileName());
    throw new MissingBinariesError(names, 'not found, and building was not requested');
  }
  if (missing.length > 0) await build(missing, log);
  kwokStages ??= await ensureKwokStages(log);
  return {
    etcd: path('etcd'),
    kubeApiserver: path('kube-apiserver'),
    kubeControllerManager: path('kube-controller-manager'),
    kubeScheduler: path('kube-scheduler'),
    kwok: path('kwok'),
    kwokStages,
  };
}

export async function resolveNodeBinaries(options: ResolveOptions): Promise<NodeBinaries> {
  const log = options.log ?? stderrLog;
  const missing = NODE.filter((name) => !findBinary(name));
  if (missing.length > 0) {
    if (!options.build)
      throw new MissingBinariesError(missing.map(versioned), 'not found, and building was not requested');
    await build(missing, log);
  }
  return {
    kubelet: path('kubelet'),
    kubeProxy: path('kube-proxy'),
    coredns: path('coredns'),
    traefik: path('traefik'),
    mailpit: path('mailpit'),
    kubeRouter: path('kube-router'),
  };
}

/** The pinned Mailpit alone (`<cache>/bin/mailpit-<version>`), for a test's own mail catcher. */
export async function resolveMailpit(options: ResolveOptions): Promise<string> {
  if (!findBinary('mailpit')) {
    if (!options.build)
      throw new MissingBinariesError([versioned('mailpit')], 'not found, and building was not requested');
    await build(['mailpit'], options.log ?? stderrLog);
  }
  return path('mailpit');
}

/** A helm on PATH is fine when it is helm 4 (the flags the orchestrator uses are v4's). */
async function helmOnPath(): Promise<string | undefined> {
  const helm = findOnPath('helm');
  if (!helm) return undefined;
  const version = await capture(helm, ['version', '--template', '{{.Version}}'], { timeoutMs: 10_000 }).catch(
    () => '',
  );
  return version.trim().startsWith('v4.') ? helm : undefined;
}

export async function resolveHelm(options: ResolveOptions): Promise<string> {
  const log = options.log ?? stderrLog;
  const found = findBinary('helm') ?? (await helmOnPath());
  if (found) return found;
  if (!options.build) {
    throw new MissingBinariesError(
      [versioned('helm')],
      'not found, no helm v4 is on PATH, and building was not requested',
    );
  }
  await build(['helm'], log);
  const built = findBinary('helm');
  if (!built) throw new MissingBinariesError([versioned('helm')], 'not found even after building');
  return built;
}

/**
 * A pinned binary for an image (`<cache>/bin/<name>-<version>`, built when missing): never one from
 * PATH, whose version the image's cache key could not know.
 */
export async function resolvePinnedBinary(name: 'helm', options: ResolveOptions): Promise<string> {
  if (!findBinary(name)) {
    if (!options.build)
      throw new MissingBinariesError([versioned(name)], 'not found, and building was not requested');
    await build([name], options.log ?? stderrLog);
  }
  return path(name);
}
