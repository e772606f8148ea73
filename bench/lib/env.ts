// What the cluster benchmarks share: a local cluster of simulated nodes in a temporary directory, the
// pinned helm, a real orchestrator process on it, an account and one SSE client.
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { signUpOverHttp } from '../../apps/orchestrator/test/support/http-account.ts';
import {
  killGroup,
  type OrchestratorProcess,
  startOrchestratorProcess,
} from '../../apps/orchestrator/test/support/orchestrator-process.ts';
import { resolveHelm } from '../../tools/testcluster/src/binaries.ts';
import { clusterDown, clusterUp } from '../../tools/testcluster/src/control-plane.ts';
import { request } from '../../tools/testcluster/src/http.ts';
import { clusterLayout } from '../../tools/testcluster/src/layout.ts';
import { since } from './stats.ts';

const _run = promisify(execFile);
export const REPO = resolve(import.meta.dirname, '../..');
export const STORE_CHART = join(REPO, 'charts/store');
export const VALUES_LOCAL = join(STORE_CHART, 'values-local.yaml');

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with the orchestrator's Dates. */
export const wallNow = () => performance.timeOrigin + performance.now();

export interface BenchCluster {
  dir: string;
  kubeconfig: string;
  server: string;
  helm: string;
  kube: KubeConfig;
  core: CoreV1Api;
  down(): Promise<void>;
}

