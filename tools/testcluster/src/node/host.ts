// What a real node changes on the host, recorded before it is changed and undone by `down`: the
// bridge, two sysctls, kubelet's cgroup root, iptables chains (kube-proxy's and the NetworkPolicy
// enforcer's KUBE-*, the CNI plugins' CNI-*) and the enforcer's ipsets, mounts and network
// namespaces of pods, and the container processes. There is one real node per machine (a claim file), so a leftover of a killed run is ours to clean.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from '../log.ts';
import { capture } from '../run.ts';
import { enforcerLeftovers, removeEnforcerRules } from './network-policy.ts';
import { BRIDGE, CGROUP_ROOT, CLAIM_FILE, GATEWAY, type NodeLayout, POD_SUBNET } from './node-layout.ts';

const CGROUP_BASE = '/sys/fs/cgroup';
const SYSCTLS = ['net/ipv4/ip_forward', 'net/bridge/bridge-nf-call-iptables'] as const;
/** Set by the kubelet (its kernel tunables) and kube-proxy (localhost node ports): recorded, restored. */
const CHANGED_BY_NODE = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/conf/all/route_localnet',
] as const;
const OUR_CHAINS = /^(KUBE-|CNI-)/;

interface HostChanges {
  sysctls: Record<string, string>;
}

const readSysctl = (name: string) => readFileSync(join('/proc/sys', name), 'utf8').trim();
const writeSysctl = (name: string, value: string) => writeFile(join('/proc/sys', name), `${value}\n`);

/** The cgroup v1 hierarchies (each mounted once; cpu and cpuacct may share a directory). */
export async function cgroupHierarchies(): Promise<string[]> {
  const dirs = new Set<string>();
  for (const name of await readdir(CGROUP_BASE).catch(() => [] as string[])) {
    if (name === 'unified') continue;
    dirs.add(await realpath(join(CGROUP_BASE, name)));
  }
  return [...dirs].sort();
}

export async function prepareHost(layout: NodeLayout, log: Log): Promise<void> {
  const changes: HostChanges = { sysctls: {} };
  for (const name of [...SYSCTLS, ...CHANGED_BY_NODE]) {
    if (existsSync(join('/proc/sys', name))) changes.sysctls[name] = readSysctl(name);
  }
  await mkdir(dirname(layout.hostChanges), { recursive: true });
  // Recorded before anything changes, so a run killed half-way is still undone.
  await writeFile(layout.hostChanges, `${JSON.stringify(changes, null, 2)}\n`);
  for (const name of SYSCTLS) await writeSysctl(name, '1');
  // kubelet's cgroup root must exist in every hierarchy; a new cpuset starts empty and must be filled.
  for (const hierarchy of await cgroupHierarchies()) {
    const dir = join(hierarchy, CGROUP_ROOT);
    await mkdir(dir, { recursive: true });
    if (existsSync(join(dir, 'cpuset.cpus'))) {
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        await writeFile(join(dir, file), await readFile(join(hierarchy, file), 'utf8'));
      }
    }
  }
  // The bridge exists before the first pod so that CoreDNS can listen on its address.
  await ip(['link', 'add', BRIDGE, 'type', 'bridge']);
  await ip(['addr', 'add', `${GATEWAY}/24`, 'dev', BRIDGE]);
  await ip(['link', 'set', BRIDGE, 'up']);
  log(`host prepared: bridge ${BRIDGE} (${GATEWAY}/24), ${SYSCTLS.join(', ')} set`);
}

function ip(args: string[]) {
  return capture('ip', args);
}

/** Kills every container process and the shims of the node's containerd. */
export async function killContainers(layout: NodeLayout): Promise<number> {
  let killed = 0;
  const pids = new Set<number>();
  const pidsHierarchy = (await cgroupHierarchies()).find(
    (dir) => existsSync(join(dir, 'pids.max')) || dir.endsWith('/pids'),
  );
  if (pidsHierarchy) for (const pid of await cgroupProcs(join(pidsHierarchy, CGROUP_ROOT))) pids.add(pid);
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('containerd-shim-runc-v2') && cmdline.includes(layout.containerdSocket))
        pids.add(pid);
    } catch {}
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {}
  }
  return killed;
}

async function cgroupProcs(dir: string): Promise<number[]> {
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const line of text.split('\n')) if (line.trim()) pids.push(Number(line));
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) pids.push(...(await cgroupProcs(join(dir, entry.name))));
  }
  return pids;
}

/** Removes a cgroup tree, deepest first; a cgroup whose processes are still exiting is retried. */
async function removeCgroupTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await removeCgroupTree(join(dir, entry.name));
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      if (attempt >= 50) throw error;
      await sleep(100);
    }
  }
}

