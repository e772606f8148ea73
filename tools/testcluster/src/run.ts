// Running the build tools: output echoed with a label, a heartbeat while a step is slow (so CI logs
// show life), and the last lines of output in the error when it fails.
import { execFile, spawn } from 'node:child_process';
import { formatDuration, type Log } from './log.ts';

export class CommandError extends Error {
  readonly output: string;
  constructor(message: string, output: string) {
    super(message);
    this.name = 'CommandError';
    this.output = output;
  }
}

export interface RunOptions {
  label: string;
  log: Log;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Print each output line (stdout is not echoed when it is the result, e.g. JSON). */
  echoStdout?: boolean;
  heartbeatMs?: number;
}

const KEEP_LINES = 40;

/** Runs a command to completion; resolves with its stdout, rejects with a CommandError naming the step. */
export function runLogged(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  const { label, log, heartbeatMs = 20_000 } = options;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const tail: string[] = [];
    const remember = (line: string) => {
      tail.push(line);
      if (tail.length > KEEP_LINES) tail.shift();
    };
    const lines = (echo: boolean, onChunk?: (text: string) => void) => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = chunk.toString();
        onChunk?.(text);
        const parts = (partial + text).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          remember(line);
          if (echo && line.trim()) log(`${label}: ${line}`);
        }
      };
    };
    child.stdout.on(
      'data',
      lines(options.echoStdout ?? false, (text) => {
        stdout += text;
      }),
    );
    child.stderr.on('data', lines(true));
    const heartbeat = setInterval(() => {
      log(`${label}: still running (${formatDuration(Date.now() - started)} so far)`);
    }, heartbeatMs);
    child.on('error', (error) => {
      clearInterval(heartbeat);
      reject(new CommandError(`${label}: ${command} could not be started: ${error.message}`, ''));
    });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) return resolve(stdout);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const output = tail.join('\n');
      reject(new CommandError(`${label}: \`${[command, ...args].join(' ')}\` ${how}\n${output}`, output));
    });
  });
}

/** A short command's output (version checks); rejects on a non-zero exit or after the timeout. */
export function capture(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new CommandError(`${command} ${args.join(' ')}: ${error.message}`, `${stdout}${stderr}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
