// Whether a helm process on this machine is still working on a release: after the orchestrator was
// killed, the helm it started may go on (outside a container nothing stops it). Read from /proc: a
// process whose command line is a helm install, upgrade, rollback or uninstall of that release in that
// namespace. Undefined where there is no /proc to read (the caller then judges by the release's age).
import { readdir, readFile } from 'node:fs/promises';

const RELEASE_COMMANDS = new Set(['upgrade', 'install', 'rollback', 'uninstall']);

export async function helmRunningFor(release: string, namespace: string): Promise<boolean | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').then(
      (text) => text.split('\0'),
      () => [] as string[],
    );
    if (isHelmOn(argv, release, namespace)) return true;
  }
  return false;
}

/** `helm upgrade <release> <chart> … -n <namespace> …` and its kin, by argv. */
export function isHelmOn(argv: readonly string[], release: string, namespace: string): boolean {
  const [bin = '', command = '', name] = argv;
  if (!/(^|\/)helm[^/]*$/.test(bin) || !RELEASE_COMMANDS.has(command) || name !== release) return false;
  const at = argv.findIndex(
    (arg, index) => (arg === '-n' || arg === '--namespace') && argv[index + 1] === namespace,
  );
  return at > 0 || argv.includes(`--namespace=${namespace}`);
}
