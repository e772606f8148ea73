// Every job carries its operation's payload, retries and resumptions included: a restore that failed
// on a damaged backup fails at once (another automatic attempt cannot help), and Retry restores the
// same backup, in place or into a store created from it; a store found mid-flight after a crash
// between writes resumes its operation with its payload. In-memory cluster, both databases.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/port.ts';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { BackupsRepository } from '../../src/db/backups-repository.ts';
import type { Database } from '../../src/db/database.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { startTestPlatform, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

const owner = { ownerId: 'owner-1' };
const damaged = () =>
  new ClusterError('CommandFailed', 'pg_restore: error: could not read from input file: end of file', {
    retryable: true,
  });

describe.each(ENGINES)('retries keep the payload on %s', (engine) => {
  let test: TestDatabase;
  let database: Database;
  let cluster: MemoryCluster;
  let backupDir: string;
  let platform: Platform;

  beforeEach(async () => {
    test = await createTestDatabase(engine);
    database = test.database;
    cluster = new MemoryCluster();
    backupDir = mkdtempSync(join(tmpdir(), 'storefleet-backups-'));
    platform = await startTestPlatform(database, cluster, {
      BACKUP_DIR: backupDir,
      MAX_PROVISION_RETRIES: '3',
    });
  });
  afterEach(async () => {
    await platform.stop();
    await test.close();
    rmSync(backupDir, { recursive: true, force: true });
  });

  const backedUpStore = async (name: string, data: string) => {
    const { store } = await platform.commands.create({ name, engine: 'medusa' }, owner);
    await waitForState(database, store.id, 'Ready');
    cluster.data.contents.set(store.namespace, data);
    const backup = await platform.operations.backup(await platform.queries.get(store.id));
    await waitForState(database, store.id, 'Ready');
    return {
      store,
      backup: (await new BackupsRepository(database.db).get(backup.id)) ?? expect.unreachable(),
    };
  };

  const activity = async (storeId: string) =>
    new ActivityRepository(database.db).list({ storeId, limit: 100 });

  it('a restore that fails on its backup fails at once; Retry restores that same backup', async () => {
    const { store, backup } = await backedUpStore('Retry Restore', 'order 1');
    cluster.data.contents.set(store.namespace, 'order 1, order 2');
    cluster.failOn('restoreData', damaged(), 1);
    await platform.operations.restore(await platform.queries.get(store.id), backup.id);
    const failed = await waitForState(database, store.id, 'Failed');
    expect(failed.failure).toMatchObject({
      operation: 'restore',
      step: 'data-restore',
      reason: 'RestoreFailed',
    });
    expect(failed.failure?.message).toMatch(/pg_restore: error: could not read/);
    expect(failed.attempts).toBe(1); // no automatic attempt: the same backup fails the same way
    expect((await activity(store.id)).filter((a) => a.type === 'store.retry_scheduled')).toHaveLength(0);
    expect(cluster.data.contents.get(store.namespace)).toBe('order 1, order 2');

    await platform.commands.retry(store.id);
    const ready = await waitForState(database, store.id, 'Ready');
    expect(cluster.data.contents.get(store.namespace)).toBe('order 1');
    expect(ready.failure).toBeNull();
    const restored = (await activity(store.id)).find((a) => a.type === 'store.restored');
    expect(restored?.message).toContain(backup.id);
  });

  it('a store created from a backup that fails to restore is retried with that backup', async () => {
    const { backup } = await backedUpStore('Seed Shop', 'the first order');
    cluster.failOn('restoreData', damaged(), 1);
    const { store } = await platform.commands.create(
      { name: 'Copy Retry', engine: 'medusa', fromBackup: backup.id },
      owner,
    );
    const failed = await waitForState(database, store.id, 'Failed');
    expect(failed.failure).toMatchObject({ operation: 'provision-from-backup', step: 'data-restore' });
    expect(cluster.data.contents.get(store.namespace)).toBeUndefined();

    await platform.commands.retry(store.id);
    await waitForState(database, store.id, 'Ready');
    expect(cluster.data.contents.get(store.namespace)).toBe('the first order');
  });

  it('a failed restore can instead start the app on the data it has (wake), as the table offers', async () => {
    const { store, backup } = await backedUpStore('Start Anyway', 'order 1');
    cluster.failOn('restoreData', damaged(), 1);
    await platform.operations.restore(await platform.queries.get(store.id), backup.id);
    const failed = await waitForState(database, store.id, 'Failed');
    expect(cluster.scaling.scaledDown.get(store.namespace)?.has('writers')).toBe(true);
    await platform.operations.wake(failed);
    await waitForState(database, store.id, 'Ready');
    expect(cluster.scaling.scaledDown.get(store.namespace)?.size ?? 0).toBe(0);
    expect(cluster.data.contents.get(store.namespace)).toBe('order 1');
  });

  it('a store found Restoring with no job (a crash between writes) resumes its restore with its backup', async () => {
    const { store, backup } = await backedUpStore('Orphan Restore', 'order 1');
    await platform.stop();
    cluster.data.contents.set(store.namespace, 'order 1, order 2');
    // What a crash between the request's transaction and anything else could leave: the store
    // Restoring with its payload, and no job.
    await database.db
      .updateTable('stores')
      .set({ state: 'Restoring', operation: 'restore', payload: JSON.stringify({ backupId: backup.id }) })
      .where('id', '=', store.id)
      .execute();
    await database.db.deleteFrom('work_queue').where('store_id', '=', store.id).execute();
    platform = await startTestPlatform(database, cluster, { BACKUP_DIR: backupDir });
    await waitForState(database, store.id, 'Ready');
    expect(cluster.data.contents.get(store.namespace)).toBe('order 1');
  });
});
