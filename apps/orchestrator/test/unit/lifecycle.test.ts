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
  });

  it('say which conditions each step makes true', () => {
    // Every condition the API knows, in its order: the provision plan sets them all, one step after another.
    expect(LIFECYCLE.provision.steps.flatMap((step) => STEP_CONDITIONS[step])).toEqual([...CONDITION_TYPES]);
  });

  it('derive the states work is owed in, and the ones that count against quotas', () => {
    expect(IN_FLIGHT_STATES).toEqual(['Queued', 'Provisioning', 'Upgrading', 'RollingBack', 'Deleting']);
    expect([...LIVE_STATES].sort()).toEqual(STORE_STATES.filter((s) => s !== 'Deleted').sort());
    expect(OPERATION_STATE).toEqual({
      provision: 'Provisioning',
      upgrade: 'Upgrading',
      rollback: 'RollingBack',
      delete: 'Deleting',
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
    ['Ready', undefined],
    ['Failed', undefined],
    ['Deleted', undefined],
  ] as const)('a store found %s with no job is resumed by %s', (state, operation) => {
    expect(resumingOperation(state)).toBe(operation);
  });
});