/** The mount points under `dir` and the pods' network namespaces, deepest first. */
function mountsToRemove(dir: string): string[] {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((point) => point.replace(/\\040/g, ' '))
    .filter((point) => point.startsWith(`${dir}/`) || /^\/(var\/)?run\/netns\/cni-/.test(point));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** iptables-save text without our chains and every rule that jumps to one. */
export function withoutOurChains(saved: string): string {
  return saved
    .split('\n')
    .filter((line) => {
      if (line.startsWith(':')) return !OUR_CHAINS.test(line.slice(1));
      if (line.startsWith('-A ')) {
        const [, chain] = line.split(' ');
        if (chain && OUR_CHAINS.test(chain)) return false;
        return !/ -[jg] (KUBE-|CNI-)/.test(line);
      }
      return true;
    })
    .join('\n');
}

async function removeChains(): Promise<void> {
  for (const [save, restore] of [
    ['iptables-save', 'iptables-restore'],
    ['ip6tables-save', 'ip6tables-restore'],
  ] as const) {
    const saved = await capture(save, []).catch(() => '');
    if (!saved.split('\n').some((line) => line.includes('KUBE-') || line.includes('CNI-'))) continue;
    await capture(restore, [], { input: withoutOurChains(saved) });
  }
}

/** Undoes everything `prepareHost` and the node's components did. Safe to run more than once. */
export async function cleanHost(layout: NodeLayout, log: Log): Promise<void> {
  const killed = await killContainers(layout);
  if (killed > 0) log(`killed ${killed} container process${killed === 1 ? '' : 'es'} and shims`);
  for (const point of mountsToRemove(layout.dir)) {
    await capture('umount', ['--lazy', point]).catch(() => {});
  }
  for (const entry of await readdir('/run/netns').catch(() => [] as string[])) {
    if (entry.startsWith('cni-')) await rm(join('/run/netns', entry), { force: true });
  }
  // The enforcer's chains first: they go with its ipsets, which its rules use.
  await removeEnforcerRules(log);
  await removeChains();
  await ip(['link', 'del', BRIDGE]).catch(() => {});
  for (const hierarchy of await cgroupHierarchies()) await removeCgroupTree(join(hierarchy, CGROUP_ROOT));
  if (existsSync(layout.hostChanges)) {
    const changes = JSON.parse(await readFile(layout.hostChanges, 'utf8')) as HostChanges;
    for (const [name, value] of Object.entries(changes.sysctls)) {
      if (readSysctl(name) !== value) await writeSysctl(name, value);
    }
  }
  const left = await leftovers(layout);
  if (left.length > 0) throw new Error(`the real node left behind: ${left.join('; ')}`);
}

/** What a node would leave on the host; empty after a clean `down`. */
export async function leftovers(layout: NodeLayout): Promise<string[]> {
  const left: string[] = [];
  if (existsSync(`/sys/class/net/${BRIDGE}`)) left.push(`the bridge ${BRIDGE}`);
  for (const hierarchy of await cgroupHierarchies()) {
    if (existsSync(join(hierarchy, CGROUP_ROOT))) left.push(`the cgroup ${join(hierarchy, CGROUP_ROOT)}`);
  }
  const mounts = mountsToRemove(layout.dir);
  if (mounts.length > 0) left.push(`${mounts.length} mounts (${mounts[0]}…)`);
  const saved = await capture('iptables-save', []).catch(() => '');
  const chains = saved.split('\n').filter((line) => line.startsWith(':') && OUR_CHAINS.test(line.slice(1)));
  if (chains.length > 0)
    left.push(`${chains.length} iptables chains (${chains[0]?.slice(1).split(' ')[0]}…)`);
  left.push(...(await enforcerLeftovers()));
  const routes = await ip(['route', 'show', POD_SUBNET]).catch(() => '');
  if (routes.trim()) left.push(`a route to ${POD_SUBNET}`);
  return left;
}

interface Claim {
  dir: string;
}

export async function readClaim(): Promise<Claim | undefined> {
  try {
    return JSON.parse(await readFile(CLAIM_FILE, 'utf8')) as Claim;
  } catch {
    return undefined;
  }
}

export async function writeClaim(clusterDir: string): Promise<void> {
  await mkdir(dirname(CLAIM_FILE), { recursive: true });
  await writeFile(CLAIM_FILE, `${JSON.stringify({ dir: clusterDir })}\n`);
}

export async function dropClaim(clusterDir: string): Promise<void> {
  const claim = await readClaim();
  if (claim?.dir === clusterDir) await rm(CLAIM_FILE, { force: true });
}
