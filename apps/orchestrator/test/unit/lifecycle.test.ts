// The lifecycle plans and what is derived from them: the step order a worker runs, the conditions
// each step sets, the jobs that resume a store found mid-flight.
import { CONDITION_TYPES, LIFECYCLE, STEP_CONDITIONS, STORE_STATES } from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import {
  IN_FLIGHT_STATES,
  LIVE_STATES,
  OPERATION_STATE,
  resumingOperation,
  runnableStates,
} from '../../src/domain/lifecycle.ts';

describe('the lifecycle plans', () => {
  it('walk each operation through its steps in order', () => {
    expect(LIFECYCLE.provision.steps).toEqual(['namespace', 'secrets', 'release', 'ready']);
    expect(LIFECYCLE.upgrade.steps).toEqual(['upgrade', 'ready']);
    expect(LIFECYCLE.rollback.steps).toEqual(['rollback', 'ready']);
    expect(LIFECYCLE.delete.steps).toEqual(['uninstall', 'namespace-delete']);
    expect(LIFECYCLE.backup.steps).toEqual(['backup']);
    expect(LIFECYCLE.restore.steps).toEqual(['app-stop', 'data-restore', 'app-start', 'ready']);
    expect(LIFECYCLE.sleep.steps).toEqual(['scale-down']);
    expect(LIFECYCLE.wake.steps).toEqual(['scale-up', 'ready']);
  });

  it('say which conditions each step makes true', () => {
    // The provision plan sets the first six, one step after another; the other operations add theirs.
    expect(LIFECYCLE.provision.steps.flatMap((step) => STEP_CONDITIONS[step])).toEqual(
      CONDITION_TYPES.slice(0, 6),
    );
    const setBySomePlan = new Set(
      Object.values(LIFECYCLE).flatMap((plan) => plan.steps.flatMap((step) => [...STEP_CONDITIONS[step]])),
    );
    expect([...setBySomePlan].sort()).toEqual([...CONDITION_TYPES].sort());
    // The restore shows each of its steps in one condition, Restored, before the workloads' three.
    expect(LIFECYCLE.restore.steps.flatMap((step) => STEP_CONDITIONS[step])).toEqual([
      'Restored',
      'Restored',
      'Restored',
      'DatabaseReady',
      'AppReady',
      'StoreConfigured',
    ]);
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
    expect(OPERATION_STATE).toEqual({
      provision: 'Provisioning',
      upgrade: 'Upgrading',
      rollback: 'RollingBack',
      delete: 'Deleting',
      backup: 'BackingUp',
      restore: 'Restoring',
      sleep: 'Sleeping',
      wake: 'Waking',
    });
    expect(runnableStates('provision')).toEqual(['Queued', 'Provisioning']);
    expect(runnableStates('delete')).toEqual(['Deleting']);
  });

  it.each([
    ['Queued', 'provision'],
    ['Provisioning', 'provision'],
    ['Upgrading', 'upgrade'],
    ['Deleting', 'delete'],
    ['RollingBack', undefined],
    ['Sleeping', 'sleep'],
    ['Waking', 'wake'],
    // Both need their job's backup id: taken over with the job, never re-queued without it.
    ['BackingUp', undefined],
    ['Restoring', undefined],
    ['Asleep', undefined],
    ['Ready', undefined],
    ['Failed', undefined],
    ['Deleted', undefined],
  ] as const)('a store found %s with no job is resumed by %s', (state, operation) => {
    expect(resumingOperation(state)).toBe(operation);
  });
});
