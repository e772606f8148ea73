#!/usr/bin/env -S node --max-semi-space-size=1
// The backup agent as a process: `node --max-semi-space-size=1 agent.ts <command> …` (cli.ts has the
// commands). The small young generation makes V8 collect the 64 KiB chunks that stream through
// (stdin's, age's, lib-storage's parts) often, which keeps the peak RSS of a 200 MiB upload about
// 30 MiB lower than with V8's default (test/memory.test.ts measures it); the agent works without it.
import { Writable } from 'node:stream';
import { runAgent } from './cli.ts';
import { stdinSource } from './dump-source.ts';

process.exitCode = await runAgent(process.argv.slice(2), {
  env: process.env,
  stdin: stdinSource,
  stdout: Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
  report: (line) => process.stderr.write(`${line}\n`),
  now: () => new Date(),
});
