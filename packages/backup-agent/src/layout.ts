// Where a backup's objects live in the bucket: `<prefix>/<store id>/<backup id>/manifest.json`, with
// each part beside it as `<part>.age`. A platform that has never seen a store finds its backups by
// listing manifests under the prefix.

export interface BackupRef {
  storeId: string;
  backupId: string;
}

export const MANIFEST_NAME = 'manifest.json';

/** Ids and part names become key segments: letters, digits, `.`, `_` and `-`, never `.` or `..` alone. */
export function isSegment(text: string): boolean {
  return /^[A-Za-z0-9._-]{1,128}$/.test(text) && text !== '.' && text !== '..';
}

/** The prefix as given (`backups/`, `/backups`, empty), without slashes at its ends. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

const under = (prefix: string, rest: string) => (prefix ? `${prefix}/${rest}` : rest);

export function backupFolder(prefix: string, ref: BackupRef): string {
  return under(prefix, `${ref.storeId}/${ref.backupId}`);
}

export function manifestKey(prefix: string, ref: BackupRef): string {
  return `${backupFolder(prefix, ref)}/${MANIFEST_NAME}`;
}

export const partObjectName = (part: string): string => `${part}.age`;

export function partKey(prefix: string, ref: BackupRef, part: string): string {
  return `${backupFolder(prefix, ref)}/${partObjectName(part)}`;
}

/** Where listing starts: every key under the prefix. */
export function listingPrefix(prefix: string): string {
  return prefix ? `${prefix}/` : '';
}

/** The backup a listed key is the manifest of, if it is one. */
export function refOfManifestKey(prefix: string, key: string): BackupRef | undefined {
  const start = listingPrefix(prefix);
  if (!key.startsWith(start)) return undefined;
  const [storeId, backupId, name, ...more] = key.slice(start.length).split('/');
  if (name !== MANIFEST_NAME || more.length > 0 || !storeId || !backupId) return undefined;
  return isSegment(storeId) && isSegment(backupId) ? { storeId, backupId } : undefined;
}
