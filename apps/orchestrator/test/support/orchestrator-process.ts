// Runs the orchestrator as `npm run orchestrator` does: a real process, found by the address it logs.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

export interface OrchestratorProcess {
  child: ChildProcess;
  address: string;
  output: () => string;
}

/** Starts `main.ts` with exactly `env` (plus PATH and HOME); resolves once it listens. */
export function startOrchestratorProcess(env: Record<string, string>): Promise<OrchestratorProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) resolvePromise({ child, address: match[1], output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`orchestrator exited with ${code}: ${output}`)));
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
}
