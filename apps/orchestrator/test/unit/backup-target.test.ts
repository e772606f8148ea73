// BACKUP_TARGET and its bucket: the volume by default, an S3-compatible bucket with the agent's own
// checks, every problem naming its variable, and no secret ever repeated (in an error or a log line).
import { generateX25519Identity } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeBackupTarget } from '../../src/backups/target-config.ts';
import { ConfigError, loadBackupTarget, loadConfig } from '../../src/config.ts';

let identity: string;
beforeAll(async () => {
  identity = await generateX25519Identity();
});

const SECRET = 'wJalrXUtnFEMI-not-a-real-secret';
const s3 = (more: Record<string, string> = {}) => ({
  BACKUP_TARGET: 's3',
  BACKUP_S3_BUCKET: 'storefleet-backups',
  BACKUP_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  BACKUP_S3_SECRET_ACCESS_KEY: SECRET,
  BACKUP_AGE_IDENTITY: identity,
  ...more,
});
const target = (env: Record<string, string>) => loadBackupTarget(loadConfig({ DATA_DIR: '/srv/sf' }), env);

describe('the backup target', () => {
  it('is the volume at BACKUP_DIR by default', async () => {
    expect(await target({})).toEqual({ kind: 'volume', directory: '/srv/sf/backups' });
    expect(await loadBackupTarget(loadConfig({ BACKUP_DIR: '/b' }), { BACKUP_TARGET: 'volume' })).toEqual({
      kind: 'volume',
      directory: '/b',
    });
  });

  it('is a bucket with BACKUP_TARGET=s3, its key read and its recipient derived', async () => {
    const bucket = await target(
      s3({
        BACKUP_S3_ENDPOINT: 'http://minio.storage.svc:9000/',
        BACKUP_S3_REGION: 'eu-central-1',
        BACKUP_S3_PREFIX: '/fleet/backups/',
        BACKUP_S3_FORCE_PATH_STYLE: 'true',
        BACKUP_AGENT_IMAGE: 'registry.example.com/storefleet/backup-agent:0.1.0',
      }),
    );
    expect(bucket).toMatchObject({
      kind: 's3',
      bucket: {
        endpoint: 'http://minio.storage.svc:9000',
        region: 'eu-central-1',
        bucket: 'storefleet-backups',
        prefix: 'fleet/backups',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET },
      },
      identity,
      recipient: expect.stringMatching(/^age1[0-9a-z]+$/),
      keyFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{32}$/),
      agentImage: 'registry.example.com/storefleet/backup-agent:0.1.0',
    });
  });

  it('takes the SDK default credentials when neither key variable is set', async () => {
    const bucket = await target(s3({ BACKUP_S3_ACCESS_KEY_ID: '', BACKUP_S3_SECRET_ACCESS_KEY: '' }));
    expect(bucket.kind === 's3' && bucket.bucket.credentials).toBeUndefined();
    expect(bucket.kind === 's3' && bucket.agentImage).toBe('storefleet.local/backup-agent:0.1.0');
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ BACKUP_TARGET: 'bucket' }, /BACKUP_TARGET="bucket": expected "volume" or "s3"/],
    [{ BACKUP_S3_BUCKET: '' }, /BACKUP_S3_BUCKET is not set/],
    [{ BACKUP_S3_BUCKET: 'Not_A_Bucket' }, /BACKUP_S3_BUCKET is invalid/],
    [{ BACKUP_S3_ENDPOINT: 'minio:9000' }, /BACKUP_S3_ENDPOINT is invalid: expected a URL/],
    [{ BACKUP_S3_FORCE_PATH_STYLE: 'yes' }, /BACKUP_S3_FORCE_PATH_STYLE is invalid/],
    [{ BACKUP_S3_ACCESS_KEY_ID: '' }, /BACKUP_S3_ACCESS_KEY_ID is not set: set both/],
    [{ BACKUP_AGE_IDENTITY: '' }, /BACKUP_AGE_IDENTITY is not set: BACKUP_TARGET=s3 needs the age identity/],
    [{ BACKUP_AGE_IDENTITY: 'AGE-SECRET-KEY-1NOPE' }, /BACKUP_AGE_IDENTITY is not an age identity/],
    [{ BACKUP_AGENT_IMAGE: 'two words' }, /BACKUP_AGENT_IMAGE: expected an image reference/],
  ])('refuses %j naming the variable', async (change, message) => {
    const attempt = target(s3(change));
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(target(s3(change))).rejects.toThrow(message);
    const error = await target(s3(change)).catch((e: Error) => e);
    expect(String(error)).toMatch(/^Error: Invalid configuration:\n {2}/);
    expect(String(error)).not.toContain(SECRET);
    const key = change.BACKUP_AGE_IDENTITY;
    if (key) expect(String(error)).not.toContain(key);
  });

  it('refuses a bucket or key set for a volume target, rather than ignoring it', async () => {
    await expect(target({ BACKUP_S3_BUCKET: 'storefleet-backups' })).rejects.toThrow(
      /BACKUP_S3_BUCKET is set but BACKUP_TARGET is not "s3"/,
    );
    const error = await target({ BACKUP_AGE_IDENTITY: identity }).catch((e: Error) => e);
    expect(String(error)).toMatch(/BACKUP_AGE_IDENTITY is set but BACKUP_TARGET is not "s3"/);
    expect(String(error)).not.toContain(identity);
  });

  it('is described without its credentials or key', async () => {
    const described = JSON.stringify(describeBackupTarget(await target(s3())));
    expect(described).not.toContain(SECRET);
    expect(described).not.toContain(identity);
    expect(described).toContain('storefleet-backups');
    expect(described).toContain('"credentials":"***"');
  });
});
