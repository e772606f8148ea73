// A throwaway S3-compatible server on loopback for one test file: moto's server, S3 only, from the
// virtual environment `node scripts/setup.mjs --for-tests` installs (s3-server-requirements.txt). It
// keeps objects in memory, larger ones in files under its own temporary directory; stop() removes both.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../../../../tools/testcluster/src/paths.ts';
import { freePorts } from '../../../../tools/testcluster/src/ports.ts';

export interface S3Server {
  /** `http://<address>:<port>`: path-style addressing, any region, any credentials. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

export const S3_SERVER_BIN = (): string => join(cacheRoot(), 's3-server', 'bin', 'moto_server');

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/**
 * Starts the server and creates `bucket` in it. `reach`: where it listens and the address its endpoint
 * names (pods on the real node reach the host on the bridge's address; default loopback).
 */
export async function startS3Server(
  bucket = 'storefleet-backups',
  reach: { listen: string; address: string } = { listen: '127.0.0.1', address: '127.0.0.1' },
): Promise<S3Server> {
  const bin = S3_SERVER_BIN();
  if (!existsSync(bin)) {
    throw new Error(
      `${bin} is missing: run \`node scripts/setup.mjs --for-tests\` (npm test does) to install it`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'storefleet-s3-'));
  const log = join(dir, 'server.log');
  const [port] = await freePorts(1);
  const endpoint = `http://${reach.address}:${port}`;
  const output = openSync(log, 'w');
  const child: ChildProcess = spawn(bin, ['-H', reach.listen, '-p', String(port)], {
    env: { ...process.env, TMPDIR: dir },
    stdio: ['ignore', output, output],
  });
  closeSync(output);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (!(await answers(`${endpoint}/moto-api/`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const said = readFileSync(log, 'utf8').slice(-2000);
      await stop();
      throw new Error(`the S3 test server did not start on ${endpoint} within 20 s: ${said}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // moto checks no signatures, so a plain PUT creates the bucket (in us-east-1, which needs no location).
  const created = await fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
  if (!created.ok) {
    await stop();
    throw new Error(`creating bucket ${bucket}: ${created.status} ${await created.text()}`);
  }
  return {
    endpoint,
    region: 'us-east-1',
    bucket,
    accessKeyId: 'storefleet-test',
    secretAccessKey: 'storefleet-test-secret',
    stop,
  };
}

/** A platform's environment for an S3 target on `server`: the bucket, its credentials, the age key. */
export function bucketTargetEnv(server: S3Server, prefix: string, identity: string): Record<string, string> {
  return {
    BACKUP_TARGET: 's3',
    BACKUP_S3_ENDPOINT: server.endpoint,
    BACKUP_S3_BUCKET: server.bucket,
    BACKUP_S3_PREFIX: prefix,
    BACKUP_S3_FORCE_PATH_STYLE: 'true',
    BACKUP_S3_ACCESS_KEY_ID: server.accessKeyId,
    BACKUP_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
    BACKUP_AGE_IDENTITY: identity,
  };
}
