// Where things live: the binary cache (shared by every checkout on the machine) and the default cluster dir.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `~/.cache/storefleet`, or STOREFLEET_CACHE. Read at call time so tests can point it elsewhere. */
export function cacheRoot(): string {
  return resolve(process.env.STOREFLEET_CACHE || join(homedir(), '.cache', 'storefleet'));
}

/** `<repo>/.data/cluster`, or STOREFLEET_CLUSTER_DIR. */
export function defaultClusterDir(): string {
  return resolve(process.env.STOREFLEET_CLUSTER_DIR || join(REPO_ROOT, '.data', 'cluster'));
}
