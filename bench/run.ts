// Benchmarks: store creation through the service and job claim/complete cycles on the work queue,
// on the embedded database (and on DATABASE_URL when set). Prints operations per second.
import { randomUUID } from 'node:crypto';
import { StoreService } from '../apps/orchestrator/src/app/store-service.ts';
import { UnconfiguredCluster } from '../apps/orchestrator/src/cluster/unconfigured-cluster.ts';
import { type Database, openDatabase } from '../apps/orchestrator/src/db/database.ts';
import { WorkQueue } from '../apps/orchestrator/src/queue/work-queue.ts';

const STORES = Number(process.env.BENCH_STORES ?? 300);

async function bench(label: string, database: Database): Promise<void> {
  const service = new StoreService({
    db: database.db,
    cluster: new UnconfiguredCluster(),
    maxStores: STORES * 10,
    maxStoresPerUser: STORES * 10,
    resourcePrefix: 'store-',
  });
  const run = randomUUID().slice(0, 6);
  let started = performance.now();
  for (let i = 0; i < STORES; i++) {
    await service.create({ name: `bench ${run} ${i}`, engine: 'woocommerce' }, { ownerId: 'bench' });
  }
  const createSeconds = (performance.now() - started) / 1000;

  const queue = new WorkQueue(database.db, { leaseMs: 60_000, maxConcurrentProvisions: STORES * 10 });
  started = performance.now();
  let cycles = 0;
  for (;;) {
    const job = await queue.claim('bench');
    if (!job) break;
    await queue.complete(job);
    cycles++;
  }
  const queueSeconds = (performance.now() - started) / 1000;
  console.log(
    `${label}: create ${(STORES / createSeconds).toFixed(0)} stores/s (${STORES} in ${createSeconds.toFixed(2)}s); ` +
      `claim+complete ${(cycles / queueSeconds).toFixed(0)} jobs/s (${cycles} in ${queueSeconds.toFixed(2)}s); ` +
      `rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
}

const embedded = await openDatabase({ inMemory: true });
await bench('pglite', embedded);
await embedded.close();
if (process.env.DATABASE_URL) {
  const server = await openDatabase({ url: process.env.DATABASE_URL });
  await bench('postgres', server);
  await server.close();
}
