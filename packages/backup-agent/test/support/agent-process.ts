// The agent as the tests run it: its own process (`node --max-semi-space-size=1 src/agent.ts`, as
// its image will), configured by environment against a test S3 server.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { S3Server } from '../../../../apps/orchestrator/test/support/s3-server.ts';

export const AGENT = fileURLToPath(new URL('../../src/agent.ts', import.meta.url));

export interface AgentRun {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** The variables that point the agent at `server`, under `prefix`. */
export function bucketEnv(server: S3Server, prefix: string): Record<string, string> {
  return {
    BACKUP_S3_ENDPOINT: server.endpoint,
    BACKUP_S3_REGION: server.region,
    BACKUP_S3_BUCKET: server.bucket,
    BACKUP_S3_PREFIX: prefix,
    BACKUP_S3_FORCE_PATH_STYLE: 'true',
    BACKUP_S3_ACCESS_KEY_ID: server.accessKeyId,
    BACKUP_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
  };
}

export function spawnAgent(
  args: readonly string[],
  env: Record<string, string>,
): ChildProcessWithoutNullStreams {
  // Only what the test gives: no BACKUP_* of the machine's own environment leaks in.
  return spawn(process.execPath, ['--max-semi-space-size=1', AGENT, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
}

/** Runs the agent to its end; `stdin` is written whole, or piped from a stream. */
export function runAgent(
  args: readonly string[],
  env: Record<string, string>,
  stdin?: string | Buffer | Readable,
): Promise<AgentRun> {
  const child = spawnAgent(args, env);
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // A refusal exits before reading stdin: the pipe closing under the writer is expected.
  child.stdin.on('error', () => {});
  if (stdin === undefined) child.stdin.end();
  else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) child.stdin.end(stdin);
  else stdin.pipe(child.stdin);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout: Buffer.concat(stdout), stderr }));
  });
}
