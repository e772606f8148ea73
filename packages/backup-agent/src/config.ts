// The agent's configuration, from the environment: where the bucket is and which key encrypts. Each
// problem names its variable and the form it takes; no value of a secret variable is ever repeated.
import { fail, ok, type Result } from './errors.ts';
import { type IdentityKey, parseIdentity, parseRecipient, type RecipientKey } from './keys.ts';
import { isSegment, normalizePrefix } from './layout.ts';

export const ENV = {
  endpoint: 'BACKUP_S3_ENDPOINT',
  region: 'BACKUP_S3_REGION',
  bucket: 'BACKUP_S3_BUCKET',
  prefix: 'BACKUP_S3_PREFIX',
  forcePathStyle: 'BACKUP_S3_FORCE_PATH_STYLE',
  accessKeyId: 'BACKUP_S3_ACCESS_KEY_ID',
  secretAccessKey: 'BACKUP_S3_SECRET_ACCESS_KEY',
  recipient: 'BACKUP_AGE_RECIPIENT',
  identity: 'BACKUP_AGE_IDENTITY',
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

export interface BucketConfig {
  /** Unset: AWS's own endpoint for the region. */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** Without slashes at its ends; may be empty. */
  prefix: string;
  forcePathStyle: boolean;
  /** Unset: the SDK's default chain (a pod's web identity, an instance profile…). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

const invalid = (variable: string, form: string) =>
  fail('CONFIG_INVALID', `${variable} is invalid: expected ${form}`);

const value = (env: Env, variable: string): string | undefined => {
  const text = env[variable]?.trim();
  return text ? text : undefined;
};

export function bucketConfigFrom(env: Env): Result<BucketConfig> {
  const endpoint = value(env, ENV.endpoint);
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    return invalid(ENV.endpoint, 'a URL such as "https://s3.eu-central-1.amazonaws.com" (no path)');
  }
  const region = value(env, ENV.region) ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region)) return invalid(ENV.region, 'a region such as "eu-central-1"');
  const bucket = value(env, ENV.bucket);
  if (bucket === undefined) return fail('CONFIG_INVALID', `${ENV.bucket} is not set: name the bucket`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    return invalid(ENV.bucket, 'a bucket name (3 to 63 lowercase letters, digits, "." and "-")');
  }
  const forcePathStyle = value(env, ENV.forcePathStyle) ?? 'false';
  if (forcePathStyle !== 'true' && forcePathStyle !== 'false') {
    return invalid(ENV.forcePathStyle, '"true" or "false"');
  }
  const prefix = normalizePrefix(value(env, ENV.prefix) ?? '');
  if (prefix !== '' && !prefix.split('/').every(isSegment)) {
    return invalid(ENV.prefix, 'key segments joined by "/", such as "storefleet/backups"');
  }
  const accessKeyId = value(env, ENV.accessKeyId);
  const secretAccessKey = value(env, ENV.secretAccessKey);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? ENV.accessKeyId : ENV.secretAccessKey;
    return fail(
      'CONFIG_INVALID',
      `${missing} is not set: set both ${ENV.accessKeyId} and ${ENV.secretAccessKey}, or neither (the SDK's default credentials)`,
    );
  }
  return ok({
    endpoint: endpoint?.replace(/\/$/, ''),
    region,
    bucket,
    prefix,
    forcePathStyle: forcePathStyle === 'true',
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? { accessKeyId, secretAccessKey }
        : undefined,
  });
}

/** The key uploads encrypt to: BACKUP_AGE_RECIPIENT, or the recipient of BACKUP_AGE_IDENTITY. */
export async function recipientKeyFrom(env: Env): Promise<Result<RecipientKey>> {
  const recipient = value(env, ENV.recipient);
  if (recipient !== undefined) return parseRecipient(recipient, ENV.recipient);
  const identity = value(env, ENV.identity);
  if (identity !== undefined) return parseIdentity(identity, ENV.identity);
  return fail(
    'CONFIG_INVALID',
    `${ENV.recipient} is not set: uploads encrypt to an age recipient ("age1…"), or to the recipient of ${ENV.identity}`,
  );
}

/** The key that reads backups: BACKUP_AGE_IDENTITY. */
export async function identityKeyFrom(env: Env): Promise<Result<IdentityKey>> {
  const identity = value(env, ENV.identity);
  if (identity === undefined) {
    return fail(
      'CONFIG_INVALID',
      `${ENV.identity} is not set: reading a backup needs its age identity ("AGE-SECRET-KEY-1…")`,
    );
  }
  return parseIdentity(identity, ENV.identity);
}
