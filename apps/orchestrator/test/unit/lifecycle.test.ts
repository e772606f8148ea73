// The lifecycle plans and what is derived from them: the step order a worker runs, the conditions
// each step sets, the payloads jobs carry, the retry rules, the refusals requests get, the
// transitions the repository accepts, and the jobs that resume a store found mid-flight.
import {
  CONDITION_TYPES,
  LIFECYCLE,
  OPERATIONS,
  type Operation,
  refusal,
  refusalCodes,
  remedies,
  STEP_CONDITIONS,
  STORE_STATES,
  type Store,
  type StoreRequest,
  type StoreState,
} from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import {
  canTransition,
  IN_FLIGHT_STATES,
  LIVE_STATES,
  payloadOf,
  resumingOperation,
  retriesHelp,
  runnableStates,
  statesLeadingTo,
} from '../../src/domain/lifecycle.ts';

const BACKUP = '3f2a5c1e-9b7d-4e6f-8a1b-2c3d4e5f6a7b';

describe('the lifecycle plans', () => {
  it('walk each operation through its steps in order', () => {
    expect(LIFECYCLE.provision.steps).toEqual(['namespace', 'secrets', 'release', 'ready', 'serving']);
    expect(LIFECYCLE['provision-from-backup'].steps).toEqual([
      'namespace',
      'secrets',
      'backup-verify',
      'release',
      'ready',
      'app-stop',
      'data-restore',
      'app-start',
      'app-ready',
      'files-restore',
      'serving',
    ]);
    expect(LIFECYCLE.upgrade.steps).toEqual(['upgrade', 'ready', 'serving']);
    expect(LIFECYCLE.rollback.steps).toEqual(['rollback', 'ready', 'serving']);
    expect(LIFECYCLE.delete.steps).toEqual(['uninstall', 'namespace-delete']);
    expect(LIFECYCLE.backup.steps).toEqual(['backup']);
    expect(LIFECYCLE.restore.steps).toEqual([
      'backup-verify',
      'app-stop',
      'data-restore',
      'app-start',
      'app-ready',
      'files-restore',
      'serving',
    ]);
    expect(LIFECYCLE.sleep.steps).toEqual(['scale-down', 'asleep-page']);
    expect(LIFECYCLE.wake.steps).toEqual(['scale-up', 'ready', 'serving']);
  });

  it('say which conditions each step makes true', () => {
    expect(LIFECYCLE.provision.steps.flatMap((step) => STEP_CONDITIONS[step])).toEqual(
      CONDITION_TYPES.slice(0, 6),
    );
    const setBySomePlan = new Set(
      Object.values(LIFECYCLE).flatMap((plan) => plan.steps.flatMap((step) => [...STEP_CONDITIONS[step]])),
    );
    expect([...setBySomePlan].sort()).toEqual([...CONDITION_TYPES].sort());
    // The restore shows each of its steps in Restored, around the workloads' three.
    expect(LIFECYCLE.restore.steps.flatMap((step) => STEP_CONDITIONS[step])).toEqual([
      'Restored',
      'Restored',
      'Restored',
      'Restored',
      'DatabaseReady',
      'AppReady',
      'StoreConfigured',
      'Restored',
    ]);
  });

  it('give every operation the payload its jobs must carry', () => {
    expect(payloadOf('restore', { backupId: BACKUP })).toEqual({ backupId: BACKUP });
    // Where a restore refused by its check (the backup read back) puts the store: where it came from.
    expect(payloadOf('restore', { backupId: BACKUP, from: 'Ready' })).toEqual({
      backupId: BACKUP,
      from: 'Ready',
    });
    expect(() => payloadOf('restore', { backupId: BACKUP, from: 'Asleep' })).toThrow(/restore job/);
    expect(LIFECYCLE.restore.checks).toEqual(['backup-verify']);
    expect(LIFECYCLE.restore.leaves['backup-verify']).toEqual({ data: 'unchanged', app: 'running' });
    expect(payloadOf('provision-from-backup', { backupId: BACKUP })).toEqual({ backupId: BACKUP });
    expect(payloadOf('rollback', { revision: 2 })).toEqual({ revision: 2 });
    expect(payloadOf('provision', {})).toEqual({});
    expect(() => payloadOf('restore', {})).toThrow(/a restore job carries no valid payload/);
    expect(() => payloadOf('rollback', { revision: 0 })).toThrow(/rollback job carries no valid payload/);
    expect(() => payloadOf('provision', { restoreFrom: BACKUP })).toThrow(/provision job/);
  });

  it('say which failures are worth another automatic attempt', () => {
    expect(retriesHelp('restore', 'RestoreFailed')).toBe(false);
    expect(retriesHelp('provision-from-backup', 'RestoreFailed')).toBe(false);
    expect(retriesHelp('restore', 'PodNotRunning')).toBe(true);
    expect(retriesHelp('provision', 'RestoreFailed')).toBe(true);
  });

  it('derive the states work is owed in, and the ones that count against quotas', () => {
    expect(IN_FLIGHT_STATES).toEqual([
      'Queued',
      'Provisioning',
      'Upgrading',
      'RollingBack',
      'BackingUp',
      'Restoring',
      'Sleeping',
      'Waking',
      'Deleting',
    ]);
    expect([...LIVE_STATES].sort()).toEqual(STORE_STATES.filter((s) => s !== 'Deleted').sort());
    expect(runnableStates('provision')).toEqual(['Queued', 'Provisioning']);
    expect(runnableStates('provision-from-backup')).toEqual(['Queued', 'Provisioning']);
    expect(runnableStates('delete')).toEqual(['Deleting']);
  });

  it('connect only the states a plan connects (what the repository accepts)', () => {
    expect(canTransition('Failed', 'Restoring')).toBe(true); // a retried restore
    expect(canTransition('Failed', 'Queued')).toBe(true); // a retried provision
    expect(canTransition('Provisioning', 'Restoring')).toBe(false); // from-backup is a plan of its own now
    expect(canTransition('Ready', 'Provisioning')).toBe(false);
    expect(canTransition('Asleep', 'Ready')).toBe(false);
    expect(canTransition('Sleeping', 'Asleep')).toBe(true);
    expect(statesLeadingTo('Asleep').sort()).toEqual(['Asleep', 'Sleeping']);
  });

  it.each([
    ['Queued', null, 'provision'],
    ['Queued', 'provision-from-backup', 'provision-from-backup'],
    ['Provisioning', 'provision-from-backup', 'provision-from-backup'],
    ['Provisioning', null, 'provision'],
    ['Upgrading', 'upgrade', 'upgrade'],
    ['Deleting', 'delete', 'delete'],
    ['RollingBack', 'rollback', 'rollback'],
    ['Sleeping', 'sleep', 'sleep'],
    ['Waking', 'wake', 'wake'],
    ['BackingUp', 'backup', 'backup'],
    ['Restoring', 'restore', 'restore'],
    ['Asleep', 'sleep', undefined],
    ['Ready', 'provision', undefined],
    ['Failed', 'restore', undefined],
    ['Deleted', 'delete', undefined],
  ] as const)(
    'a store found %s (operation %s) with no job is resumed by %s',
    (state, recorded, operation) => {
      expect(resumingOperation(state, recorded)).toBe(operation);
    },
  );
});

