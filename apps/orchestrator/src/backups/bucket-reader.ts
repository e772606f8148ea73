// The bucket of an S3 backup target as the platform itself uses it: the backups listed from their
// manifests, and a backup's objects removed (retention, deletion), with the agent's own code (the same
// layout and checks as the agents that wrote them). No dump passes here: those go through Jobs. A
// client is opened per call and closed after it, so nothing is held between requests.
import {
  Bucket,
  backupFolder,
  fail,
  type Listing,
  listBackups,
  MANIFEST_NAME,
  type Manifest,
  manifestFor,
  ok,
  REASON,
  type Result,
} from '@storefleet/backup-agent';
import type { BucketTarget } from './target-config.ts';

export interface BucketLocation {
  endpoint: string | null;
  bucket: string;
  prefix: string;
}

/** What the platform needs of the bucket. */
export interface BackupBucket {
  readonly location: BucketLocation;
  /** `sha256:…` of the key this platform encrypts to and reads with. */
  readonly keyFingerprint: string;
  list(): Promise<Result<Listing>>;
  /** Removes every object under a backup's folder (`<prefix>/<store id>/<backup id>`); none is fine. */
  removeFolder(folder: string): Promise<Result<void>>;
  /**
   * What can be told of a backup without reading it through: its manifest is one of ours, for this
   * platform's key, with each of `parts`, and each part's object has the size the manifest says. The
   * checksums and age's authentication are the restore Job's agent's, before it writes a byte.
   */
  precheck(ref: { storeId: string; backupId: string }, parts: readonly string[]): Promise<Result<void>>;
  /** A backup's manifest, refused unless it is one of ours and written for this platform's key. */
  manifest(ref: { storeId: string; backupId: string }): Promise<Result<Manifest>>;
  /** Where a backup's objects are: `<prefix>/<store id>/<backup id>`. */
  folderOf(ref: { storeId: string; backupId: string }): string;
}

export class S3BackupBucket implements BackupBucket {
  private readonly target: BucketTarget;

  constructor(target: BucketTarget) {
    this.target = target;
  }

  get location(): BucketLocation {
    const { endpoint, bucket, prefix } = this.target.bucket;
    return { endpoint: endpoint ?? null, bucket, prefix };
  }

  get keyFingerprint(): string {
    return this.target.keyFingerprint;
  }

  list(): Promise<Result<Listing>> {
    return this.with((bucket) => listBackups(bucket, this.target.bucket.prefix));
  }

  removeFolder(folder: string): Promise<Result<void>> {
    return this.with(async (bucket) => {
      const keys = await bucket.listKeys(`${folder}/`);
      if (!keys.ok) return keys;
      // The manifest first: a backup without one is no longer listed or restorable, so one whose removal
      // stops half-way never looks whole with a part gone.
      const isManifest = (key: string) => key.endsWith(`/${MANIFEST_NAME}`);
      const ordered = [...keys.value].sort((a, b) => Number(isManifest(b)) - Number(isManifest(a)));
      for (const key of ordered) {
        const removed = await bucket.remove(key);
        if (!removed.ok) return removed;
      }
      return ok(undefined);
    });
  }

  folderOf(ref: { storeId: string; backupId: string }): string {
    return backupFolder(this.target.bucket.prefix, ref);
  }

  manifest(ref: { storeId: string; backupId: string }): Promise<Result<Manifest>> {
    return this.with((bucket) => this.manifestIn(bucket, ref));
  }

  /** The agent's own check: the manifest is one of ours, written for this platform's key. */
  private manifestIn(bucket: Bucket, ref: { storeId: string; backupId: string }): Promise<Result<Manifest>> {
    const { identity, recipient, keyFingerprint: fingerprint } = this.target;
    return manifestFor(bucket, this.target.bucket.prefix, ref, { identity, recipient, fingerprint });
  }

  precheck(ref: { storeId: string; backupId: string }, parts: readonly string[]): Promise<Result<void>> {
    return this.with(async (bucket) => {
      const manifest = await this.manifestIn(bucket, ref);
      if (!manifest.ok) return manifest;
      for (const name of parts) {
        const part = manifest.value.parts.find((entry) => entry.name === name);
        if (!part) return fail('NOT_FOUND', `backup ${ref.backupId} has no ${name} part in its manifest`);
        const opened = await bucket.open(`${backupFolder(this.target.bucket.prefix, ref)}/${part.object}`);
        if (!opened.ok) return opened;
        await opened.value.body.cancel();
        if (opened.value.size !== part.storedBytes) {
          return fail(
            'CHECKSUM_MISMATCH',
            `${REASON.checksum}: part ${name} has ${opened.value.size} bytes, its manifest says ${part.storedBytes}`,
          );
        }
      }
      return ok(undefined);
    });
  }

  private async with<T>(use: (bucket: Bucket) => Promise<Result<T>>): Promise<Result<T>> {
    const bucket = new Bucket(this.target.bucket);
    try {
      return await use(bucket);
    } finally {
      bucket.close();
    }
  }
}
