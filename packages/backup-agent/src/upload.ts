// `upload`: one part of a backup, from a plaintext stream to `<part>.age` in the bucket, encrypted
// to the recipient with age as it passes, counted and hashed before and after encryption, in bounded
// memory. The manifest is written (or gains the part) only once the part is stored whole.
import { Encrypter } from 'age-encryption';
import type { Bucket } from './bucket.ts';
import { digesting } from './digest.ts';
import { fail, ok, type Result } from './errors.ts';
import type { RecipientKey } from './keys.ts';
import { type BackupRef, partKey, partObjectName } from './layout.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, withPart } from './manifest.ts';
import { findManifest, saveManifest } from './stored-manifest.ts';

export interface UploadRequest extends BackupRef {
  slug: string;
  engine: string;
  part: string;
}

/** A part uploaded again (a retried Job) replaces the earlier one; another store's or key's backup is not touched. */
function conflictWith(manifest: Manifest, request: UploadRequest, key: RecipientKey): string | undefined {
  if (manifest.engine !== request.engine) return `it is a ${manifest.engine} backup, not ${request.engine}`;
  if (manifest.slug !== request.slug) return `it is a backup of ${manifest.slug}, not ${request.slug}`;
  if (manifest.encryption.keyFingerprint !== key.fingerprint) {
    return `its parts are encrypted to key ${manifest.encryption.keyFingerprint}, not ${key.fingerprint}`;
  }
  return undefined;
}

export async function uploadPart(
  bucket: Bucket,
  prefix: string,
  key: RecipientKey,
  request: UploadRequest,
  plaintext: ReadableStream<Uint8Array>,
  now: () => Date,
): Promise<Result<Manifest>> {
  const existing = await findManifest(bucket, prefix, request);
  if (!existing.ok) return existing;
  const conflict = existing.value && conflictWith(existing.value, request, key);
  if (conflict) {
    return fail(
      'CONFLICT',
      `backup ${request.backupId} of store ${request.storeId} already exists: ${conflict}`,
    );
  }
  const plain = digesting();
  const stored = digesting();
  const encrypter = new Encrypter();
  encrypter.addRecipient(key.recipient);
  const ciphertext = await encrypter.encrypt(plaintext.pipeThrough(plain.stream));
  const uploaded = await bucket.upload(
    partKey(prefix, request, request.part),
    ciphertext.pipeThrough(stored.stream),
  );
  if (!uploaded.ok) return uploaded;
  const manifest = withPart(
    existing.value ?? {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      storeId: request.storeId,
      backupId: request.backupId,
      slug: request.slug,
      engine: request.engine,
      createdAt: now().toISOString(),
      encryption: { scheme: 'age', keyFingerprint: key.fingerprint },
      parts: [],
    },
    {
      name: request.part,
      object: partObjectName(request.part),
      storedBytes: stored.digest().bytes,
      storedSha256: stored.digest().sha256,
      plainBytes: plain.digest().bytes,
      plainSha256: plain.digest().sha256,
    },
  );
  const saved = await saveManifest(bucket, prefix, manifest);
  return saved.ok ? ok(manifest) : saved;
}
