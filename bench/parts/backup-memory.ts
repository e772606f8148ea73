// Part 9: what a large backup costs the orchestrator. A Medusa store on the real node gets at least
// 200 MiB of incompressible rows in its database, then is backed up to an S3-compatible bucket (moto on
// the node's bridge) and restored from it, while the orchestrator's resident memory is sampled: the
// dump and the restore stream through Jobs in the store's namespace, never through the orchestrator.
import { readFile, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { CoreV1Api, Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { generateX25519Identity } from 'age-encryption';
import { bucketTargetEnv, startS3Server } from '../../apps/orchestrator/test/support/s3-server.ts';
import { realNodeBlocker } from '../../tools/testcluster/src/node/mode.ts';
import { GATEWAY } from '../../tools/testcluster/src/node/node-layout.ts';
import { acquireCluster } from '../../tools/testcluster/src/shared-cluster.ts';
import {
  type ApiStore,
  api,
  EventClient,
  rssBytes,
  startOrchestrator,
  untilIdle,
  waitForBackup,
  waitForStoreState,
} from '../lib/env.ts';
import { mib, since } from '../lib/stats.ts';
import type { Report } from '../report.ts';
import { realNodeState } from './medusa.ts';

const BALLAST_MIB = Number(process.env.BENCH_BACKUP_MIB ?? 200);
const TARGET_MIB = 50;

/** Runs a shell command in the store's database container; resolves with its output. */
async function inDatabase(kube: KubeConfig, namespace: string, pod: string, script: string): Promise<string> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kube)
      .exec(namespace, pod, 'postgres', ['sh', '-c', script], stdout, stderr, null, false, resolve)
      .catch(reject);
  });
  if (status.status !== 'Success')
    throw new Error(`${script.slice(0, 80)}…: ${status.message} ${err.slice(-500)}`);
  return out;
}

/** The orchestrator's resident memory, sampled every 50 ms while `work` runs, and its kernel peak. */
async function peakRssDuring(pid: number, work: () => Promise<void>): Promise<number> {
  // Resets the kernel's peak (VmHWM) to the current size, so it covers only `work`.
  await writeFile(`/proc/${pid}/clear_refs`, '5');
  let peak = await rssBytes(pid);
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await rssBytes(pid));
      await new Promise((done) => setTimeout(done, 50));
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await sampler;
  }
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  return Math.max(peak, hwm);
}

export async function backupMemoryPart(
  report: Report,
  log: (line: string) => void,
  quiet: (line: string) => void,
) {
  const blocker = realNodeBlocker();
  if (blocker) {
    report.note('backup-memory', `backup memory: not measured, ${blocker}`);
    return;
  }
  const cluster = await acquireCluster({ log: quiet });
  const s3 = await startS3Server('storefleet-bench', { listen: '0.0.0.0', address: GATEWAY });
  try {
    const state = realNodeState();
    if (typeof state === 'string') {
      report.note('backup-memory', `backup memory: not measured, ${state}`);
      return;
    }
    const kube = new KubeConfig();
    kube.loadFromFile(cluster.kubeconfig);
    const orchestrator = await startOrchestrator(
      {
        STORE_PLACEMENT: 'auto',
        STORE_URL_PORT: String(state.port),
        INGRESS_CLASS: state.ingressClass,
        PROVISION_TIMEOUT: '15m',
        ...bucketTargetEnv(s3, 'bench', await generateX25519Identity()),
      },
      cluster,
    );
    const events = await EventClient.connect(orchestrator);
    try {
      log(`backup memory: a Medusa store with ${BALLAST_MIB} MiB of incompressible rows…`);
      const store = await api<ApiStore>(orchestrator, 'POST', '/api/stores', {
        name: `Bench backup ${process.pid}`,
        engine: 'medusa',
      });
      await events.ready(store.id, 10 * 60_000);
      const core = kube.makeApiClient(CoreV1Api);
      const pods = await core.listNamespacedPod({
        namespace: store.namespace,
        labelSelector: 'app.kubernetes.io/component=database',
      });
      const pod = pods.items[0]?.metadata?.name;
      if (!pod) throw new Error(`no database pod in ${store.namespace}`);
      // md5 of random() is as good as random bytes to a compressor: 65,536 of them make a 1 MiB row.
      await inDatabase(
        kube,
        store.namespace,
        pod,
        `psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "create table bench_ballast as select n, decode(string_agg(md5(random()::text), ''), 'hex') as bytes from generate_series(1, ${BALLAST_MIB}) n, generate_series(1, 65536) m group by n"`,
      );
      const size = await inDatabase(
        kube,
        store.namespace,
        pod,
        `psql -At -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "select pg_database_size(current_database())"`,
      );

      await untilIdle(orchestrator.pid);
      const baseline = await rssBytes(orchestrator.pid);
      let backupBytes = 0;
      let restoreS = 0;
      const backupStart = performance.now();
      const backupPeak = await peakRssDuring(orchestrator.pid, async () => {
        const { id } = await api<{ id: string }>(orchestrator, 'POST', `/api/stores/${store.id}/backups`);
        backupBytes = await waitForBackup(orchestrator, store.id, id, 15 * 60_000);
        const restoreStart = performance.now();
        await api(orchestrator, 'POST', `/api/stores/${store.id}/restore`, { backupId: id });
        await waitForStoreState(orchestrator, store.id, 'Ready', 15 * 60_000);
        restoreS = since(restoreStart) / 1000;
      });
      const backupS = since(backupStart) / 1000 - restoreS;
      const rows = await inDatabase(
        kube,
        store.namespace,
        pod,
        `psql -At -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "select count(*), sum(length(bytes)) from bench_ballast"`,
      );
      const over = backupPeak - baseline;
      report.result(
        'backup-memory',
        `backup and restore of a Medusa store with ${BALLAST_MIB} MiB of random rows (database ${mib(Number(size))}, ` +
          `backup ${mib(backupBytes)} in the bucket, encrypted) through Jobs to moto on the node: backup ${backupS.toFixed(0)} s, ` +
          `restore ${restoreS.toFixed(0)} s (rows back: ${rows.trim().replace('|', ' rows, ')} bytes); orchestrator RSS ${mib(baseline)} before, ` +
          `peak ${mib(backupPeak)} during both (+${mib(over)})`,
        { overMiB: over / 2 ** 20, backupBytes },
      );
      report.target(
        `orchestrator peak RSS over its baseline, ${BALLAST_MIB} MiB backup and restore`,
        `+${mib(over)}`,
        `≤ ${TARGET_MIB} MiB`,
        over <= TARGET_MIB * 2 ** 20,
      );
      await api(orchestrator, 'DELETE', `/api/stores/${store.id}`);
    } finally {
      events.close();
      await orchestrator.stop();
    }
  } finally {
    await s3.stop();
    await cluster.release();
  }
}
