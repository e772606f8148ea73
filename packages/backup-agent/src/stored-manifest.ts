// A backup's manifest in the bucket: read (refusing anything that is not one of ours, or that claims
// to be another backup than the one it sits beside) and written.
import type { Bucket } from './bucket.ts';
import { fail, ok, REASON, type Result } from './errors.ts';
import { type BackupRef, manifestKey } from './layout.ts';
import { type Manifest, parseManifest, serializeManifest } from './manifest.ts';

/** Far more than any manifest; a larger object under the name is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** The manifest of `ref`, or `undefined` when there is none. */
export async function findManifest(
  bucket: Bucket,
  prefix: string,
  ref: BackupRef,
): Promise<Result<Manifest | undefined>> {
  const key = manifestKey(prefix, ref);
  const text = await bucket.readText(key, MAX_MANIFEST_BYTES);
  if (!text.ok) return text;
  if (text.value === undefined) return ok(undefined);
  const parsed = parseManifest(text.value, key);
  if (!parsed.ok) return parsed;
  const { storeId, backupId } = parsed.value;
  if (storeId !== ref.storeId || backupId !== ref.backupId) {
    return fail(
      'NOT_A_BACKUP',
      `${REASON.foreign}: ${key} describes backup ${backupId} of store ${storeId}, not the backup it sits in`,
    );
  }
  return parsed;
}

/** The manifest of `ref`; a backup without one is refused. */
export async function loadManifest(
  bucket: Bucket,
  prefix: string,
  ref: BackupRef,
): Promise<Result<Manifest>> {
  const found = await findManifest(bucket, prefix, ref);
  if (!found.ok) return found;
  if (found.value === undefined) {
    return fail('NOT_A_BACKUP', `${REASON.foreign}: there is no manifest at ${manifestKey(prefix, ref)}`);
  }
  return ok(found.value);
}

export function saveManifest(bucket: Bucket, prefix: string, manifest: Manifest): Promise<Result<void>> {
  return bucket.writeText(manifestKey(prefix, manifest), serializeManifest(manifest), 'application/json');
}
