// `list`: every backup under the prefix, from their manifests alone (no key needed), whatever store
// they belong to: a new platform pointed at the bucket finds the backups of stores it never saw.
// Manifests that cannot be read are listed apart, with the reason, rather than hidden.
import type { Bucket } from './bucket.ts';
import { ok, type Result } from './errors.ts';
import { listingPrefix, manifestKey, refOfManifestKey } from './layout.ts';
import type { Manifest } from './manifest.ts';
import { findManifest } from './stored-manifest.ts';

export interface Listing {
  backups: (Manifest & { manifestKey: string })[];
  unreadable: { manifestKey: string; reason: string }[];
}

export async function listBackups(bucket: Bucket, prefix: string): Promise<Result<Listing>> {
  const keys = await bucket.listKeys(listingPrefix(prefix));
  if (!keys.ok) return keys;
  const listing: Listing = { backups: [], unreadable: [] };
  for (const key of keys.value) {
    const ref = refOfManifestKey(prefix, key);
    if (!ref) continue;
    const manifest = await findManifest(bucket, prefix, ref);
    if (!manifest.ok) {
      if (manifest.error.code === 'STORAGE_FAILED') return manifest;
      listing.unreadable.push({ manifestKey: key, reason: manifest.error.message });
    } else if (manifest.value) {
      listing.backups.push({ ...manifest.value, manifestKey: manifestKey(prefix, ref) });
    }
  }
  listing.backups.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return ok(listing);
}
