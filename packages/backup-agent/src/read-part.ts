// Reading one part back, checked against its manifest: the stored size first (before a byte is
// read), then, in one pass, the stored bytes' SHA-256, age's authentication of every chunk to the end,
// and the plaintext's size and SHA-256. The plaintext goes to `sink`, or nowhere for a verification.
// When decryption fails, the object is read again only to be hashed, so the reason given is the
// checksum's whenever the stored bytes are not the ones the manifest describes.
import { Decrypter } from 'age-encryption';
import type { Bucket } from './bucket.ts';
import { type Digest, digesting, digestOf } from './digest.ts';
import { type AgentError, AgentFailure, fail, ok, REASON, type Result } from './errors.ts';
import type { IdentityKey } from './keys.ts';
import { backupFolder } from './layout.ts';
import type { Manifest, PartEntry } from './manifest.ts';

export interface PartRead {
  /** The version read: a second read with it gets the same bytes or none. */
  etag: string;
}

/** age's own words for a file it cannot parse at all: the object was never age-encrypted. */
const NOT_AGE = /^(invalid version|invalid header|invalid stanza|invalid non-ASCII|stream ended before)/;

function decryptionFailure(part: PartEntry, error: unknown): AgentError {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith("no identity matched any of the file's recipients")) {
    return {
      code: 'WRONG_KEY',
      message: `${REASON.wrongKey}: part ${part.name} does not open with this key`,
    };
  }
  if (NOT_AGE.test(message)) {
    return {
      code: 'NOT_A_BACKUP',
      message: `${REASON.foreign}: part ${part.name} is not age-encrypted (${message})`,
    };
  }
  return {
    code: 'UNDECRYPTABLE',
    message: `part ${part.name} matches its manifest's checksum but does not decrypt (${message}): the manifest was rewritten`,
  };
}

const mismatch = (
  part: PartEntry,
  what: string,
  found: Digest,
  expected: { bytes: number; sha256: string },
) =>
  found.bytes !== expected.bytes
    ? `${REASON.checksum}: part ${part.name} has ${found.bytes} ${what} bytes, its manifest says ${expected.bytes}`
    : found.sha256 !== expected.sha256
      ? `${REASON.checksum}: part ${part.name}'s ${what} SHA-256 is ${found.sha256}, its manifest says ${expected.sha256}`
      : undefined;

/** Plaintext goes to `sink`; its failures are told apart from the backup's. */
function guarded(sink: WritableStream<Uint8Array>): WritableStream<Uint8Array> {
  const writer = sink.getWriter();
  const outputFailed = (error: unknown) =>
    new AgentFailure({
      code: 'OUTPUT_FAILED',
      message: `writing the plaintext failed (${error instanceof Error ? error.message : String(error)}): whatever read it stopped`,
    });
  return new WritableStream({
    write: (chunk) => writer.write(chunk).catch((error) => Promise.reject(outputFailed(error))),
    close: () => writer.close().catch((error) => Promise.reject(outputFailed(error))),
    abort: (reason) => writer.abort(reason),
  });
}

export async function readPart(
  bucket: Bucket,
  prefix: string,
  manifest: Manifest,
  part: PartEntry,
  key: IdentityKey,
  options: { sink?: WritableStream<Uint8Array>; etag?: string } = {},
): Promise<Result<PartRead>> {
  const objectKey = `${backupFolder(prefix, manifest)}/${part.object}`;
  const opened = await bucket.open(objectKey, options.etag);
  if (!opened.ok) {
    if (opened.error.code !== 'NOT_FOUND') return opened;
    return fail(
      'NOT_FOUND',
      `part ${part.name} of backup ${manifest.backupId} is missing: ${opened.error.message}`,
    );
  }
  const { body, size, etag } = opened.value;
  if (size !== part.storedBytes) {
    await body.cancel();
    return fail(
      'CHECKSUM_MISMATCH',
      `${REASON.checksum}: part ${part.name} has ${size} bytes stored, its manifest says ${part.storedBytes}`,
    );
  }
  const stored = digesting();
  const plain = digesting();
  try {
    const decrypter = new Decrypter();
    decrypter.addIdentity(key.identity);
    const plaintext = await decrypter.decrypt(body.pipeThrough(stored.stream));
    const sink = options.sink ? guarded(options.sink) : new WritableStream<Uint8Array>();
    await plaintext.pipeThrough(plain.stream).pipeTo(sink);
  } catch (error) {
    if (error instanceof AgentFailure) return { ok: false, error: error.error };
    const again = await bucket.open(objectKey, etag);
    if (!again.ok) return again;
    const storedMismatch = mismatch(part, 'stored', await digestOf(again.value.body), {
      bytes: part.storedBytes,
      sha256: part.storedSha256,
    });
    if (storedMismatch) return fail('CHECKSUM_MISMATCH', storedMismatch);
    return { ok: false, error: decryptionFailure(part, error) };
  }
  const wrong =
    mismatch(part, 'stored', stored.digest(), { bytes: part.storedBytes, sha256: part.storedSha256 }) ??
    mismatch(part, 'plaintext', plain.digest(), { bytes: part.plainBytes, sha256: part.plainSha256 });
  return wrong ? fail('CHECKSUM_MISMATCH', wrong) : ok({ etag });
}
