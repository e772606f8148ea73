// The first benchmarks: store creation through the service and job claim/complete cycles on the work
// queue, on the embedded database (and on a PostgreSQL server when given). Operations per second.
import { randomUUID } from 'node:crypto';
import { StoreCommands } from '../../apps/orchestrator/src/app/store-commands.ts';
import { StoreQueries } from '../../apps/orchestrator/src/app/store-queries.ts';
import { unconfiguredCluster } from '../../apps/orchestrator/src/cluster/unconfigured-cluster.ts';
import { type Database, openDatabase } from '../../apps/orchestrator/src/db/database.ts';
import { WorkQueue } from '../../apps/orchestrator/src/queue/work-queue.ts';
import type { Report } from '../report.ts';

async function bench(label: string, database: Database, stores: number, report: Report): Promise<void> {
  const cluster = unconfiguredCluster();
  const commands = new StoreCommands({
    db: database.db,
    cluster,
    queries: new StoreQueries({ db: database.db, cluster }),
    maxStores: stores * 10,
    maxStoresPerUser: stores * 10,
    resourcePrefix: 'store-',
  });
  const run = randomUUID().slice(0, 6);
  let started = performance.now();
  for (let i = 0; i < stores; i++) {
    await commands.create({ name: `bench ${run} ${i}`, engine: 'woocommerce' }, { ownerId: 'bench' });
  }
  const createSeconds = (performance.now() - started) / 1000;

  const queue = new WorkQueue(database.db, { leaseMs: 60_000, maxConcurrentProvisions: stores * 10 });
  started = performance.now();
  let cycles = 0;
  for (;;) {
    const job = await queue.claim('bench');
    if (!job) break;
    await queue.complete(job);
    cycles++;
  }
  const queueSeconds = (performance.now() - started) / 1000;
  report.result(
    'throughput',
    `${label}: create ${(stores / createSeconds).toFixed(0)} stores/s (${stores} in ${createSeconds.toFixed(2)}s); ` +
      `claim+complete ${(cycles / queueSeconds).toFixed(0)} jobs/s (${cycles} in ${queueSeconds.toFixed(2)}s)`,
    { createPerSecond: stores / createSeconds, claimsPerSecond: cycles / queueSeconds },
  );
}

export async function throughputPart(stores: number, report: Report, postgresUrl?: string): Promise<void> {
  const embedded = await openDatabase({ inMemory: true });
  await bench('pglite', embedded, stores, report);
  await embedded.close();
  if (postgresUrl) {
    const server = await openDatabase({ url: postgresUrl });
    await bench('postgres', server, stores, report);
    await server.close();
  }
}
