// Backup Jobs run on this machine instead of in a cluster: the very container command the builder
// makes (bash, the agent process, the pipe), with the very environment of the Job's spec (plain values,
// and the secretKeyRefs resolved from the Job's Secret), against a real S3-compatible server. Only the
// engine's commands are stand-ins, over the in-memory cluster's "data" of the store's namespace, and
// the termination message is a file. What it proves: the request → spec → agent → manifest → row chain.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_ENTRY, backupJob, backupJobSecret } from '../../src/cluster/backup-job.ts';
import { backupJobInput } from '../../src/cluster/backup-jobs.ts';
import type { BackupJobRequest, BackupJobResult, ClusterBackupJobs } from '../../src/cluster/port.ts';

const AGENT = fileURLToPath(new URL('../../../../packages/backup-agent/src/agent.ts', import.meta.url));

export class LocalBackupJobs implements ClusterBackupJobs {
  /** Each Job that ran: its name and spec's environment names (never values), for assertions. */
  readonly ran: { name: string; env: string[] }[] = [];
  private readonly contents: Map<string, string>;

  /** `contents`: the in-memory cluster's data, by namespace. */
  constructor(contents: Map<string, string>) {
    this.contents = contents;
  }

  async run(request: BackupJobRequest): Promise<BackupJobResult> {
    const dir = mkdtempSync(join(tmpdir(), 'storefleet-job-'));
    try {
      const input = backupJobInput(request, { kind: 'anywhere' });
      const dumpFile = join(dir, 'dump');
      const restoredFile = join(dir, 'restored');
      writeFileSync(dumpFile, this.contents.get(request.target.namespace) ?? '');
      const job = backupJob({
        ...input,
        commands: {
          ...input.commands,
          dump: ['cat', dumpFile],
          restore: ['sh', '-c', `cat > ${restoredFile}`],
        },
      });
      const secret = backupJobSecret(input, request.secrets).stringData ?? {};
      const container = job.spec?.template.spec?.containers[0];
      const name = job.metadata?.name ?? '';
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      for (const variable of container?.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        // The store's own Secret (database passwords) does not exist here; the stand-ins need none.
        env[variable.name] = ref
          ? ref.name === name
            ? (secret[ref.key] ?? '')
            : 'unused'
          : (variable.value ?? '');
      }
      // The store's database here is a stand-in, not a Service to wait for.
      env.BACKUP_JOB_WAIT_FOR = '';
      this.ran.push({ name, env: Object.keys(env) });
      const termination = join(dir, 'termination-log');
      const [shell = 'bash', flag = '-c', script = '', ...args] = container?.command ?? [];
      const local = script
        .replace(AGENT_ENTRY.join(' '), `${process.execPath} --max-semi-space-size=1 ${AGENT}`)
        .replaceAll('/dev/termination-log', termination);
      const { status, stderr } = await new Promise<{ status: number; stderr: string }>((resolve) => {
        const child = spawn(shell, [flag, local, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let text = '';
        child.stderr.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        child.on('close', (code) => resolve({ status: code ?? -1, stderr: text }));
      });
      let message = '';
      try {
        message = readFileSync(termination, 'utf8');
      } catch {}
      if (request.direction === 'restore' && status === 0) {
        this.contents.set(request.target.namespace, readFileSync(restoredFile, 'utf8'));
      }
      // As the kubelet's FallbackToLogsOnError: the end of the log when the container failed without a message.
      return { exitCode: status, message: message || (status === 0 ? '' : stderr.slice(-2048)) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
