// Counting and hashing bytes as they stream past, without keeping them.
import { createHash } from 'node:crypto';

export interface Digest {
  bytes: number;
  /** SHA-256, lowercase hex. */
  sha256: string;
}

export interface DigestingStream {
  stream: TransformStream<Uint8Array, Uint8Array>;
  /** The digest of everything that passed; call once the stream has ended. */
  digest(): Digest;
}

export function digesting(): DigestingStream {
  const hash = createHash('sha256');
  let bytes = 0;
  let result: Digest | undefined;
  return {
    stream: new TransformStream({
      transform(chunk, controller) {
        hash.update(chunk);
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
    digest() {
      result ??= { bytes, sha256: hash.digest('hex') };
      return result;
    },
  };
}

/** Reads a stream to its end, keeping only its digest. */
export async function digestOf(stream: ReadableStream<Uint8Array>): Promise<Digest> {
  const digest = digesting();
  await stream.pipeThrough(digest.stream).pipeTo(new WritableStream());
  return digest.digest();
}
