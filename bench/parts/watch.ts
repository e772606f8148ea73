// Part 5: what watching Ready stores costs. The orchestrator follows Ready stores through one
// label-selected informer per kind across namespaces (apps/orchestrator/src/cluster/workload-watch.ts):
// count the API server's open WATCH
// requests and the orchestrator's memory as Ready stores grow to 200 on the simulated nodes.
import {
  apiserverMetrics,
  type BenchCluster,
  createStore,
  EventClient,
  metricSum,
  rssBytes,
  startOrchestrator,
} from '../lib/env.ts';
import { mib } from '../lib/stats.ts';
import type { Report } from '../report.ts';

interface Sample {
  ready: number;
  watches: number;
  rss: number;
  byResource: Record<string, number>;
}

async function sample(cluster: BenchCluster, pid: number, ready: number): Promise<Sample> {
  // Informers open their watches a moment after a store turns Ready: let them settle.
  await new Promise((done) => setTimeout(done, 5000));
  const text = await apiserverMetrics(cluster);
  const byResource: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_longrunning_requests{') || !line.includes('verb="WATCH"')) continue;
    const resource = /resource="([^"]*)"/.exec(line)?.[1] ?? '?';
    byResource[resource] = (byResource[resource] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return {
    ready,
    watches: metricSum(text, 'apiserver_longrunning_requests', { verb: 'WATCH' }),
    rss: await rssBytes(pid),
    byResource,
  };
}

export async function watchPart(cluster: BenchCluster, stores: number, report: Report): Promise<void> {
  const concurrency = 20;
  const orchestrator = await startOrchestrator(
    { MAX_CONCURRENT_PROVISIONS: String(concurrency), WORKER_CONCURRENCY: String(concurrency) },
    cluster,
  );
  const events = await EventClient.connect(orchestrator);
  try {
    const samples = [await sample(cluster, orchestrator.pid, 0)];
    const checkpoints = [Math.round(stores / 4), Math.round(stores / 2), stores];
    let ready = 0;
    for (const checkpoint of checkpoints) {
      while (ready < checkpoint) {
        const batch = Math.min(concurrency, checkpoint - ready);
        const created = await Promise.all(
          Array.from({ length: batch }, (_, i) =>
            createStore(orchestrator, `watch ${ready + i} ${process.pid}`),
          ),
        );
        await Promise.all(created.map((store) => events.ready(store.id, 600_000)));
        ready += batch;
      }
      samples.push(await sample(cluster, orchestrator.pid, ready));
    }
    const first = samples[0] as Sample;
    const last = samples.at(-1) as Sample;
    const perStoreWatches = (last.watches - first.watches) / last.ready;
    const perStoreRss = (last.rss - first.rss) / last.ready;
    const resources = Object.entries(last.byResource)
      .filter(([resource, count]) => count !== (first.byResource[resource] ?? 0))
      .map(([resource, count]) => `${resource} +${count - (first.byResource[resource] ?? 0)}`)
      .join(', ');
    report.result(
      'watch',
      `watch cost (one replica, Ready stores ${samples.map((s) => s.ready).join(' → ')}): API server WATCH requests ` +
        `${samples.map((s) => s.watches).join(' → ')} (${perStoreWatches.toFixed(2)} per Ready store: ${resources || 'none'}); ` +
        `orchestrator RSS ${samples.map((s) => mib(s.rss)).join(' → ')} (${(perStoreRss / 1024).toFixed(0)} KiB per Ready store); ` +
        `at ${last.ready} Ready stores one replica holds ${last.watches - first.watches} watches more than at none`,
      { perStoreWatches, perStoreRss, watches: last.watches, rss: last.rss },
    );
  } finally {
    events.close();
    await orchestrator.stop();
  }
}