const store = (state: StoreState, extra: Partial<Store> = {}): Store =>
  ({
    state,
    failure: null,
    revision: 1,
    stepTimings: {
      provision: { secrets: { startedAt: '', finishedAt: '2026-01-01T00:00:00Z', durationMs: 1 } },
    },
    ...extra,
  }) as Store;

const failedBy = (operation: Operation, step = 'data-restore'): Store =>
  store('Failed', {
    failure: { operation, step, reason: 'RestoreFailed', message: 'pg_restore failed', retryable: false },
  });

describe('refusal: one answer for the API and the dashboard', () => {
  it.each([
    ['Ready', 'backup', null],
    ['Ready', 'sleep', null],
    ['Ready', 'restore', null],
    ['Ready', 'upgrade', null],
    ['Ready', 'delete', null],
    ['Ready', 'retry', 'STORE_NOT_FAILED'],
    ['Ready', 'wake', 'STORE_NOT_ASLEEP'],
    ['BackingUp', 'backup', 'STORE_BUSY'],
    ['BackingUp', 'sleep', 'STORE_BUSY'],
    ['Restoring', 'restore', 'STORE_BUSY'],
    ['Provisioning', 'restore', 'STORE_BUSY'],
    ['Asleep', 'wake', null],
    ['Asleep', 'backup', 'STORE_NOT_READY'],
    ['Deleted', 'backup', 'STORE_DELETED'],
    ['Deleting', 'delete', null],
  ] as const)('a %s store asked to %s: %s', (state, request, code) => {
    const refused = refusal(store(state), request as StoreRequest);
    expect(refused?.code ?? null).toBe(code);
    if (refused) expect(refusalCodes(request as StoreRequest)).toContain(refused.code);
  });

  it('asks for a deployed release before an upgrade, a rollback or a restore', () => {
    for (const request of ['upgrade', 'rollback', 'restore'] as const) {
      expect(refusal(store('Failed', { revision: null }), request)?.code).toBe('STORE_NOT_DEPLOYED');
    }
  });

  it('lets a failed restore be retried, or its app started on the data it has, or the store deleted', () => {
    const failed = failedBy('restore');
    expect(refusal(failed, 'retry')).toBeNull();
    expect(refusal(failed, 'wake')).toBeNull();
    expect(remedies(failed)).toEqual(['retry', 'wake', 'delete']);
    expect(LIFECYCLE.restore.leaves?.['data-restore']).toEqual({ data: 'unchanged', app: 'stopped' });
    expect(LIFECYCLE.restore.leaves?.['app-start']).toEqual({ data: 'database-replaced', app: 'stopped' });
  });

  it('does not offer a wake after a failed upgrade, and retries every failure the table retries', () => {
    const failedUpgrade = failedBy('upgrade', 'upgrade');
    expect(refusal(failedUpgrade, 'wake')?.code).toBe('STORE_NOT_ASLEEP');
    for (const operation of OPERATIONS) {
      const refused = refusal(failedBy(operation), 'retry');
      expect(refused === null).toBe(LIFECYCLE[operation].retry.fromFailed);
    }
  });

  it('shows the admin login only once the secrets exist, and not after deletion', () => {
    expect(refusal(store('Ready'), 'credentials')).toBeNull();
    expect(refusal(store('Provisioning', { stepTimings: {} }), 'credentials')?.code).toBe(
      'CREDENTIALS_UNAVAILABLE',
    );
    expect(refusal(store('Deleted'), 'credentials')?.code).toBe('CREDENTIALS_UNAVAILABLE');
  });
});
