// Backups, restores, sleep and wake through the queue and the reconciler, on both databases, with an
// in-memory cluster whose "data" is a string per namespace. The adapter itself is proven on the real
// node (test/cluster/medusa-data.test.ts); here: the rules, the records, and that a worker killed at
// each step of each operation leaves work that another worker finishes, once.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LIFECYCLE, type Operation } from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/port.ts';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { BackupsRepository } from '../../src/db/backups-repository.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import type { AppError } from '../../src/errors.ts';
import type { Platform } from '../../src/platform.ts';
import { ENGINES } from '../support/databases.ts';
import { waitFor, waitForState } from '../support/harness.ts';
import type { ClusterOperation } from '../support/memory-cluster.ts';
import { platformBed } from '../support/platform-bed.ts';

const owner = { ownerId: 'owner-1' };

/** The cluster call each step makes, to block a worker in the middle of it. */
const STEP_CALLS: Record<string, ClusterOperation> = {
  backup: 'dumpData',
  'app-stop': 'scaleDown',
  'data-restore': 'restoreData',
  'app-start': 'rerunSetup',
  ready: 'waitUntilReady',
  'app-ready': 'waitUntilReady',
  'files-restore': 'restoreData',
  'scale-down': 'scaleDown',
  'scale-up': 'scaleUp',
};

