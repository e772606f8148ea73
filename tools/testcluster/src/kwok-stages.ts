// The kwok binary has no built-in stages (it exits "no stages found" without them). These are the
// upstream Stage objects `kwokctl create cluster` enables by default, taken from the module zip.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { downloadModule } from './go-build.ts';
import type { GoToolchain } from './go-toolchain.ts';
import type { Log } from './log.ts';
import { PINNED_VERSIONS } from './versions.ts';

export const KWOK_STAGE_FILES = [
  // Makes a node Ready and fills its addresses, allocatable and nodeInfo.
  'node/fast/node-initialize.yaml',
  // The node status heartbeat; kwok keeps the node Leases itself.
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  // A pending pod becomes Running and Ready with an IP; init containers complete.
  'pod/fast/pod-ready.yaml',
  // A running pod owned by a Job succeeds.
  'pod/fast/pod-complete.yaml',
  // A pod with a deletionTimestamp is removed at once.
  'pod/fast/pod-delete.yaml',
] as const;

export function kwokStagesFileName(): string {
  return `kwok-${PINNED_VERSIONS.kwok}-stages.yaml`;
}

/** One multi-document YAML file, as kwok's --config takes it. */
export function concatenateStages(documents: readonly string[]): string {
  return documents.map((text) => `---\n${text.endsWith('\n') ? text : `${text}\n`}`).join('');
}

export async function writeKwokStages(target: string, toolchain: GoToolchain, workDir: string, log: Log) {
  const module = await downloadModule(toolchain, `sigs.k8s.io/kwok@${PINNED_VERSIONS.kwok}`, workDir, log);
  const documents = await Promise.all(
    KWOK_STAGE_FILES.map((file) => readFile(join(module.Dir, 'kustomize', 'stage', file), 'utf8')),
  );
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}`;
  await writeFile(temporary, concatenateStages(documents));
  await rename(temporary, target);
  log(`wrote kwok stages to ${target}`);
}
