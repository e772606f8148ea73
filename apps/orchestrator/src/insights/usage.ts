// CPU and memory per store namespace from two readings of the nodes' containers: memory is the
// working set now; CPU is the rise of each container's cumulative CPU seconds since the previous
// reading, over the time between them.
import type { ContainerReading } from '../cluster/kubelet-metrics.ts';

export interface NamespaceUsage {
  memoryBytes: number;
  /** Null when no container of the namespace was seen in the previous reading too (no rate yet). */
  cpuMillicores: number | null;
}

export interface CpuMark {
  seconds: number;
  atMs: number;
}

const key = (c: ContainerReading) => `${c.namespace}/${c.pod}/${c.container}`;

/**
 * Usage of each namespace in `containers`, given the CPU marks of the previous reading; returns the
 * marks to keep for the next one. A namespace without any container is absent (it uses nothing).
 */
export function namespaceUsage(
  containers: readonly ContainerReading[],
  previous: ReadonlyMap<string, CpuMark>,
  readAtMs: number,
): { usage: Map<string, NamespaceUsage>; marks: Map<string, CpuMark> } {
  const usage = new Map<string, NamespaceUsage>();
  const marks = new Map<string, CpuMark>();
  for (const container of containers) {
    const entry = usage.get(container.namespace) ?? { memoryBytes: 0, cpuMillicores: null };
    usage.set(container.namespace, entry);
    entry.memoryBytes += container.memoryBytes ?? 0;
    if (container.cpuSeconds === undefined) continue;
    const mark = { seconds: container.cpuSeconds, atMs: container.cpuAtMs ?? readAtMs };
    marks.set(key(container), mark);
    const before = previous.get(key(container));
    if (!before || mark.atMs <= before.atMs || mark.seconds < before.seconds) continue;
    const millicores = ((mark.seconds - before.seconds) / ((mark.atMs - before.atMs) / 1000)) * 1000;
    entry.cpuMillicores = (entry.cpuMillicores ?? 0) + millicores;
  }
  return { usage, marks };
}
