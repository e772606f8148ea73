// `download`: one part's plaintext to a sink (stdout, piped into the restore), only after a full
// verification pass has read and checked all of it. The second pass reads the version the first
// one verified (by ETag) and is checked again as it streams, so nothing unverified reaches the sink
// unless the bucket itself changed the bytes under the same version, and then the agent exits non-zero.
import type { Bucket } from './bucket.ts';
import type { Result } from './errors.ts';
import type { IdentityKey } from './keys.ts';
import type { BackupRef } from './layout.ts';
import type { PartEntry } from './manifest.ts';
import { readPart } from './read-part.ts';
import { manifestFor, partOf } from './verify.ts';

export async function downloadPart(
  bucket: Bucket,
  prefix: string,
  ref: BackupRef,
  key: IdentityKey,
  partName: string,
  sink: WritableStream<Uint8Array>,
): Promise<Result<PartEntry>> {
  const manifest = await manifestFor(bucket, prefix, ref, key);
  if (!manifest.ok) return manifest;
  const part = partOf(manifest.value, partName);
  if (!part.ok) return part;
  const verified = await readPart(bucket, prefix, manifest.value, part.value, key);
  if (!verified.ok) return verified;
  const streamed = await readPart(bucket, prefix, manifest.value, part.value, key, {
    sink,
    etag: verified.value.etag,
  });
  return streamed.ok ? part : streamed;
}
