// What a kubelet reports about the containers on its node, read through the API server's node
// proxy: its resource metrics (`/metrics/resource`: working-set memory and cumulative CPU seconds
// per container) and its summary (`/stats/summary`: bytes used on each PVC-backed volume), and
// Kubernetes quantities ("500m", "8Gi") as numbers.

/** One container's reading: namespace, pod and container name identify it. */
export interface ContainerReading {
  namespace: string;
  pod: string;
  container: string;
  memoryBytes?: number;
  cpuSeconds?: number;
  /** When the kubelet took the CPU reading (ms since the epoch). */
  cpuAtMs?: number;
}

const SAMPLE =
  /^(container_memory_working_set_bytes|container_cpu_usage_seconds_total)\{([^}]*)\}\s+(\S+)(?:\s+(\d+))?/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Parses `/metrics/resource`: one reading per container. */
export function parseResourceMetrics(text: string): ContainerReading[] {
  const containers = new Map<string, ContainerReading>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels = new Map<string, string>();
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels.set(label[1] ?? '', label[2] ?? '');
    const namespace = labels.get('namespace');
    const pod = labels.get('pod');
    const container = labels.get('container');
    const value = Number(match[3]);
    if (!namespace || !pod || !container || !Number.isFinite(value)) continue;
    const key = `${namespace}/${pod}/${container}`;
    const reading = containers.get(key) ?? { namespace, pod, container };
    containers.set(key, reading);
    if (match[1] === 'container_memory_working_set_bytes') reading.memoryBytes = value;
    else {
      reading.cpuSeconds = value;
      if (match[4]) reading.cpuAtMs = Number(match[4]);
    }
  }
  return [...containers.values()];
}

interface StatsSummary {
  pods?: {
    podRef?: { namespace?: string };
    volume?: { usedBytes?: number; pvcRef?: { name?: string; namespace?: string } }[];
  }[];
}

/** Parses `/stats/summary`: bytes used on PVC-backed volumes, per namespace (volumes it reports only). */
export function parsePvcUsage(json: string): Map<string, number> {
  const summary = JSON.parse(json) as StatsSummary;
  const used = new Map<string, number>();
  const seen = new Set<string>();
  for (const pod of summary.pods ?? []) {
    for (const volume of pod.volume ?? []) {
      const namespace = volume.pvcRef?.namespace;
      const claim = volume.pvcRef?.name;
      if (!namespace || !claim || typeof volume.usedBytes !== 'number') continue;
      // Two pods mounting one claim report it twice.
      if (seen.has(`${namespace}/${claim}`)) continue;
      seen.add(`${namespace}/${claim}`);
      used.set(namespace, (used.get(namespace) ?? 0) + volume.usedBytes);
    }
  }
  return used;
}

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$/;

/** A Kubernetes quantity as a number ("500m" → 0.5, "8Gi" → 8589934592); undefined when not one. */
export function parseQuantity(text: string | undefined): number | undefined {
  const match = QUANTITY.exec(text?.trim() ?? '');
  if (!match) return undefined;
  return Number(match[1]) * (SUFFIXES[match[2] ?? ''] ?? 1);
}
