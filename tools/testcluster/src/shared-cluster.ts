// One cluster shared by the test processes of a run. A healthy cluster already running in the default
// directory (e.g. from `npm run cluster:up`) is reused and left running; otherwise one is started and
// stopped again when the last process that acquired it releases it. Nothing is skipped: a cluster that
// cannot be had is an error saying why.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveBinaries, resolveHelm, resolveNodeBinaries } from './binaries.ts';
import { clusterStatus } from './cluster-status.ts';
import { clusterDown, clusterUp } from './control-plane.ts';
import { pidAlive, withFileLock } from './file-lock.ts';
import { type Log, stderrLog } from './log.ts';
import { acmeUnavailable } from './node/acme.ts';
import { realNodeBlocker } from './node/mode.ts';
import { defaultClusterDir } from './paths.ts';

export interface SharedCluster {
  kubeconfig: string;
  /** The pinned helm v4 binary. */
  helm: string;
  /** Leaves a cluster that was already running; stops one this run started once no process uses it. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Default: STOREFLEET_CLUSTER_DIR, else `<repo>/.data/cluster`. */
  dir?: string;
  log?: Log;
  node?: 'simulated';
}

/** Present while the cluster was started for tests (not by `cluster:up`), so the last user stops it. */
const STOP_WHEN_UNUSED = 'stop-when-unused';

const usersDir = (dir: string) => join(dir, 'users');
const lockOptions = (dir: string, log: Log) => ({
  what: `the users of the cluster in ${dir}`,
  timeoutMs: 10 * 60_000,
  log,
});

export async function acquireCluster(options: AcquireOptions = {}): Promise<SharedCluster> {
  const log = options.log ?? stderrLog;
  const dir = resolve(options.dir ?? defaultClusterDir());
  // Outside the lock: the first build takes minutes (it has a lock of its own).
  await resolveBinaries({ build: true, log });
  const helm = await resolveHelm({ build: true, log });
  // The real node's binaries too (with Mailpit, which the real-node tests start), also when a running
  // cluster is reused and so not started here.
  if (options.node !== 'simulated' && process.env.STOREFLEET_NODE !== 'simulated' && !realNodeBlocker())
    await resolveNodeBinaries({ build: true, log });
  const user = join(usersDir(dir), `${process.pid}-${randomUUID()}`);
  const kubeconfig = await withFileLock(`${dir}.users.lock`, lockOptions(dir, log), async () => {
    const status = await clusterStatus(dir);
    let path = status.kubeconfig;
    // A real node from before the ACME server existed gets it in place (clusterUp adds it).
    const nodeLacksAcme = status.node?.kind === 'real' && !status.node.acme && !acmeUnavailable();
    if (!status.healthy || !path || nodeLacksAcme) {
      const cluster = await clusterUp({
        dir,
        build: true,
        log,
        ...(options.node ? { node: options.node } : {}),
      });
      // Not started here when `cluster:up` won a race for it: then it stays up.
      if (cluster.started) await writeFile(join(dir, STOP_WHEN_UNUSED), '');
      path = cluster.kubeconfig;
    }
    await mkdir(usersDir(dir), { recursive: true });
    await writeFile(user, `${process.pid}\n`);
    return path;
  });
  let released = false;
  return {
    kubeconfig,
    helm,
    release: async () => {
      if (released) return;
      released = true;
      await withFileLock(`${dir}.users.lock`, lockOptions(dir, log), async () => {
        await rm(user, { force: true });
        if (!existsSync(join(dir, STOP_WHEN_UNUSED))) return;
        if ((await liveUsers(dir)).length > 0) return;
        await clusterDown(dir, { log });
      });
    },
  };
}

/** Makes a cluster started for tests permanent (`cluster:up` on a running test cluster). */
export async function keepRunning(dir: string = defaultClusterDir(), log: Log = stderrLog): Promise<void> {
  const absolute = resolve(dir);
  await withFileLock(`${absolute}.users.lock`, lockOptions(absolute, log), () =>
    rm(join(absolute, STOP_WHEN_UNUSED), { force: true }),
  );
}

/** Registered users whose process still runs; entries of processes that died are removed. */
async function liveUsers(dir: string): Promise<string[]> {
  const live: string[] = [];
  for (const entry of await readdir(usersDir(dir)).catch(() => [] as string[])) {
    const pid = Number.parseInt(entry, 10);
    if (Number.isInteger(pid) && pidAlive(pid)) live.push(entry);
    else await rm(join(usersDir(dir), entry), { force: true });
  }
  return live;
}
