// Runs the orchestrator as `npm run orchestrator` does: a real process, found by the address it logs.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

export interface OrchestratorProcess {
  child: ChildProcess;
  address: string;
  output: () => string;
}

/** Process groups started here whose leader has not exited yet. */
const groups = new Set<ChildProcess>();

// Each orchestrator leads a process group of its own (see below), which a signal to the test run's
// group (Ctrl-C) no longer reaches: an orchestrator still running goes when this process exits.
process.once('exit', () => {
  for (const child of groups) killGroup(child, 'SIGKILL');
});

/**
 * Starts `main.ts` with exactly `env` (plus PATH and HOME); resolves once it listens. The process
 * leads a process group of its own, with the helm processes it starts, so that `killGroup` ends
 * them all at once, as a container's end would.
 */
export function startOrchestratorProcess(env: Record<string, string>): Promise<OrchestratorProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  groups.add(child);
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) resolvePromise({ child, address: match[1], output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      groups.delete(child);
      reject(new Error(`orchestrator exited with ${code}: ${output}`));
    });
  });
}

/**
 * Sends `signal` to the orchestrator's whole process group: the orchestrator and any helm it runs.
 * Also for stragglers after the orchestrator itself exited: a group outlives its leader.
 */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: nothing of the group is left.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Kills every process of the group of each child (test clean-up). */
export function killGroups(children: ChildProcess[]): void {
  for (const child of children) killGroup(child, 'SIGKILL');
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
}
