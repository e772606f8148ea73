// Parts 1–3: a store through Storefleet against a bare helm install of the same chart on the same
// cluster, one after another and twenty at once, the queueing under the default limit, and how soon
// the API and an SSE client know a store is Ready after its last pod is.
import { bareInstall, helmStatusMs, PodReadyWatch } from '../lib/bare-helm.ts';
import {
  type BenchCluster,
  createStore,
  EventClient,
  type Orchestrator,
  startOrchestrator,
  stepTimes,
  wallNow,
} from '../lib/env.ts';
import { median, ms, percentile, ratio, since } from '../lib/stats.ts';
import type { Report } from '../report.ts';

let sequence = 0;
const uniqueName = (kind: string) => `${kind}-${process.pid.toString(36)}-${(sequence++).toString(36)}`;

/** POST → Ready over SSE, in milliseconds; the store's id. */
async function throughStorefleet(orchestrator: Orchestrator, events: EventClient) {
  const start = performance.now();
  const store = await createStore(orchestrator, uniqueName('sf'));
  await events.ready(store.id);
  return { ms: since(start), store };
}

/** Bare installs: namespace → when helm returned (wall clock), for the status latency comparison. */
const bareDone = new Map<string, number>();

async function bare(cluster: BenchCluster) {
  const start = performance.now();
  const namespace = uniqueName('bare');
  await bareInstall(cluster, namespace);
  bareDone.set(namespace, wallNow());
  return since(start);
}

export interface ProvisioningOptions {
  sequential: number;
  concurrent: number;
  skip: Set<string>;
}

export async function provisioningParts(cluster: BenchCluster, options: ProvisioningOptions, report: Report) {
  const pods = await PodReadyWatch.start(cluster);
  const orchestrator = await startOrchestrator(
    { MAX_CONCURRENT_PROVISIONS: String(options.concurrent), WORKER_CONCURRENCY: String(options.concurrent) },
    cluster,
  );
  const events = await EventClient.connect(orchestrator);
  const apiStores: Array<{ id: string; namespace: string; concurrent?: boolean }> = [];
  try {
    // A warm-up of each, not counted: the first helm run reads the chart from a cold disk cache.
    await bare(cluster);
    apiStores.push((await throughStorefleet(orchestrator, events)).store);

    if (!options.skip.has('overhead')) {
      const viaApi: number[] = [];
      const viaHelm: number[] = [];
      const steps = new Map<string, number[]>();
      const statusChecks: number[] = [];
      for (let i = 0; i < 5; i++) statusChecks.push(await helmStatusMs(cluster));
      for (let i = 0; i < options.sequential; i++) {
        // Interleaved, and the order alternates, so neither always runs on the warmer cluster.
        const pair = [
          async () => {
            const result = await throughStorefleet(orchestrator, events);
            viaApi.push(result.ms);
            apiStores.push(result.store);
            for (const [step, took] of Object.entries(await stepTimes(orchestrator, result.store.id))) {
              steps.set(step, [...(steps.get(step) ?? []), took]);
            }
          },
          async () => {
            viaHelm.push(await bare(cluster));
          },
        ];
        if (i % 2 === 1) pair.reverse();
        for (const step of pair) await step();
      }
      report.result(
        'overhead',
        `provisioning overhead (n=${options.sequential} each, one at a time): Storefleet POST→Ready over SSE ` +
          `median ${ms(median(viaApi))} p95 ${ms(percentile(viaApi, 95))}; bare helm upgrade --install --wait ` +
          `median ${ms(median(viaHelm))} p95 ${ms(percentile(viaHelm, 95))}; ratio median ` +
          `${ratio(median(viaApi), median(viaHelm))} p95 ${ratio(percentile(viaApi, 95), percentile(viaHelm, 95))} (target ≤ 1.10×); Storefleet's own step ` +
          `timings, median: ${[...steps].map(([step, took]) => `${step} ${ms(median(took))}`).join(', ')} ` +
          `(release includes a \`helm status\` pre-check: median ${ms(median(statusChecks))} alone, n=5)`,
        { ratio: median(viaApi) / median(viaHelm) },
      );
      const overhead = median(viaApi) / median(viaHelm);
      report.target(
        'provisioning overhead (median ratio)',
        ratio(median(viaApi), median(viaHelm)),
        '≤ 1.10×',
        overhead <= 1.1,
      );
    }

    if (!options.skip.has('concurrency')) {
      const n = options.concurrent;
      // Bare first or Storefleet first alternates by run; here bare first, then Storefleet.
      let start = performance.now();
      await Promise.all(Array.from({ length: n }, () => bare(cluster)));
      const bareMs = since(start);
      start = performance.now();
      const results = await Promise.all(
        Array.from({ length: n }, () => throughStorefleet(orchestrator, events)),
      );
      const apiMs = since(start);
      for (const result of results) apiStores.push({ ...result.store, concurrent: true });
      report.result(
        'concurrency',
        `concurrency (${n} at once, MAX_CONCURRENT_PROVISIONS=${n}): last Ready through Storefleet ${ms(apiMs)}, ` +
          `${n} parallel bare installs ${ms(bareMs)}; ratio ${ratio(apiMs, bareMs)} (target ≤ 1.20×)`,
        { ratio: apiMs / bareMs },
      );
      report.target(`${n} at once (ratio)`, ratio(apiMs, bareMs), '≤ 1.20×', apiMs / bareMs <= 1.2);
    }

    if (!options.skip.has('status')) {
      const toApi: number[] = [];
      const toSse: number[] = [];
      const alone: number[] = [];
      for (const store of apiStores) {
        const sse = events.readyAt.get(store.id);
        const fetched = await fetch(`${orchestrator.address}/api/stores/${store.id}`, {
          headers: orchestrator.headers,
        });
        const { readyAt } = (await fetched.json()) as { readyAt: string | null };
        if (sse === undefined || !readyAt) continue;
        const podsReady = pods.lastReady(store.namespace, Date.parse(readyAt));
        if (podsReady === undefined) continue;
        toApi.push(Date.parse(readyAt) - podsReady);
        toSse.push(sse - podsReady);
        if (!store.concurrent) alone.push(sse - podsReady);
      }
      // The same lag for a bare helm: from the last pod's Ready to helm's exit.
      const helmLag: number[] = [];
      for (const [namespace, done] of bareDone) {
        const podsReady = pods.lastReady(namespace, done);
        if (podsReady !== undefined) helmLag.push(done - podsReady);
      }
      report.result(
        'status',
        `status latency (n=${toApi.length} stores, from the pod watch event of the store's last Ready pod): ` +
          `to Ready in the API (readyAt) p50 ${ms(median(toApi))} p95 ${ms(percentile(toApi, 95))}; ` +
          `to the SSE client p50 ${ms(median(toSse))} p95 ${ms(percentile(toSse, 95))} min ${ms(Math.min(...toSse))} (target p95 < 1 s); ` +
          `of them the ${alone.length} provisioned one at a time: to SSE p50 ${ms(median(alone))} ` +
          `p95 ${ms(percentile(alone, 95))}; for comparison a bare helm --wait returns p50 ${ms(median(helmLag))} p95 ${ms(percentile(helmLag, 95))} ` +
          `after its last pod is Ready (n=${helmLag.length})`,
        { p95: percentile(toSse, 95) },
      );
      const p95 = percentile(toSse, 95);
      report.target(`status latency p95 to SSE (n=${toSse.length})`, ms(p95), '< 1 s', p95 < 1000);
    }
  } finally {
    events.close();
    pods.stop();
    await orchestrator.stop();
  }

  if (!options.skip.has('queueing')) await queueing(cluster, options.concurrent, report);
}

