// The agent's command line: which command, which backup, and the streams it reads and writes.
// Results go to stdout (a manifest, a listing, or a part's plaintext); a failure is one line on
// stderr, `backup-agent: CODE: message`, and the exit status says its kind (errors.ts, exitCodeOf).
import { parseArgs } from 'node:util';
import { Bucket } from './bucket.ts';
import { bucketConfigFrom, type Env, identityKeyFrom, recipientKeyFrom } from './config.ts';
import { downloadPart } from './download.ts';
import { commandSource } from './dump-source.ts';
import { type AgentError, exitCodeOf, fail, ok, type Result } from './errors.ts';
import { isSegment } from './layout.ts';
import { listBackups } from './list.ts';
import { serializeManifest } from './manifest.ts';
import { uploadPart } from './upload.ts';
import { verifyBackup } from './verify.ts';

export const USAGE = `usage:
  backup-agent upload   --store ID --slug SLUG --engine ENGINE --backup ID --part NAME [-- DUMP-COMMAND ARGS…]
                        the part's plaintext from stdin, or from DUMP-COMMAND's stdout (stored only if it exits 0);
                        prints the backup's manifest
  backup-agent verify   --store ID --backup ID [--part NAME]
                        reads every part (or one) back and checks it against its manifest; writes nothing
  backup-agent download --store ID --backup ID --part NAME
                        verifies the part, then writes its plaintext to stdout
  backup-agent list     prints every backup under BACKUP_S3_PREFIX, as JSON
configuration: BACKUP_S3_BUCKET, BACKUP_S3_ENDPOINT, BACKUP_S3_REGION, BACKUP_S3_PREFIX,
  BACKUP_S3_FORCE_PATH_STYLE, BACKUP_S3_ACCESS_KEY_ID, BACKUP_S3_SECRET_ACCESS_KEY,
  BACKUP_AGE_RECIPIENT (upload), BACKUP_AGE_IDENTITY (verify, download; upload too, for its recipient)`;

export interface AgentIo {
  env: Env;
  stdin: () => ReadableStream<Uint8Array>;
  stdout: WritableStream<Uint8Array>;
  /** One line of text for a person. */
  report: (line: string) => void;
  now: () => Date;
}

const usage = (message: string) => fail('USAGE', `${message}\n${USAGE}`);

const OPTION_NAMES = ['store', 'slug', 'engine', 'backup', 'part'] as const;
type Options = Partial<Record<(typeof OPTION_NAMES)[number], string>>;

interface CommandLine {
  command: string | undefined;
  options: Options;
  /** What follows `--`: upload's dump command. */
  dumpCommand: string[] | undefined;
}

function parseCommandLine(argv: readonly string[]): Result<CommandLine> {
  const split = argv.indexOf('--');
  let parsed: { values: Options; positionals: string[] };
  try {
    parsed = parseArgs({
      args: split >= 0 ? argv.slice(0, split) : [...argv],
      options: Object.fromEntries(OPTION_NAMES.map((name) => [name, { type: 'string' as const }])),
      allowPositionals: true,
    }) as typeof parsed;
  } catch (error) {
    return usage((error as Error).message);
  }
  const [command, ...extra] = parsed.positionals;
  if (extra.length > 0) return usage(`unexpected ${extra.join(' ')}`);
  const dumpCommand = split >= 0 ? argv.slice(split + 1) : undefined;
  if (dumpCommand !== undefined && (command !== 'upload' || dumpCommand.length === 0)) {
    return usage('only upload takes a dump command after "--", and it must name one');
  }
  return ok({ command, options: parsed.values, dumpCommand });
}

/** The options `names` as key segments, each required unless listed in `optional`. */
function segments<const N extends keyof Options>(
  options: Options,
  names: readonly N[],
  optional: readonly N[] = [],
): Result<Record<N, string>> {
  const values = {} as Record<N, string>;
  for (const name of names) {
    const value = options[name];
    if (value === undefined) {
      if (optional.includes(name)) continue;
      return usage(`--${name} is required`);
    }
    if (!isSegment(value)) return usage(`--${name} must be letters, digits, ".", "_" or "-" (at most 128)`);
    values[name] = value;
  }
  return ok(values);
}

type Command = (line: CommandLine, bucket: Bucket, prefix: string, io: AgentIo) => Promise<Result<void>>;

const upload: Command = async (line, bucket, prefix, io) => {
  const args = segments(line.options, ['store', 'slug', 'engine', 'backup', 'part']);
  if (!args.ok) return args;
  const key = await recipientKeyFrom(io.env);
  if (!key.ok) return key;
  const { store, slug, engine, backup, part } = args.value;
  const source = line.dumpCommand ? commandSource(line.dumpCommand) : io.stdin();
  const request = { storeId: store, backupId: backup, slug, engine, part };
  const manifest = await uploadPart(bucket, prefix, key.value, request, source, io.now);
  if (!manifest.ok) return manifest;
  await write(io.stdout, serializeManifest(manifest.value));
  return ok(undefined);
};

const verify: Command = async (line, bucket, prefix, io) => {
  const args = segments(line.options, ['store', 'backup', 'part'], ['part']);
  if (!args.ok) return args;
  const key = await identityKeyFrom(io.env);
  if (!key.ok) return key;
  const ref = { storeId: args.value.store, backupId: args.value.backup };
  const verified = await verifyBackup(bucket, prefix, ref, key.value, args.value.part);
  if (!verified.ok) return verified;
  const parts = verified.value.parts.filter((p) => !args.value.part || p.name === args.value.part);
  const described = parts.map((p) => `${p.name} (${p.plainBytes} bytes)`).join(', ');
  io.report(`verified backup ${ref.backupId} of store ${ref.storeId}: ${described}`);
  return ok(undefined);
};

const download: Command = async (line, bucket, prefix, io) => {
  const args = segments(line.options, ['store', 'backup', 'part']);
  if (!args.ok) return args;
  const key = await identityKeyFrom(io.env);
  if (!key.ok) return key;
  const ref = { storeId: args.value.store, backupId: args.value.backup };
  const part = await downloadPart(bucket, prefix, ref, key.value, args.value.part, io.stdout);
  return part.ok ? ok(undefined) : part;
};

const list: Command = async (_line, bucket, prefix, io) => {
  const listing = await listBackups(bucket, prefix);
  if (!listing.ok) return listing;
  await write(io.stdout, `${JSON.stringify(listing.value, null, 2)}\n`);
  return ok(undefined);
};

const COMMANDS: Record<string, Command> = { upload, verify, download, list };

async function dispatch(argv: readonly string[], io: AgentIo): Promise<Result<void>> {
  const line = parseCommandLine(argv);
  if (!line.ok) return line;
  const { command } = line.value;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) return usage(command === undefined ? 'name a command' : `unknown command ${command}`);
  const config = bucketConfigFrom(io.env);
  if (!config.ok) return config;
  const bucket = new Bucket(config.value);
  try {
    return await run(line.value, bucket, config.value.prefix, io);
  } finally {
    bucket.close();
  }
}

async function write(sink: WritableStream<Uint8Array>, text: string): Promise<void> {
  const writer = sink.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
}

/** Runs one command; returns the exit status. */
export async function runAgent(argv: readonly string[], io: AgentIo): Promise<number> {
  let outcome: Result<void>;
  try {
    outcome = await dispatch(argv, io);
  } catch (error) {
    outcome = fail(
      'STORAGE_FAILED',
      `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (outcome.ok) return 0;
  const error: AgentError = outcome.error;
  io.report(`backup-agent: ${error.code}: ${error.message}`);
  return exitCodeOf(error);
}
