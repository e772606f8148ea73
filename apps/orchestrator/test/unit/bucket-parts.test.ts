// What the backup runner makes of a backup Job's end: the manifest it printed, accepted only when it
// is the one asked for (this store, this backup, the part, this platform's key), and each way a Job
// fails turned into a failure reason, retried or not.
import { describe, expect, it } from 'vitest';
import { agentFailure, jobFailure, manifestOfBackupJob } from '../../src/backups/bucket-parts.ts';
import type { BackupJobRequest } from '../../src/cluster/port.ts';

const KEY = `sha256:${'a'.repeat(32)}`;
const request = (direction: 'backup' | 'restore' = 'backup'): BackupJobRequest => ({
  direction,
  target: {
    storeId: 'store-1',
    slug: 'shoes',
    name: 'Shoes',
    engine: 'medusa',
    ownerId: 'owner',
    namespace: 'store-shoes',
    release: 'store-shoes',
    values: {},
    generation: 1,
  },
  backupStoreId: 'store-1',
  backupId: 'backup-1',
  part: 'database',
  bucket: { endpoint: undefined, region: 'us-east-1', bucket: 'b', prefix: '', forcePathStyle: false },
  secrets: { recipient: 'age1x', identity: 'AGE-SECRET-KEY-1X' },
  image: 'agent',
  deadlineSeconds: 60,
});

const manifest = (changes: Record<string, unknown> = {}) =>
  JSON.stringify({
    format: 'storefleet-backup',
    version: 1,
    storeId: 'store-1',
    backupId: 'backup-1',
    slug: 'shoes',
    engine: 'medusa',
    createdAt: '2026-12-07T20:00:00.000Z',
    encryption: { scheme: 'age', keyFingerprint: KEY },
    parts: [
      {
        name: 'database',
        object: 'database.age',
        storedBytes: 300,
        storedSha256: 'b'.repeat(64),
        plainBytes: 100,
        plainSha256: 'c'.repeat(64),
      },
    ],
    ...changes,
  });

describe("a backup Job's manifest", () => {
  it('is accepted when it is the one asked for', () => {
    expect(
      manifestOfBackupJob(request(), { exitCode: 0, message: manifest() }, KEY).parts[0]?.storedBytes,
    ).toBe(300);
  });

  it.each([
    ['not JSON', 'hello', /printed no manifest/],
    [
      'another backup',
      manifest({ backupId: 'backup-2' }),
      /printed the manifest of backup backup-2 of store store-1/,
    ],
    ['without the part', manifest({ parts: [] }), /without the database part/],
    [
      'for another key',
      manifest({ encryption: { scheme: 'age', keyFingerprint: `sha256:${'d'.repeat(32)}` } }),
      /encrypted to key sha256:d+, not this platform's/,
    ],
  ])('is refused when it is %s', (_what, message, reason) => {
    expect(() => manifestOfBackupJob(request(), { exitCode: 0, message }, KEY)).toThrow(reason);
  });
});

describe("a backup Job's failure", () => {
  const log =
    'pg_dump: error: connection refused\nbackup-agent: DUMP_FAILED: the dump command pg_dump exited with 1; nothing was stored\n';

  it("is told in the agent's own last line", () => {
    expect(agentFailure(log)).toEqual({
      code: 'DUMP_FAILED',
      reason: 'the dump command pg_dump exited with 1; nothing was stored',
    });
    expect(agentFailure('OOMKilled')).toBeUndefined();
  });

  it.each([
    ['backup', 1, log, 'BackupJobFailed', true, /exit status 1\): DUMP_FAILED: the dump command/],
    [
      'backup',
      2,
      'backup-agent: CONFIG_INVALID: BACKUP_S3_BUCKET is not set',
      'BackupJobFailed',
      false,
      /CONFIG_INVALID/,
    ],
    [
      'restore',
      3,
      'backup-agent: WRONG_KEY: encrypted with a different key',
      'BackupUnreadable',
      false,
      /WRONG_KEY/,
    ],
    [
      'restore',
      4,
      'backup-agent: RESTORE_FAILED: pg_restore exited with 1',
      'RestoreFailed',
      true,
      /pg_restore exited/,
    ],
    [
      'backup',
      -1,
      'Job sf-backup-x failed without a container that ended',
      'BackupJobFailed',
      true,
      /without a container/,
    ],
  ] as const)(
    'of a %s with exit status %i is %s (retried: %s)',
    (direction, exitCode, message, code, retryable, said) => {
      const error = jobFailure(request(direction), { exitCode, message });
      expect(error).toMatchObject({ code, retryable });
      expect(error.message).toMatch(said);
    },
  );

  it('is a failure of the manifest reader too when the Job failed', () => {
    expect(() => manifestOfBackupJob(request(), { exitCode: 1, message: log }, KEY)).toThrow(/DUMP_FAILED/);
  });
});