export async function startCluster(quiet: (line: string) => void): Promise<BenchCluster> {
  const base = mkdtempSync(join(tmpdir(), 'storefleet-bench-'));
  const dir = join(base, 'cluster');
  const helm = await resolveHelm({ build: true, log: quiet });
  // Twelve simulated nodes (8 CPU, 32Gi, 110 pods each): room for the ~300 stores a full run makes.
  const cluster = await clusterUp({ dir, node: 'simulated', nodes: 12, log: quiet });
  const kube = new KubeConfig();
  kube.loadFromFile(cluster.kubeconfig);
  return {
    dir,
    kubeconfig: cluster.kubeconfig,
    server: cluster.server,
    helm,
    kube,
    core: kube.makeApiClient(CoreV1Api),
    async down() {
      await clusterDown(dir, { log: quiet });
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The API server's own Prometheus metrics, as the admin. */
export async function apiserverMetrics(cluster: BenchCluster): Promise<string> {
  const layout = clusterLayout(cluster.dir);
  const { readFile } = await import('node:fs/promises');
  const [ca, cert, key] = await Promise.all(
    ['ca.crt', 'admin.crt', 'admin.key'].map((name) => readFile(layout.pkiFile(name), 'utf8')),
  );
  const response = await request(`${cluster.server}/metrics`, {
    tls: { ca: ca as string, cert: cert as string, key: key as string },
    timeoutMs: 10_000,
  });
  if (response.status !== 200) throw new Error(`apiserver /metrics: ${response.status}`);
  return response.body;
}

/** Sum of a metric's samples whose labels match every `label="value"` given. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface Orchestrator {
  address: string;
  pid: number;
  headers: Record<string, string>;
  process: OrchestratorProcess;
  stop(): Promise<void>;
}

let accounts = 0;

/**
 * A real orchestrator process (as `npm run orchestrator`), with an account and its API token. The
 * account is an admin: the first one on a database is, and so is every bench account after it.
 */
export async function startOrchestrator(
  env: Record<string, string>,
  cluster?: Pick<BenchCluster, 'kubeconfig' | 'helm'>,
): Promise<Orchestrator> {
  const email = `bench-${process.pid}-${accounts++}@example.com`;
  const dataDir = mkdtempSync(join(tmpdir(), 'storefleet-bench-data-'));
  const child = await startOrchestratorProcess({
    ...(cluster ? { KUBECONFIG: cluster.kubeconfig, HELM_BIN: cluster.helm } : {}),
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    MAX_STORES: '100000',
    MAX_STORES_PER_USER: '10000',
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '10000',
    ADMIN_EMAILS: email,
    ...env,
  });
  // The log is kept in memory by the helper; drop what it gathered so far and keep nothing more, or
  // append it to BENCH_ORCHESTRATOR_LOG (to see why a request failed).
  const logFile = process.env.BENCH_ORCHESTRATOR_LOG;
  for (const stream of [child.child.stdout, child.child.stderr]) {
    stream?.removeAllListeners('data');
    if (logFile) stream?.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
    else stream?.resume();
  }
  const headers = await signUpOverHttp(child.address, email);
  return {
    address: child.address,
    pid: child.child.pid as number,
    headers,
    process: child,
    async stop() {
      const exited = new Promise((done) =>
        child.child.exitCode === null ? child.child.once('exit', done) : done(undefined),
      );
      killGroup(child.child, 'SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      killGroup(child.child, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU time (user + system) of a process so far, in clock ticks, from /proc (Linux). */
async function cpuTicks(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Waits until the process is idle (under 5% of a core over half a second), at most `limitMs`;
 * returns how long that took. The orchestrator's start-up work (the monitor's first pass over the
 * Ready stores) would otherwise be measured with the requests.
 */
export async function untilIdle(pid: number, limitMs = 120_000): Promise<number> {
  const start = performance.now();
  let before = await cpuTicks(pid);
  while (since(start) < limitMs) {
    await new Promise((done) => setTimeout(done, 500));
    const now = await cpuTicks(pid);
    if (now - before <= 2) break;
    before = now;
  }
  return since(start);
}

/** Resident set size of a process, from /proc (Linux). */
export async function rssBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kib) * 1024;
}

export interface ApiStore {
  id: string;
  slug: string;
  state: string;
  namespace: string;
  createdAt: string;
  provisioningStartedAt: string | null;
  readyAt: string | null;
}

export async function api<T>(orchestrator: Orchestrator, method: string, path: string, body?: unknown) {
  const response = await fetch(`${orchestrator.address}${path}`, {
    method,
    headers: {
      ...orchestrator.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * How long each step of the store's provisioning took (its stepTimings, kept per operation), the time
 * spent Queued before the first step, and, for the ready step, when each component turned ready
 * (milliseconds after the step began, as `ready:<Condition>`).
 */
export async function stepTimes(orchestrator: Orchestrator, id: string): Promise<Record<string, number>> {
  type Timing = { startedAt: string; durationMs: number | null; components?: Record<string, string> };
  const response = await fetch(`${orchestrator.address}/api/stores/${id}`, { headers: orchestrator.headers });
  const store = (await response.json()) as {
    createdAt: string;
    stepTimings: Record<string, Record<string, Timing>>;
  };
  const steps = store.stepTimings.provision ?? {};
  const starts = Object.values(steps).map((t) => Date.parse(t.startedAt));
  const times: Record<string, number> = { queued: Math.min(...starts) - Date.parse(store.createdAt) };
  for (const [step, timing] of Object.entries(steps)) {
    times[step] = timing.durationMs ?? Number.NaN;
    for (const [component, at] of Object.entries(timing.components ?? {}))
      times[`${step}:${component}`] = Date.parse(at) - Date.parse(timing.startedAt);
  }
  return times;
}

/** Polls the store until it is in `state`; a Failed store on the way is an error naming its conditions. */
export async function waitForStoreState(
  orchestrator: Orchestrator,
  id: string,
  state: string,
  timeoutMs: number,
) {
  const start = performance.now();
  for (;;) {
    const store = await api<ApiStore & { conditions?: unknown }>(orchestrator, 'GET', `/api/stores/${id}`);
    if (store.state === state) return store;
    if (store.state === 'Failed')
      throw new Error(`the store failed on its way to ${state}: ${JSON.stringify(store.conditions)}`);
    if (since(start) > timeoutMs) throw new Error(`the store was not ${state} within ${timeoutMs / 1000} s`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** Polls the store's backup until it succeeded; its size in bytes. */
export async function waitForBackup(
  orchestrator: Orchestrator,
  storeId: string,
  backupId: string,
  timeoutMs: number,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    const list = await api<{
      items: { id: string; status: string; sizeBytes: number | null; failure: string | null }[];
    }>(orchestrator, 'GET', `/api/stores/${storeId}/backups`);
    const backup = list.items.find((item) => item.id === backupId);
    if (backup?.status === 'succeeded') return backup.sizeBytes ?? 0;
    if (backup?.status === 'failed') throw new Error(`the backup failed: ${backup.failure}`);
    if (since(start) > timeoutMs) throw new Error(`the backup did not finish within ${timeoutMs / 1000} s`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

export const createStore = (orchestrator: Orchestrator, name: string) =>
  api<ApiStore>(orchestrator, 'POST', '/api/stores', { name, engine: 'woocommerce' });

/** One SSE client on /api/events: notes when each store's events arrive. */
export class EventClient {
  private readonly abort = new AbortController();
  private readonly waiters = new Map<string, Array<(at: number) => void>>();
  /** Store id → wall-clock time its Ready event arrived. */
  readonly readyAt = new Map<string, number>();
  /** Every store event: id, state, arrival. */
  readonly events: Array<{ id: string; state: string; at: number }> = [];
  private connected!: Promise<void>;

  static async connect(orchestrator: Orchestrator): Promise<EventClient> {
    const client = new EventClient();
    client.connected = client.read(orchestrator);
    await client.connected;
    return client;
  }

  private async read(orchestrator: Orchestrator): Promise<void> {
    const response = await fetch(`${orchestrator.address}/api/events`, {
      headers: orchestrator.headers,
      signal: this.abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`/api/events: ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const pump = async () => {
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (chunk.done) return;
        const at = wallNow();
        buffer += chunk.value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          this.onEvent(buffer.slice(0, end), at);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    };
    void pump();
  }

  private onEvent(block: string, at: number) {
    if (!block.startsWith('event: store')) return;
    const data = block.slice(block.indexOf('data: ') + 6);
    const store = JSON.parse(data) as ApiStore;
    this.events.push({ id: store.id, state: store.state, at });
    if (store.state !== 'Ready' || this.readyAt.has(store.id)) return;
    this.readyAt.set(store.id, at);
    for (const resolveWaiter of this.waiters.get(store.id) ?? []) resolveWaiter(at);
    this.waiters.delete(store.id);
  }

  /** Resolves with the arrival time of the store's Ready event. */
  ready(id: string, timeoutMs = 300_000): Promise<number> {
    const seen = this.readyAt.get(id);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolveReady, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`store ${id} not Ready over SSE in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const list = this.waiters.get(id) ?? [];
      list.push((at) => {
        clearTimeout(timer);
        resolveReady(at);
      });
      this.waiters.set(id, list);
    });
  }

  close() {
    this.abort.abort();
  }
}
