// The progress view lists the steps of the lifecycle table in packages/contracts, not a copy of its
// own: this fails as soon as the two diverge (a step added, dropped, renamed or reordered on one side).
import {
  CONDITION_STEPS,
  CONDITION_TYPES,
  type ConditionType,
  IN_FLIGHT_STATES,
  LIFECYCLE,
  type OperationPlan,
  STEP_CONDITIONS,
} from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import {
  IN_FLIGHT,
  PROGRESS_CONDITIONS,
  progressSteps,
  STEP_LABELS,
  STEP_WORDS,
} from '../src/lib/progress.ts';
import { makeStore } from './support.tsx';

/** The conditions a plan's steps set, each once, in the order the steps first set them. */
const conditionsOf = (plan: OperationPlan): ConditionType[] => [
  ...new Set(plan.steps.flatMap((step) => STEP_CONDITIONS[step])),
];
const PLANS: OperationPlan[] = Object.values(LIFECYCLE);

describe("the dashboard's step list is the contract's", () => {
  const contractOrder = LIFECYCLE.provision.steps.flatMap((step) => STEP_CONDITIONS[step]);

  it('lists the provision plan conditions in the order its steps set them', () => {
    expect(PROGRESS_CONDITIONS).toEqual(contractOrder);
    expect(progressSteps(makeStore()).map((step) => step.type)).toEqual(contractOrder);
  });

  it('labels exactly the conditions the contract has, and every one is set by a step of some plan', () => {
    expect(Object.keys(STEP_LABELS).sort()).toEqual([...CONDITION_TYPES].sort());
    const setByAPlan = new Set(PLANS.flatMap(conditionsOf));
    expect([...setByAPlan].sort()).toEqual([...CONDITION_TYPES].sort());
  });

  it('has words for exactly the steps the contract has', () => {
    expect(Object.keys(STEP_WORDS).sort()).toEqual(Object.keys(STEP_CONDITIONS).sort());
  });

  it("lists, while an operation runs, the conditions of that operation's plan in step order", () => {
    for (const plan of PLANS) {
      const expected = conditionsOf(plan);
      // The store records the operation it runs (Queued/Provisioning is shared by two plans).
      const store = makeStore({ state: plan.running, operation: plan.operation });
      // A plan whose steps set no condition (delete) shows the provisioned conditions going away.
      expect(
        progressSteps(store).map((step) => step.type),
        plan.operation,
      ).toEqual(expected.length > 0 ? expected : contractOrder);
    }
    expect(conditionsOf(LIFECYCLE.restore)).toEqual([
      'Restored',
      'DatabaseReady',
      'AppReady',
      'StoreConfigured',
    ]);
  });

  it('lists, for a failed store, the conditions of the operation that failed', () => {
    for (const plan of PLANS.filter((candidate) => candidate.failure === 'Failed')) {
      const expected = conditionsOf(plan);
      const store = makeStore({
        state: 'Failed',
        failure: {
          operation: plan.operation,
          step: null,
          reason: 'Test',
          message: 'failed',
          retryable: true,
        },
      });
      expect(
        progressSteps(store).map((step) => step.type),
        plan.operation,
      ).toEqual(expected.length > 0 ? expected : contractOrder);
    }
  });

  it('lists the sleep plan for an asleep store: the one plan that ends there', () => {
    const ending = PLANS.filter((plan) => plan.success === 'Asleep');
    expect(ending).toHaveLength(1);
    const store = makeStore({ state: 'Asleep' });
    expect(progressSteps(store).map((step) => step.type)).toEqual(conditionsOf(ending[0] as OperationPlan));
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
