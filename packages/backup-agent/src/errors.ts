// Failures are values: a stable code for the program that runs the agent (the orchestrator's Job reads
// it from the last line on stderr), and a message a person can act on. Nothing here holds a secret.

export type AgentErrorCode =
  /** The command line is wrong. */
  | 'USAGE'
  /** An environment variable is missing or malformed; the message names it. */
  | 'CONFIG_INVALID'
  /** No manifest where one should be, a manifest of another format, or a part that is not age-encrypted. */
  | 'NOT_A_BACKUP'
  /** The backup was encrypted to another key than the one configured. */
  | 'WRONG_KEY'
  /** A stored part differs from its manifest: tampered with or truncated. */
  | 'CHECKSUM_MISMATCH'
  /** A part matches its manifest's checksum yet does not decrypt: the manifest was rewritten to match. */
  | 'UNDECRYPTABLE'
  /** The manifest lists a part the bucket does not hold, or the part asked for is not in the manifest. */
  | 'NOT_FOUND'
  /** The backup id is taken by another store's backup, or another key's. */
  | 'CONFLICT'
  /** The dump command failed, so nothing was stored. */
  | 'DUMP_FAILED'
  /** The bucket refused a request or did not answer. */
  | 'STORAGE_FAILED'
  /** Writing the plaintext to stdout failed: whatever reads it (the restore) stopped. */
  | 'OUTPUT_FAILED'
  /** A failure the agent did not foresee; the message is the error's own. */
  | 'UNEXPECTED';

export interface AgentError {
  code: AgentErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AgentError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = (code: AgentErrorCode, message: string): { ok: false; error: AgentError } => ({
  ok: false,
  error: { code, message },
});

/** Carries an AgentError through a stream's error channel (a dump that failed mid-upload). */
export class AgentFailure extends Error {
  readonly error: AgentError;

  constructor(error: AgentError) {
    super(error.message);
    this.error = error;
  }
}

/** Refusals of a backup that is not what it claims (exit 3), as opposed to usage (2) or failures (1). */
const REFUSALS: ReadonlySet<AgentErrorCode> = new Set([
  'NOT_A_BACKUP',
  'WRONG_KEY',
  'CHECKSUM_MISMATCH',
  'UNDECRYPTABLE',
  'NOT_FOUND',
]);

export function exitCodeOf(error: AgentError): number {
  if (error.code === 'USAGE' || error.code === 'CONFIG_INVALID') return 2;
  return REFUSALS.has(error.code) ? 3 : 1;
}

/** The reason a refusal starts with, the same words whatever part or backup it is about. */
export const REASON = {
  checksum: 'checksum mismatch (tampered or truncated)',
  wrongKey: 'encrypted with a different key',
  foreign: 'not a Storefleet backup',
} as const;
