import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComponentSpec } from '../src/components.ts';
import { pidAlive, withFileLock } from '../src/file-lock.ts';
import {
  isRunning,
  readProcessRecords,
  startDetached,
  stopProcesses,
  writeProcessRecord,
} from '../src/processes.ts';

const dir = await mkdtemp(join(tmpdir(), 'testcluster-processes-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const sleeper = (seconds: number): ComponentSpec => ({
  name: 'etcd',
  command: '/bin/sleep',
  args: [String(seconds)],
  env: {},
  health: { url: 'http://127.0.0.1:1/', tls: 'none' },
  startTimeoutMs: 1000,
});

describe('control-plane processes', () => {
  it('starts a detached process, records it, and stops it', async () => {
    const record = startDetached(sleeper(60), join(dir, 'sleep.log'));
    await writeProcessRecord(join(dir, 'pids'), record);
    expect(await readProcessRecords(join(dir, 'pids'))).toEqual([record]);
    expect(isRunning(record)).toBe(true);
    await stopProcesses([record], () => {});
    expect(isRunning(record)).toBe(false);
  });

  it('leaves a process alone whose command line is not the recorded one (a reused pid)', async () => {
    const stranger = spawn('/bin/sleep', ['61'], { stdio: 'ignore' });
    try {
      const record = { name: 'etcd', pid: stranger.pid!, argv: ['/bin/sleep', '60'], startedAt: '' };
      expect(isRunning(record)).toBe(false);
      const log: string[] = [];
      await stopProcesses([record], (line) => log.push(line));
      expect(log).toEqual(['etcd was not running']);
      expect(stranger.exitCode).toBeNull();
      expect(pidAlive(stranger.pid!)).toBe(true);
    } finally {
      stranger.kill();
    }
  });
});

describe('withFileLock', () => {
  it('runs one holder at a time and takes over the lock of a dead process', async () => {
    const lock = join(dir, 'x.lock');
    const order: string[] = [];
    const options = { what: 'x', timeoutMs: 5000, log: () => {} };
    await Promise.all([
      withFileLock(lock, options, async () => {
        order.push('a start');
        await new Promise((resolve) => setTimeout(resolve, 300));
        order.push('a end');
      }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        withFileLock(lock, options, async () => {
          order.push('b');
        }),
      ),
    ]);
    expect(order).toEqual(['a start', 'a end', 'b']);

    const { writeFile } = await import('node:fs/promises');
    await writeFile(lock, '999999999\n');
    expect(await withFileLock(lock, options, async () => 'taken over')).toBe('taken over');
  });
});
