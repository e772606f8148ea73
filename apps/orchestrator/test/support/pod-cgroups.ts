// The real node's pod cgroups on this host (cgroup v1, the kubelet's cgroupfs driver under its own
// root): to find what a deleted namespace left behind and how much memory a store's pods use.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CGROUP_ROOT } from '../../../../tools/testcluster/src/node/node-layout.ts';

/** The kubelet's pod cgroups (`pod<uid>`) in the memory hierarchy. */
export function podCgroups(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith('pod')) found.push(join(dir, entry.name));
      walk(join(dir, entry.name), depth + 1);
    }
  };
  walk(join('/sys/fs/cgroup/memory', CGROUP_ROOT), 0);
  return found;
}

/**
 * A pod's working set in bytes, as the kubelet counts it: memory in use minus the page cache it
 * could give back (`total_inactive_file`).
 */
export function podWorkingSetBytes(uid: string): number {
  const dir = podCgroups().find((path) => path.endsWith(`pod${uid}`));
  if (!dir) throw new Error(`no memory cgroup for pod ${uid}`);
  const usage = Number(readFileSync(join(dir, 'memory.usage_in_bytes'), 'utf8'));
  const inactive = /^total_inactive_file (\d+)$/m.exec(readFileSync(join(dir, 'memory.stat'), 'utf8'))?.[1];
  return Math.max(0, usage - Number(inactive ?? 0));
}
