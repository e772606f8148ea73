// `verify`: a whole backup read back and checked, every part, writing nothing. The key is compared
// with the manifest's fingerprint before any part is read.
import type { Bucket } from './bucket.ts';
import { fail, ok, REASON, type Result } from './errors.ts';
import type { IdentityKey } from './keys.ts';
import type { BackupRef } from './layout.ts';
import type { Manifest, PartEntry } from './manifest.ts';
import { readPart } from './read-part.ts';
import { loadManifest } from './stored-manifest.ts';

/** The manifest, refused when it was written for another key. */
export async function manifestFor(
  bucket: Bucket,
  prefix: string,
  ref: BackupRef,
  key: IdentityKey,
): Promise<Result<Manifest>> {
  const manifest = await loadManifest(bucket, prefix, ref);
  if (!manifest.ok) return manifest;
  const written = manifest.value.encryption.keyFingerprint;
  if (written !== key.fingerprint) {
    return fail(
      'WRONG_KEY',
      `${REASON.wrongKey}: backup ${ref.backupId} was encrypted to key ${written}, this agent holds ${key.fingerprint}`,
    );
  }
  return manifest;
}

export function partOf(manifest: Manifest, name: string): Result<PartEntry> {
  const part = manifest.parts.find((p) => p.name === name);
  if (part) return ok(part);
  const held = manifest.parts.map((p) => p.name).join(', ') || 'none';
  return fail('NOT_FOUND', `backup ${manifest.backupId} has no part ${name} (its parts: ${held})`);
}

/** Checks every part of the backup, or only `partName`. */
export async function verifyBackup(
  bucket: Bucket,
  prefix: string,
  ref: BackupRef,
  key: IdentityKey,
  partName?: string,
): Promise<Result<Manifest>> {
  const manifest = await manifestFor(bucket, prefix, ref, key);
  if (!manifest.ok) return manifest;
  if (manifest.value.parts.length === 0) {
    return fail('NOT_A_BACKUP', `${REASON.foreign}: backup ${ref.backupId}'s manifest lists no parts`);
  }
  let parts = manifest.value.parts;
  if (partName !== undefined) {
    const part = partOf(manifest.value, partName);
    if (!part.ok) return part;
    parts = [part.value];
  }
  for (const part of parts) {
    const read = await readPart(bucket, prefix, manifest.value, part, key);
    if (!read.ok) return read;
  }
  return manifest;
}
