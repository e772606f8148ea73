// `npm run bench`: the questions a user choosing a platform asks, answered side by side in one run
// on a local cluster of simulated nodes (see docs/benchmarks.md). Each part can be skipped:
//   npm run bench -- --skip=scale,watch      (parts: throughput, overhead, concurrency, queueing,
//                                              status, scale, watch, insights, medusa, backup-memory)
//   npm run bench -- --only=scale            (just those parts)
//   --no-write                               (do not rewrite docs/benchmarks.md)
//   medusa: Medusa stores on the real node against bare helm (POST → Ready, 5 at once, status latency,
//           a first order, memory at rest, backup, sleep and wake); BENCH_MEDUSA_SEQUENTIAL (5),
//           BENCH_MEDUSA_CONCURRENT (5)
//   backup-memory: the orchestrator's peak RSS while a Medusa store with BENCH_BACKUP_MIB (200) MiB of
//           incompressible rows is backed up to an S3 bucket (moto on the node's bridge) and restored
// Sizes: BENCH_SEQUENTIAL (8), BENCH_CONCURRENT (20), BENCH_SCALE_STORES (10000), BENCH_WATCH_STORES (200),
// BENCH_STORES (300, the throughput part), BENCH_INSIGHTS_STORES (50).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stderrLog } from '../tools/testcluster/src/log.ts';
import { startCluster } from './lib/env.ts';
import { backupMemoryPart } from './parts/backup-memory.ts';
import { insightsPart } from './parts/insights.ts';
import { medusaPart } from './parts/medusa.ts';
import { provisioningParts } from './parts/provisioning.ts';
import { scalePart } from './parts/scale.ts';
import { throughputPart } from './parts/throughput.ts';
import { watchPart } from './parts/watch.ts';
import { Report } from './report.ts';

const PARTS = [
  'throughput',
  'overhead',
  'concurrency',
  'queueing',
  'status',
  'scale',
  'watch',
  'insights',
  'medusa',
  'backup-memory',
];
const CLUSTER_PARTS = ['overhead', 'concurrency', 'queueing', 'status', 'watch', 'insights'];

function listFlag(name: string): string[] | undefined {
  const flag = process.argv.slice(2).find((arg) => arg.startsWith(`--${name}=`));
  return flag
    ?.slice(name.length + 3)
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

const only = listFlag('only');
const skip = new Set(listFlag('skip') ?? []);
for (const part of [...skip, ...(only ?? [])]) {
  if (!PARTS.includes(part)) throw new Error(`unknown part "${part}"; parts: ${PARTS.join(', ')}`);
}
if (only) for (const part of PARTS) if (!only.includes(part)) skip.add(part);
const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const started = performance.now();
const report = new Report();
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const quiet = (line: string) => (process.env.BENCH_VERBOSE ? stderrLog(line) : undefined);

if (!skip.has('throughput'))
  await throughputPart(size('BENCH_STORES', 300), report, process.env.DATABASE_URL);

if (!skip.has('scale')) await scalePart(size('BENCH_SCALE_STORES', 10_000), report);

if (CLUSTER_PARTS.some((part) => !skip.has(part))) {
  log('starting a local cluster of simulated nodes…');
  const cluster = await startCluster(quiet);
  try {
    if (['overhead', 'concurrency', 'queueing', 'status'].some((part) => !skip.has(part))) {
      await provisioningParts(
        cluster,
        { sequential: size('BENCH_SEQUENTIAL', 8), concurrent: size('BENCH_CONCURRENT', 20), skip },
        report,
      );
    }
    if (!skip.has('watch')) await watchPart(cluster, size('BENCH_WATCH_STORES', 200), report);
    if (!skip.has('insights')) await insightsPart(cluster, size('BENCH_INSIGHTS_STORES', 50), report);
  } finally {
    await cluster.down();
  }
}

// Its own cluster, with the real node (only one may run on a machine).
if (!skip.has('medusa')) await medusaPart(report, log, quiet);
if (!skip.has('backup-memory')) await backupMemoryPart(report, log, quiet);

const seconds = (performance.now() - started) / 1000;
log(`done in ${(seconds / 60).toFixed(1)} min`);
for (const target of report.targets) console.log(`target: ${target.replaceAll('**', '')}`);
if (!process.argv.includes('--no-write') && skip.size === 0) {
  const root = join(import.meta.dirname, '..');
  report.write(root, {
    command: 'npm run bench',
    seconds,
    skipped: [...skip],
    explanation: readFileSync(join(import.meta.dirname, 'explanation.md'), 'utf8'),
  });
  log('wrote docs/benchmarks.md');
}
