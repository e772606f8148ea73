// The control-plane processes: started detached (own session and process group, output to a log file)
// so that they outlive the CLI, recorded in pid files, and stopped only after checking that the pid
// still runs exactly the command line that was started (a pid may have been reused since).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration, type Log } from './log.ts';

/** What is needed to start a long-running process. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** Added to the inherited environment; a value of null removes the variable. */
  env: Record<string, string | null>;
}

/** How processes started by this process ended (exit code or signal), for start-up errors. */
const exits = new Map<number, string>();

export function exitOf(pid: number): string | undefined {
  return exits.get(pid);
}

function environment(env: Record<string, string | null>): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === null) delete result[name];
    else result[name] = value;
  }
  return result;
}

export interface ProcessRecord {
  name: string;
  pid: number;
  argv: string[];
  startedAt: string;
}

export function startDetached(spec: ProcessSpec, logFile: string): ProcessRecord {
  const output = openSync(logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', output, output],
      env: environment(spec.env),
    });
    // A failure to start is reported below through the missing pid; this only keeps it from throwing.
    child.on('error', () => {});
    child.on('exit', (code, signal) => {
      if (child.pid !== undefined) exits.set(child.pid, signal ? `killed by ${signal}` : `exit code ${code}`);
    });
    if (child.pid === undefined) throw new Error(`${spec.name} could not be started from ${spec.command}`);
    child.unref();
    return {
      name: spec.name,
      pid: child.pid,
      argv: [spec.command, ...spec.args],
      startedAt: new Date().toISOString(),
    };
  } finally {
    closeSync(output);
  }
}

export async function writeProcessRecord(pidsDir: string, record: ProcessRecord): Promise<void> {
  await mkdir(pidsDir, { recursive: true });
  await writeFile(join(pidsDir, `${record.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

export async function readProcessRecords(pidsDir: string): Promise<ProcessRecord[]> {
  const files = await readdir(pidsDir).catch(() => [] as string[]);
  const records: ProcessRecord[] = [];
  for (const file of files.filter((name) => name.endsWith('.json')).sort()) {
    try {
      const record = JSON.parse(await readFile(join(pidsDir, file), 'utf8')) as ProcessRecord;
      if (Number.isInteger(record.pid) && Array.isArray(record.argv)) records.push(record);
    } catch {
      // A pid file cut short by a crash: nothing can be verified, so nothing is killed for it.
    }
  }
  return records;
}

/**
 * True while the pid runs (not a zombie) with the recorded command line. A script started this way
 * runs as `interpreter [flag] script args…`, so up to two leading words may precede it.
 */
export function isRunning(record: ProcessRecord): boolean {
  try {
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    const argv = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    const extra = argv.length - record.argv.length;
    return extra >= 0 && extra <= 2 && record.argv.every((arg, i) => arg === argv[extra + i]);
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Each component leads its own process group (detached), so this reaches it and nothing else.
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntilGone(records: ProcessRecord[], timeoutMs: number): Promise<ProcessRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = records.filter(isRunning);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = alive.filter(isRunning);
  }
  return alive;
}

/** SIGTERM, up to `graceMs` to exit, then SIGKILL. Records whose pid no longer matches are left alone. */
export async function stopProcesses(records: ProcessRecord[], log: Log, graceMs = 10_000): Promise<void> {
  const ours = records.filter(isRunning);
  for (const record of records) if (!ours.includes(record)) log(`${record.name} was not running`);
  for (const record of ours) signalGroup(record.pid, 'SIGTERM');
  const stubborn = await waitUntilGone(ours, graceMs);
  for (const record of stubborn) {
    log(`${record.name} (pid ${record.pid}) did not stop within ${graceMs / 1000}s: killing it`);
    if (isRunning(record)) signalGroup(record.pid, 'SIGKILL');
  }
  const left = await waitUntilGone(stubborn, 5000);
  if (left.length > 0) {
    throw new Error(
      `could not stop ${left.map((record) => `${record.name} (pid ${record.pid})`).join(', ')}`,
    );
  }
  for (const record of ours)
    if (!stubborn.includes(record)) log(`stopped ${record.name} (pid ${record.pid})`);
}

/** A component that exited or did not become ready during start-up, with the end of its log. */
export class ComponentFailedError extends Error {
  constructor(message: string, logTail: string) {
    super(`${message}\n${logTail}`);
    this.name = 'ComponentFailedError';
  }
}

async function logTail(logFile: string, lines = 15): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
}

/**
 * Waits until `ready()` says yes; fails at once when the process exits (naming its exit status) and
 * after `timeoutMs`, either way with the end of its log.
 */
export async function waitReady(
  record: ProcessRecord,
  check: { ready: () => Promise<boolean>; what: string; timeoutMs: number; logFile: string },
  log: Log,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (!isRunning(record)) {
      // The exit status is recorded a moment after the process is gone.
      await sleep(200);
      throw new ComponentFailedError(
        `${record.name} exited during start-up (${exitOf(record.pid) ?? 'exit status unknown'}); the end of its log:`,
        await logTail(check.logFile),
      );
    }
    if (await check.ready()) {
      log(`${record.name} is up (${formatDuration(Date.now() - started)})`);
      return;
    }
    if (Date.now() - started > check.timeoutMs) {
      throw new ComponentFailedError(
        `${record.name} was not ${check.what} within ${formatDuration(check.timeoutMs)}; the end of its log:`,
        await logTail(check.logFile),
      );
    }
    await sleep(250);
  }
}
