// A lock file shared between processes (two test workers starting the same cluster, two builds of
// the same binary). The holder's pid is in the file; a lock whose holder died is taken over.
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration, type Log } from './log.ts';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockOptions {
  /** What the lock protects, for messages. */
  what: string;
  timeoutMs: number;
  log: Log;
}

export async function withFileLock<T>(path: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await holdFileLock(path, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Takes the lock for longer than one call (e.g. from a test's beforeAll to its afterAll); returns its release. */
export async function holdFileLock(path: string, options: LockOptions): Promise<() => Promise<void>> {
  await acquire(path, options);
  return () => unlink(path).catch(() => {});
}

async function acquire(path: string, { what, timeoutMs, log }: LockOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    // An empty file is a holder between open and write: wait for it like for any other.
    if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) {
      await unlink(path).catch(() => {});
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `timed out after ${formatDuration(timeoutMs)} waiting for ${what} (lock ${path} held by pid ${holder}); ` +
          'if no such process is working on it, delete the lock file',
      );
    }
    if (!announced) {
      log(`waiting for ${what} (pid ${holder} holds ${path})`);
      announced = true;
    }
    await sleep(250);
  }
}
