// Whether `up` runs a real node: where the host can (Linux, root, the kernel features and Debian
// packages it needs), unless STOREFLEET_NODE says otherwise. A host that cannot gets the simulated
// nodes with one line saying why.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type NodeMode = { kind: 'real' } | { kind: 'simulated'; reason: string };

interface NodePackage {
  package: string;
  /** A file the package installs: present means installed. */
  file: string;
}

/** The Debian packages of the real node (the set-up installs them; one list for both). */
export const NODE_PACKAGES = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../node-packages.json', import.meta.url)), 'utf8'),
) as NodePackage[];

/** Why this host cannot run a real node, or undefined when it can. */
export function realNodeBlocker(): string | undefined {
  if (process.platform !== 'linux') return `the host is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'the tests do not run as root';
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return 'the kernel has no overlayfs';
  if (!existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes'))
    return 'there is no cgroup v1 memory controller';
  if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) return 'the kernel has no br_netfilter';
  const missing = NODE_PACKAGES.filter((p) => !existsSync(p.file)).map((p) => p.package);
  if (missing.length > 0)
    return `the Debian packages ${missing.join(', ')} are missing (npm test installs them)`;
  return undefined;
}

export function chooseNodeMode(env: NodeJS.ProcessEnv = process.env): NodeMode {
  const wanted = env.STOREFLEET_NODE;
  if (wanted && wanted !== 'real' && wanted !== 'simulated') {
    throw new Error(`STOREFLEET_NODE is "${wanted}"; use real or simulated`);
  }
  if (wanted === 'simulated') return { kind: 'simulated', reason: 'STOREFLEET_NODE=simulated' };
  const blocker = realNodeBlocker();
  if (!blocker) return { kind: 'real' };
  if (wanted === 'real')
    throw new Error(`STOREFLEET_NODE=real, but this host cannot run a real node: ${blocker}`);
  return { kind: 'simulated', reason: blocker };
}