/** The default MAX_CONCURRENT_PROVISIONS=3 with `n` requests at once: what the user sees while waiting. */
async function queueing(cluster: BenchCluster, n: number, report: Report) {
  const orchestrator = await startOrchestrator({}, cluster);
  const events = await EventClient.connect(orchestrator);
  try {
    const start = wallNow();
    const stores = await Promise.all(
      Array.from({ length: n }, () => createStore(orchestrator, uniqueName('q'))),
    );
    const queuedOnCreate = stores.filter((s) => s.state === 'Queued').length;
    // What the last of them is told while it waits (GET /api/stores/:id/queue).
    const lastQueued = stores.at(-1) as { id: string };
    const queue = (await (
      await fetch(`${orchestrator.address}/api/stores/${lastQueued.id}/queue`, {
        headers: orchestrator.headers,
      })
    ).json()) as {
      waiting: boolean;
      position: number | null;
      running: number;
      expectedWaitSeconds: number | null;
    };
    await Promise.all(stores.map((s) => events.ready(s.id)));
    const waits: number[] = [];
    const totals: number[] = [];
    for (const store of stores) {
      const response = await fetch(`${orchestrator.address}/api/stores/${store.id}`, {
        headers: orchestrator.headers,
      });
      const got = (await response.json()) as {
        createdAt: string;
        readyAt: string;
        provisioningSeconds: number;
      };
      // Queued = from creation to the start of provisioning (readyAt less the provisioning time).
      waits.push(Date.parse(got.readyAt) - got.provisioningSeconds * 1000 - Date.parse(got.createdAt));
      totals.push((events.readyAt.get(store.id) as number) - start);
    }
    report.result(
      'queueing',
      `queueing (${n} at once, default MAX_CONCURRENT_PROVISIONS=3): ${queuedOnCreate}/${n} answered Queued; ` +
        `wait in Queued p50 ${ms(median(waits))} max ${ms(Math.max(...waits))}; last Ready after ${ms(Math.max(...totals))}; ` +
        `the last one asked was told: ${queue.waiting ? `position ${queue.position} with ${queue.running} running, expected wait ${queue.expectedWaitSeconds === null ? 'unknown (no store provisioned yet)' : `${queue.expectedWaitSeconds.toFixed(0)} s`}` : 'not waiting'}`,
      {},
    );
  } finally {
    events.close();
    await orchestrator.stop();
  }
}
