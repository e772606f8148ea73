// The agent's configuration and key layout, row by row: each bad value is refused naming its
// variable and the form it takes; good ones come out normalized.
import { describe, expect, it } from 'vitest';
import { bucketConfigFrom, ENV } from '../src/config.ts';
import { isSegment, manifestKey, normalizePrefix, partKey, refOfManifestKey } from '../src/layout.ts';

const base = { [ENV.bucket]: 'storefleet-backups' };

describe('the bucket configuration', () => {
  it('defaults to AWS in us-east-1, virtual-hosted, the SDK’s own credentials', () => {
    expect(bucketConfigFrom(base)).toEqual({
      ok: true,
      value: {
        endpoint: undefined,
        region: 'us-east-1',
        bucket: 'storefleet-backups',
        prefix: '',
        forcePathStyle: false,
        credentials: undefined,
      },
    });
  });

  it('takes every variable', () => {
    const config = bucketConfigFrom({
      ...base,
      [ENV.endpoint]: 'http://minio.storage.svc:9000/',
      [ENV.region]: 'eu-central-1',
      [ENV.prefix]: '/platform/backups/',
      [ENV.forcePathStyle]: 'true',
      [ENV.accessKeyId]: 'id',
      [ENV.secretAccessKey]: 'secret',
    });
    expect(config).toEqual({
      ok: true,
      value: {
        endpoint: 'http://minio.storage.svc:9000',
        region: 'eu-central-1',
        bucket: 'storefleet-backups',
        prefix: 'platform/backups',
        forcePathStyle: true,
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      },
    });
  });

  it.each([
    [{}, /^BACKUP_S3_BUCKET is not set/],
    [{ [ENV.bucket]: 'Bad_Bucket' }, /^BACKUP_S3_BUCKET is invalid: expected a bucket name/],
    [{ ...base, [ENV.endpoint]: 'minio:9000' }, /^BACKUP_S3_ENDPOINT is invalid: expected a URL/],
    [{ ...base, [ENV.endpoint]: 'https://s3.example/path' }, /^BACKUP_S3_ENDPOINT is invalid: .*\(no path\)/],
    [{ ...base, [ENV.region]: 'EU Central' }, /^BACKUP_S3_REGION is invalid/],
    [
      { ...base, [ENV.forcePathStyle]: 'yes' },
      /^BACKUP_S3_FORCE_PATH_STYLE is invalid: expected "true" or "false"/,
    ],
    [{ ...base, [ENV.prefix]: 'a/../b' }, /^BACKUP_S3_PREFIX is invalid/],
    [{ ...base, [ENV.prefix]: 'a//b' }, /^BACKUP_S3_PREFIX is invalid/],
    [{ ...base, [ENV.accessKeyId]: 'id' }, /^BACKUP_S3_SECRET_ACCESS_KEY is not set: set both/],
    [{ ...base, [ENV.secretAccessKey]: 'hunter2' }, /^BACKUP_S3_ACCESS_KEY_ID is not set: set both/],
  ])('refuses %j', (env, message) => {
    const config = bucketConfigFrom(env);
    expect(config.ok).toBe(false);
    if (config.ok) return;
    expect(config.error.code).toBe('CONFIG_INVALID');
    expect(config.error.message).toMatch(message);
    expect(config.error.message).not.toContain('hunter2');
  });
});

describe('the layout of backups in the bucket', () => {
  const ref = { storeId: 'st_1', backupId: 'bk-2' };

  it('puts a backup’s manifest and parts under <prefix>/<store>/<backup>/', () => {
    expect(manifestKey('backups', ref)).toBe('backups/st_1/bk-2/manifest.json');
    expect(partKey('backups', ref, 'database')).toBe('backups/st_1/bk-2/database.age');
    expect(manifestKey('', ref)).toBe('st_1/bk-2/manifest.json');
    expect(normalizePrefix('//a/b//')).toBe('a/b');
  });

  it('finds the backup a listed key is the manifest of, and nothing in other keys', () => {
    expect(refOfManifestKey('backups', 'backups/st_1/bk-2/manifest.json')).toEqual(ref);
    expect(refOfManifestKey('', 'st_1/bk-2/manifest.json')).toEqual(ref);
    expect(refOfManifestKey('backups', 'backups/st_1/bk-2/database.age')).toBeUndefined();
    expect(refOfManifestKey('backups', 'backups/st_1/manifest.json')).toBeUndefined();
    expect(refOfManifestKey('backups', 'backups/a/b/c/manifest.json')).toBeUndefined();
    expect(refOfManifestKey('backups', 'other/st_1/bk-2/manifest.json')).toBeUndefined();
  });

  it.each(['st_1', 'a.b-c', 'A'.repeat(128)])('takes %s as a key segment', (text) => {
    expect(isSegment(text)).toBe(true);
  });

  it.each(['', '.', '..', 'a/b', 'a b', 'é', 'A'.repeat(129)])('refuses %j as a key segment', (text) => {
    expect(isSegment(text)).toBe(false);
  });
});
