// Where store backups go (BACKUP_TARGET): the platform's volume (BACKUP_DIR, the default) or an
// S3-compatible bucket, read from the same variables the backup agent reads (BACKUP_S3_*, and the age
// key BACKUP_AGE_IDENTITY), with the agent's own checks, so a platform and the agents it runs agree on
// the bucket. Every problem names its variable; no secret's value is ever repeated.
import {
  ENV as AGENT_ENV,
  type BucketConfig,
  bucketConfigFrom,
  parseIdentity,
} from '@storefleet/backup-agent/core';

export const BACKUP_TARGET_ENV = {
  target: 'BACKUP_TARGET',
  agentImage: 'BACKUP_AGENT_IMAGE',
  ...AGENT_ENV,
} as const;

/** The variables whose values are secret: never logged, never shown in an error. */
export const BACKUP_SECRET_VARIABLES = [AGENT_ENV.secretAccessKey, AGENT_ENV.identity] as const;

/** The image of the backup Jobs: node, the agent, pg_dump/pg_restore and mariadb-dump/mariadb. */
export const DEFAULT_AGENT_IMAGE = 'storefleet.local/backup-agent:0.1.0';

export interface VolumeTarget {
  kind: 'volume';
  /** Absolute path of BACKUP_DIR. */
  directory: string;
}

export interface BucketTarget {
  kind: 's3';
  bucket: BucketConfig;
  /** The age identity (`AGE-SECRET-KEY-1…`): restores and verification need it. */
  identity: string;
  /** The public half, which backup Jobs encrypt to; derived from the identity at start-up. */
  recipient: string;
  /** `sha256:…` of the recipient, as the agent writes it into every manifest. */
  keyFingerprint: string;
  /** The image backup and restore Jobs run in the store's namespace. */
  agentImage: string;
}

export type BackupTarget = VolumeTarget | BucketTarget;

export class BackupTargetError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

const value = (env: Env, name: string): string | undefined => {
  const text = env[name]?.trim();
  return text ? text : undefined;
};

/**
 * The backup target of this environment. Throws BackupTargetError with one line per problem; the key
 * is parsed here too (age's parser is asynchronous), so a platform never starts with a key it cannot use.
 */
export async function backupTargetFrom(env: Env, backupDir: string): Promise<BackupTarget> {
  const kind = value(env, BACKUP_TARGET_ENV.target) ?? 'volume';
  if (kind !== 'volume' && kind !== 's3') {
    throw new BackupTargetError(
      `${BACKUP_TARGET_ENV.target}=${JSON.stringify(kind)}: expected "volume" or "s3"`,
    );
  }
  if (kind === 'volume') {
    const stray = [AGENT_ENV.bucket, AGENT_ENV.identity].filter((name) => value(env, name) !== undefined);
    if (stray.length > 0) {
      throw new BackupTargetError(
        `${stray.join(' and ')} ${stray.length > 1 ? 'are' : 'is'} set but ${BACKUP_TARGET_ENV.target} is not "s3": set ${BACKUP_TARGET_ENV.target}=s3 to back up to the bucket, or unset ${stray.length > 1 ? 'them' : 'it'}`,
      );
    }
    return { kind: 'volume', directory: backupDir };
  }
  const bucket = bucketConfigFrom(env);
  if (!bucket.ok) throw new BackupTargetError(bucket.error.message);
  const identity = value(env, AGENT_ENV.identity);
  if (identity === undefined) {
    throw new BackupTargetError(
      `${AGENT_ENV.identity} is not set: ${BACKUP_TARGET_ENV.target}=s3 needs the age identity ("AGE-SECRET-KEY-1…") that backups are encrypted to and restored with (age-keygen makes one)`,
    );
  }
  const key = await parseIdentity(identity, AGENT_ENV.identity);
  if (!key.ok) throw new BackupTargetError(key.error.message);
  const agentImage = value(env, BACKUP_TARGET_ENV.agentImage) ?? DEFAULT_AGENT_IMAGE;
  if (/\s/.test(agentImage)) {
    throw new BackupTargetError(
      `${BACKUP_TARGET_ENV.agentImage}: expected an image reference such as "registry.example.com/storefleet/backup-agent:0.1.0"`,
    );
  }
  return {
    kind: 's3',
    bucket: bucket.value,
    identity: key.value.identity,
    recipient: key.value.recipient,
    keyFingerprint: key.value.fingerprint,
    agentImage,
  };
}

/** The target in a form safe to log: where it is, never the credentials or the key. */
export function describeBackupTarget(target: BackupTarget): Record<string, unknown> {
  if (target.kind === 'volume') return { kind: 'volume', directory: target.directory };
  const { bucket } = target;
  return {
    kind: 's3',
    endpoint: bucket.endpoint ?? '(AWS)',
    region: bucket.region,
    bucket: bucket.bucket,
    prefix: bucket.prefix,
    forcePathStyle: bucket.forcePathStyle,
    credentials: bucket.credentials ? '***' : "the SDK's default chain",
    keyFingerprint: target.keyFingerprint,
    agentImage: target.agentImage,
  };
}