describe.each(ENGINES)('backups, restore, sleep and wake on %s', (engine) => {
  const bed = platformBed(engine);
  const { start } = bed;

  const readyStore = async (platform: Platform, name: string) => {
    const { store } = await platform.commands.create({ name, engine: 'medusa' }, owner);
    return waitForState(bed.database, store.id, 'Ready');
  };

  const backupOf = async (platform: Platform, storeId: string) => {
    const backup = await platform.operations.backup(await platform.queries.get(storeId));
    await waitForState(bed.database, storeId, 'Ready');
    return (await new BackupsRepository(bed.database.db).get(backup.id)) ?? expect.unreachable();
  };

  const types = async (storeId: string) =>
    (await new ActivityRepository(bed.database.db).list({ storeId, limit: 100 })).map((a) => a.type);

  it('backs up, takes more data, restores: the data is the backup again; each step is a condition', async () => {
    const platform = await start();
    const store = await readyStore(platform, 'Round Trip');
    bed.cluster.data.contents.set(store.namespace, 'order 1');
    const backup = await backupOf(platform, store.id);
    expect(backup).toMatchObject({ status: 'succeeded', parts: ['database'], sizeBytes: 'order 1'.length });
    expect(backup.startedAt).not.toBeNull();
    expect(readdirSync(join(bed.backupDir, 'stores', store.id, backup.id))).toEqual(['database.dump']);

    bed.cluster.data.contents.set(store.namespace, 'order 1, order 2');
    await platform.operations.restore(await platform.queries.get(store.id), backup.id);
    const restored = await waitForState(bed.database, store.id, 'Ready');
    expect(bed.cluster.data.contents.get(store.namespace)).toBe('order 1');
    expect(restored.conditions.find((c) => c.type === 'Restored')).toMatchObject({ status: 'True' });
    // (jsonb keeps no key order)
    expect(Object.keys(restored.stepTimings.restore ?? {}).sort()).toEqual(
      [...LIFECYCLE.restore.steps].sort(),
    );
    // The provision's timings are the provision's: the restore measured its own.
    expect(restored.stepTimings.provision).toEqual(store.stepTimings.provision);
    expect(bed.cluster.scaling.scaledDown.get(store.namespace)?.size ?? 0).toBe(0);
    expect([...(bed.cluster.scaling.setupReruns.get(store.namespace) ?? [])]).toHaveLength(1);
    expect(await types(store.id)).toEqual(
      expect.arrayContaining([
        'backup.requested',
        'backup.succeeded',
        'store.restore_requested',
        'store.restored',
      ]),
    );
    expect(bed.cluster.overlaps).toBe(0);
  });

  it('creates a new store from a backup: one plan that provisions, restores the data and the files', async () => {
    const platform = await start();
    const source = await readyStore(platform, 'Source Shop');
    bed.cluster.data.contents.set(source.namespace, 'the first order');
    const backup = await backupOf(platform, source.id);
    const { store } = await platform.commands.create(
      { name: 'Copy Shop', engine: 'medusa', fromBackup: backup.id },
      owner,
    );
    const ready = await waitForState(bed.database, store.id, 'Ready');
    expect(bed.cluster.data.contents.get(ready.namespace)).toBe('the first order');
    expect(Object.keys(ready.stepTimings['provision-from-backup'] ?? {}).sort()).toEqual(
      [...LIFECYCLE['provision-from-backup'].steps].sort(),
    );
    expect(ready.conditions.find((c) => c.type === 'Restored')).toMatchObject({ status: 'True' });
    expect(await types(store.id)).toEqual(expect.arrayContaining(['store.provisioning', 'store.ready']));
    expect(await types(store.id)).not.toContain('store.restore_requested');
    await expect(
      platform.commands.create({ name: 'Wrong Engine', engine: 'woocommerce', fromBackup: backup.id }, owner),
    ).rejects.toMatchObject({ code: 'BACKUP_NOT_RESTORABLE' });
    await expect(
      platform.commands.create(
        { name: 'Not Mine', engine: 'medusa', fromBackup: backup.id },
        { ownerId: 'other' },
      ),
    ).rejects.toMatchObject({
      code: 'BACKUP_NOT_RESTORABLE',
      message: expect.stringMatching(/among your backups/),
    });
  });

  it('a failed backup is recorded with its reason, and the store stays Ready and untouched', async () => {
    const platform = await start();
    const store = await readyStore(platform, 'Flaky Disk');
    bed.cluster.failOn(
      'dumpData',
      new ClusterError('CommandFailed', 'pg_dump failed in the database pod: out of disk', {
        retryable: true,
      }),
    );
    const requested = await platform.operations.backup(await platform.queries.get(store.id));
    const failed = await waitFor(async () => {
      const backup = await new BackupsRepository(bed.database.db).get(requested.id);
      return backup?.status === 'failed' ? backup : undefined;
    }, 'the backup to fail');
    expect(failed.failure).toMatch(/out of disk/);
    const after = await waitForState(bed.database, store.id, 'Ready');
    expect(after.failure).toBeNull();
    expect(after.conditions.find((c) => c.type === 'BackedUp')).toMatchObject({ status: 'False' });
    const activity = await new ActivityRepository(bed.database.db).list({ storeId: store.id, limit: 50 });
    expect(activity.find((a) => a.type === 'backup.failed')?.message).toMatch(/out of disk/);
    expect(
      readdirSync(bed.backupDir, { recursive: true }).filter((f) => String(f).endsWith('.dump')),
    ).toEqual([]);
  });

  it('keeps only the newest backups the schedule says, deleting the others with their files', async () => {
    const platform = await start({ PLATFORM_INTERNAL_URL: 'http://orchestrator.test:8080' });
    const store = await readyStore(platform, 'Keep Two');
    await platform.operations.setSchedule(await platform.queries.get(store.id), {
      cron: '0 3 * * *',
      keep: 2,
    });
    expect(bed.cluster.backupSchedule.schedules.get(store.namespace)).toMatchObject({
      cron: '0 3 * * *',
      url: 'http://orchestrator.test:8080/api/internal/scheduled-backups',
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await backupOf(platform, store.id)).id);
    const kept = (await new BackupsRepository(bed.database.db).listForStore(store.id)).map((b) => b.id);
    expect(kept).toEqual([ids[2], ids[1]]);
    expect(readdirSync(join(bed.backupDir, 'stores', store.id)).sort()).toEqual([ids[1], ids[2]].sort());
    expect(await types(store.id)).toContain('backup.expired');

    // The CronJob's token is the only way in, and it names this store.
    // Over HTTP, as the CronJob's pod asks: no user, only the store's token.
    const token = bed.cluster.backupSchedule.schedules.get(store.namespace)?.token ?? '';
    const ask = (headers: Record<string, string>) =>
      platform.app.inject({ method: 'POST', url: '/api/internal/scheduled-backups', headers });
    const scheduled = await ask({ 'x-backup-token': token });
    expect(scheduled.statusCode, scheduled.body).toBe(202);
    expect(scheduled.json()).toMatchObject({ storeId: store.id, trigger: 'schedule', status: 'pending' });
    await waitForState(bed.database, store.id, 'Ready');
    for (const headers of [{ 'x-backup-token': `${token}x` }, {}] as Record<string, string>[]) {
      const refused = await ask(headers);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
    }
  });

  it('refuses a schedule without PLATFORM_INTERNAL_URL, and backups beyond the quota', async () => {
    const platform = await start({ BACKUP_QUOTA_BYTES: '10' });
    const store = await readyStore(platform, 'Tight Quota');
    await expect(
      platform.operations.setSchedule(store, { cron: '0 3 * * *', keep: 3 }),
    ).rejects.toMatchObject({
      code: 'BACKUP_SCHEDULE_UNAVAILABLE',
      message: expect.stringMatching(/PLATFORM_INTERNAL_URL/),
    });
    bed.cluster.data.contents.set(store.namespace, 'more than ten bytes of data');
    await backupOf(platform, store.id);
    const refused = await platform.operations
      .backup(await platform.queries.get(store.id))
      .catch((error: AppError) => error);
    expect(refused).toMatchObject({ code: 'BACKUP_QUOTA_EXCEEDED', kind: 'limit' });
    expect(await new BackupsRepository(bed.database.db).listForStore(store.id)).toHaveLength(1);
  });

  it('refuses restore, sleep and backup while the store is mid-operation, and wake unless asleep', async () => {
    const platform = await start();
    const store = await readyStore(platform, 'Busy Bee');
    const backup = await backupOf(platform, store.id);
    const gate = bed.cluster.blockOn('scaleDown');
    await platform.operations.sleep(await platform.queries.get(store.id));
    await gate.reached;
    const sleeping = await platform.queries.get(store.id);
    expect(sleeping.state).toBe('Sleeping');
    for (const attempt of [
      () => platform.operations.restore(sleeping, backup.id),
      () => platform.operations.sleep(sleeping),
      () => platform.operations.backup(sleeping),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'STORE_BUSY', kind: 'conflict' });
    }
    gate.open();
    bed.cluster.clearBehaviour('scaleDown');
    await waitForState(bed.database, store.id, 'Asleep');
    const ready = await platform.queries.get(store.id);
    await expect(platform.operations.sleep(ready)).rejects.toMatchObject({ code: 'STORE_NOT_READY' });
    await platform.operations.wake(ready);
    await waitForState(bed.database, store.id, 'Ready');
    await expect(platform.operations.wake(await platform.queries.get(store.id))).rejects.toMatchObject({
      code: 'STORE_NOT_ASLEEP',
    });
    // Nothing half-requested: every refusal left the store and its backups as they were.
    expect(await new BackupsRepository(bed.database.db).listForStore(store.id)).toHaveLength(1);
  });

  it('sleeps and wakes: every workload scaled to zero and back, conditions say so', async () => {
    const platform = await start();
    const store = await readyStore(platform, 'Night Owl');
    await platform.operations.sleep(store);
    const asleep = await waitForState(bed.database, store.id, 'Asleep');
    expect([...(bed.cluster.scaling.scaledDown.get(store.namespace) ?? [])]).toEqual(['all']);
    const condition = (type: string, s = asleep) => s.conditions.find((c) => c.type === type);
    expect(condition('Asleep')).toMatchObject({ status: 'True' });
    expect(condition('AppReady')).toMatchObject({ status: 'False', reason: 'Asleep' });
    await platform.operations.wake(asleep, 'visitor');
    const awake = await waitForState(bed.database, store.id, 'Ready');
    expect(bed.cluster.scaling.scaledDown.get(store.namespace)?.size).toBe(0);
    expect(condition('Asleep', awake)).toBeUndefined();
    expect(condition('AppReady', awake)).toMatchObject({ status: 'True' });
    const wake = (await new ActivityRepository(bed.database.db).list({ storeId: store.id, limit: 50 })).find(
      (a) => a.type === 'store.wake_requested',
    );
    expect(wake?.details).toMatchObject({ by: 'visitor' });
  });

  // Kill a worker in the middle of each step of each operation; another worker must finish it once.
  // Steps that ask nothing of this cluster are left out: a Medusa store keeps no files, there is no
  // ingress to ask here (the real node proves those two steps), and a backup on the volume is not read
  // back by a Job (s3-backups.test.ts runs the verify Job of a bucket's).
  const NO_CLUSTER_CALL: readonly string[] = ['files-restore', 'asleep-page', 'serving', 'backup-verify'];
  const killCases = (['backup', 'restore', 'sleep', 'wake'] as const).flatMap((operation) =>
    LIFECYCLE[operation].steps
      .filter((step) => !NO_CLUSTER_CALL.includes(step))
      .map((step) => [operation, step] as const),
  );

  it.each(killCases)(
    'a worker killed during %s step "%s": another one finishes it',
    async (operation, step) => {
      const first = await start({}, bed.database, 'first');
      const store = await readyStore(first, `Kill ${operation} ${step}`);
      bed.cluster.data.contents.set(store.namespace, 'before');
      const backup = await backupOf(first, store.id);
      bed.cluster.data.contents.set(store.namespace, 'after');
      if (operation === 'wake') {
        await first.operations.sleep(await first.queries.get(store.id));
        await waitForState(bed.database, store.id, 'Asleep');
      }

      const call = STEP_CALLS[step] ?? expect.unreachable(`no cluster call for step ${step}`);
      const gate = bed.cluster.blockOn(call);
      const doomed = await start({ LEASE_DURATION: '600ms' }, bed.database, 'doomed');
      await first.stop();
      const current = await doomed.queries.get(store.id);
      const request: Record<Operation, () => Promise<unknown>> = {
        backup: () => doomed.operations.backup(current),
        restore: () => doomed.operations.restore(current, backup.id),
        sleep: () => doomed.operations.sleep(current),
        wake: () => doomed.operations.wake(current),
        provision: expect.unreachable,
        'provision-from-backup': expect.unreachable,
        upgrade: expect.unreachable,
        rollback: expect.unreachable,
        delete: expect.unreachable,
      };
      const requested = (await request[operation]()) as { id: string };
      await gate.reached;
      doomed.worker.kill();
      bed.cluster.clearBehaviour(call);

      await start({}, await bed.test.openAnother(), 'survivor');
      const settled = await waitForState(bed.database, store.id, LIFECYCLE[operation].success);
      expect(settled.attempts).toBe(2);
      expect(bed.cluster.overlaps).toBe(0);
      const backups = await new BackupsRepository(bed.database.db).listForStore(store.id);
      if (operation === 'backup') {
        expect(backups.find((b) => b.id === requested.id)).toMatchObject({
          status: 'succeeded',
          sizeBytes: 5,
        });
        expect(readdirSync(join(bed.backupDir, 'stores', store.id, requested.id))).toEqual(['database.dump']);
      }
      if (operation === 'restore') expect(bed.cluster.data.contents.get(store.namespace)).toBe('before');
      if (operation === 'sleep')
        expect([...(bed.cluster.scaling.scaledDown.get(store.namespace) ?? [])]).toEqual(['all']);
      if (operation === 'wake' || operation === 'restore')
        expect(bed.cluster.scaling.scaledDown.get(store.namespace)?.size ?? 0).toBe(0);
      const finished = {
        backup: 'backup.succeeded',
        restore: 'store.restored',
        sleep: 'store.asleep',
        wake: 'store.woken',
      }[operation];
      expect((await types(store.id)).filter((type) => type === finished)).toHaveLength(
        operation === 'backup' ? 2 : 1,
      );
      const stores = new StoresRepository(bed.database.db);
      expect((await stores.get(store.id))?.observedGeneration).toBe(settled.generation);
    },
  );
});
