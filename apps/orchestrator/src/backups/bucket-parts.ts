// A backup part to or from the bucket of an S3 target, as the backup runner asks a Job for it and reads
// what the Job said: the request (from the target's configuration), and the manifest or the failure in
// its termination message. A manifest is accepted only when it is the one asked for: this store, this
// backup, with the part, written for this platform's key.
import { type Manifest, parseManifest } from '@storefleet/backup-agent/core';
import {
  type BackupJobRequest,
  type BackupJobResult,
  type BackupPart,
  ClusterError,
  RESTORE_COMMAND_FAILED,
  type StoreTarget,
} from '../cluster/port.ts';
import type { BucketTarget } from './target-config.ts';

export function bucketJobRequest(
  target: BucketTarget,
  direction: BackupJobRequest['direction'],
  store: StoreTarget,
  backup: { storeId: string; id: string },
  part: BackupPart,
  deadlineSeconds: number,
): BackupJobRequest {
  const { endpoint, region, bucket, prefix, forcePathStyle, credentials } = target.bucket;
  return {
    direction,
    target: store,
    backupStoreId: backup.storeId,
    backupId: backup.id,
    part,
    bucket: { endpoint, region, bucket, prefix, forcePathStyle },
    secrets: {
      ...(credentials ? { credentials } : {}),
      recipient: target.recipient,
      identity: target.identity,
    },
    image: target.agentImage,
    deadlineSeconds,
  };
}

/** The agent's own account of a failure: the last `backup-agent: CODE: message` line of the log. */
export function agentFailure(message: string): { code: string; reason: string } | undefined {
  const lines = message.trim().split('\n').reverse();
  for (const line of lines) {
    const match = /^backup-agent: ([A-Z_]+): (.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) return { code: match[1], reason: match[2] };
  }
  return undefined;
}

/** The error a failed Job becomes: a refused backup fails for good, anything else may be tried again. */
export function jobFailure(request: BackupJobRequest, result: BackupJobResult): ClusterError {
  const what = {
    backup: `back up the store's ${request.part}`,
    restore: `restore the store's ${request.part}`,
    verify: `read back and check the backup's ${request.part}`,
  }[request.direction];
  const told = agentFailure(result.message);
  const said = told ? `${told.code}: ${told.reason}` : result.message.trim().slice(-500) || 'no output';
  const message = `Could not ${what} (${request.direction} Job, exit status ${result.exitCode}): ${said}`;
  // 3: the agent refused the backup (tampered, truncated, another key, not a backup): it will again.
  if (result.exitCode === 3) return new ClusterError('BackupUnreadable', message, { retryable: false });
  if (request.direction === 'restore' && result.exitCode === RESTORE_COMMAND_FAILED) {
    return new ClusterError('RestoreFailed', message, { retryable: true });
  }
  // 2: usage or configuration; the same request fails the same way.
  return new ClusterError('BackupJobFailed', message, { retryable: result.exitCode !== 2 });
}

/** The manifest a backup Job printed, checked against what was asked; throws what the Job's failure is. */
export function manifestOfBackupJob(
  request: BackupJobRequest,
  result: BackupJobResult,
  keyFingerprint: string,
): Manifest {
  if (result.exitCode !== 0) throw jobFailure(request, result);
  const parsed = parseManifest(result.message, `the termination message of the ${request.part} backup Job`);
  const refuse = (why: string) =>
    new ClusterError('BackupJobFailed', `The ${request.part} backup Job ${why}.`, { retryable: true });
  if (!parsed.ok) throw refuse(`printed no manifest (${parsed.error.message})`);
  const manifest = parsed.value;
  if (manifest.storeId !== request.backupStoreId || manifest.backupId !== request.backupId) {
    throw refuse(`printed the manifest of backup ${manifest.backupId} of store ${manifest.storeId}`);
  }
  if (!manifest.parts.some((part) => part.name === request.part)) {
    throw refuse(`printed a manifest without the ${request.part} part`);
  }
  if (manifest.encryption.keyFingerprint !== keyFingerprint) {
    throw refuse(
      `encrypted to key ${manifest.encryption.keyFingerprint}, not this platform's ${keyFingerprint}`,
    );
  }
  return manifest;
}

/** Bytes a backup takes in the bucket: its stored parts. */
export function storedBytes(manifest: Manifest): number {
  return manifest.parts.reduce((sum, part) => sum + part.storedBytes, 0);
}
