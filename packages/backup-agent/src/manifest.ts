// The manifest: the small JSON object beside a backup's parts that says whose backup it is, which
// key it was encrypted to (by fingerprint) and, for each part, the size and SHA-256 of the bytes
// stored (checked before decrypting anything) and of the plaintext (checked after). It is written
// only once a part is stored whole, so a backup without one was never finished.
import { fail, ok, REASON, type Result } from './errors.ts';
import { type BackupRef, isSegment } from './layout.ts';

export const MANIFEST_FORMAT = 'storefleet-backup';
export const MANIFEST_VERSION = 1;

export interface PartEntry {
  name: string;
  /** The object's name beside the manifest. */
  object: string;
  storedBytes: number;
  storedSha256: string;
  plainBytes: number;
  plainSha256: string;
}

export interface Manifest extends BackupRef {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  slug: string;
  engine: string;
  /** ISO 8601, when the first part was stored. */
  createdAt: string;
  encryption: { scheme: 'age'; keyFingerprint: string };
  parts: PartEntry[];
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isSha256 = (value: unknown): value is string =>
  typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function isPartEntry(value: unknown): value is PartEntry {
  if (typeof value !== 'object' || value === null) return false;
  const part = value as Record<string, unknown>;
  return (
    typeof part.name === 'string' &&
    isSegment(part.name) &&
    typeof part.object === 'string' &&
    isSegment(part.object) &&
    isCount(part.storedBytes) &&
    isSha256(part.storedSha256) &&
    isCount(part.plainBytes) &&
    isSha256(part.plainSha256)
  );
}

/** Reads a manifest; anything that is not one of ours, whole and of a version this agent knows, is refused. */
export function parseManifest(text: string, where: string): Result<Manifest> {
  const foreign = (why: string) => fail('NOT_A_BACKUP', `${REASON.foreign}: ${where} ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return foreign('is not JSON');
  }
  if (typeof value !== 'object' || value === null) return foreign('is not a manifest');
  const m = value as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) return foreign(`has no "format": "${MANIFEST_FORMAT}"`);
  if (m.version !== MANIFEST_VERSION) {
    return foreign(`is of format version ${String(m.version)}; this agent reads version ${MANIFEST_VERSION}`);
  }
  const encryption = m.encryption as Record<string, unknown> | undefined;
  const wellFormed =
    typeof m.storeId === 'string' &&
    isSegment(m.storeId) &&
    typeof m.backupId === 'string' &&
    isSegment(m.backupId) &&
    isText(m.slug) &&
    isText(m.engine) &&
    typeof m.createdAt === 'string' &&
    !Number.isNaN(Date.parse(m.createdAt)) &&
    encryption?.scheme === 'age' &&
    isText(encryption.keyFingerprint) &&
    Array.isArray(m.parts) &&
    m.parts.every(isPartEntry);
  return wellFormed ? ok(value as Manifest) : foreign('is malformed');
}

export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The manifest with `part` added, or put in place of an earlier upload of the same part. */
export function withPart(manifest: Manifest, part: PartEntry): Manifest {
  return { ...manifest, parts: [...manifest.parts.filter((p) => p.name !== part.name), part] };
}
