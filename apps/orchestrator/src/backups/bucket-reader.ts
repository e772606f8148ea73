// The bucket of an S3 backup target as the platform reads it: the backups listed from their manifests,
// with the agent's own code (the same layout and checks as the agents that wrote them). A client is
// opened per call and closed after it, so nothing is held between requests.
import { Bucket, type Listing, listBackups, type Result } from '@storefleet/backup-agent';
import type { BucketTarget } from './target-config.ts';

export interface BucketLocation {
  endpoint: string | null;
  bucket: string;
  prefix: string;
}

/** What the platform needs of the bucket; tests and other stores of backups implement it too. */
export interface BackupBucketReader {
  readonly location: BucketLocation;
  /** `sha256:…` of the key this platform encrypts to and reads with. */
  readonly keyFingerprint: string;
  list(): Promise<Result<Listing>>;
}

export class S3BackupBucketReader implements BackupBucketReader {
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

  async list(): Promise<Result<Listing>> {
    const bucket = new Bucket(this.target.bucket);
    try {
      return await listBackups(bucket, this.target.bucket.prefix);
    } finally {
      bucket.close();
    }
  }
}
