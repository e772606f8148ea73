// Where an upload's plaintext comes from: stdin, or the stdout of a dump command the agent runs
// itself. Only the second can tell a complete dump from one cut short: the stream ends in an error
// unless the command exits 0, so a failed dump is never stored.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { AgentFailure, fail, ok, type Result } from './errors.ts';

export function stdinSource(): ReadableStream<Uint8Array> {
  return Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>;
}

/** The command's stdout; its stderr goes to the agent's, so the Job's log shows why a dump failed. */
export function commandSource(command: readonly string[]): ReadableStream<Uint8Array> {
  const [program = '', ...args] = command;
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<Result<void>>((resolve) => {
    child.once('error', (error) =>
      resolve(fail('DUMP_FAILED', `the dump command ${program} could not start: ${error.message}`)),
    );
    child.once('close', (code, signal) =>
      resolve(
        code === 0
          ? ok(undefined)
          : fail(
              'DUMP_FAILED',
              `the dump command ${program} ${signal ? `was killed by ${signal}` : `exited with ${code}`}; nothing was stored`,
            ),
      ),
    );
  });
  const stdout = Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>;
  return stdout.pipeThrough(
    new TransformStream({
      async flush() {
        const result = await exited;
        if (!result.ok) throw new AgentFailure(result.error);
      },
    }),
  );
}
