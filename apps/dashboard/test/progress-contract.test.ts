// The progress view lists the steps of the lifecycle table in packages/contracts, not a copy of its
// own: this fails as soon as the two diverge (a step added, dropped, renamed or reordered on one side).
import {
  CONDITION_STEPS,
  CONDITION_TYPES,
  IN_FLIGHT_STATES,
  LIFECYCLE,
  STEP_CONDITIONS,
} from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import { IN_FLIGHT, PROGRESS_CONDITIONS, progressSteps, STEP_LABELS } from '../src/lib/progress.ts';
import { makeStore } from './support.tsx';

describe("the dashboard's step list is the contract's", () => {
  const contractOrder = LIFECYCLE.provision.steps.flatMap((step) => STEP_CONDITIONS[step]);

  it('lists the provision plan conditions in the order its steps set them', () => {
    expect(PROGRESS_CONDITIONS).toEqual(contractOrder);
    expect(progressSteps(makeStore()).map((step) => step.type)).toEqual(contractOrder);
  });

  it('labels exactly the conditions the contract has, and every one is set by a step', () => {
    expect(Object.keys(STEP_LABELS).sort()).toEqual([...CONDITION_TYPES].sort());
    expect([...contractOrder].sort()).toEqual([...CONDITION_TYPES].sort());
  });

  it('times each condition by the steps the contract says set it', () => {
    for (const type of CONDITION_TYPES) {
      const steps = Object.entries(STEP_CONDITIONS)
        .filter(([, conditions]) => (conditions as readonly string[]).includes(type))
        .map(([step]) => step);
      expect(CONDITION_STEPS[type]).toEqual(steps);
    }
  });

  it('animates the states the contract says are in flight', () => {
    expect([...IN_FLIGHT].sort()).toEqual([...IN_FLIGHT_STATES].sort());
  });
});
