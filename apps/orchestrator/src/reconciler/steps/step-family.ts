// A family of steps (release, data, scaling, the store's own): what each of its steps does in the
// cluster, and how each operation it finishes ends. The reconciler interprets the lifecycle table and
// hands every step and every ending to the one family that declares it.
import type { Operation, Step } from '@storefleet/contracts';
import type { Attempt } from '../attempt.ts';

export type StepHandler = (attempt: Attempt, signal: AbortSignal) => Promise<void>;
export type Ending = (attempt: Attempt) => Promise<void>;

export interface StepFamily {
  readonly steps: Partial<Record<Step, StepHandler>>;
  readonly endings: Partial<Record<Operation, Ending>>;
}

/** Every step and every ending from exactly one family; anything missing or doubled is a bug. */
export function mergeFamilies(
  families: readonly StepFamily[],
  steps: readonly Step[],
  operations: readonly Operation[],
): { steps: Record<Step, StepHandler>; endings: Record<Operation, Ending> } {
  const merged = { steps: {} as Record<Step, StepHandler>, endings: {} as Record<Operation, Ending> };
  for (const family of families) {
    for (const [step, handler] of Object.entries(family.steps) as [Step, StepHandler][]) {
      if (merged.steps[step]) throw new Error(`two step families declare step ${step}`);
      merged.steps[step] = handler;
    }
    for (const [operation, ending] of Object.entries(family.endings) as [Operation, Ending][]) {
      if (merged.endings[operation]) throw new Error(`two step families end ${operation}`);
      merged.endings[operation] = ending;
    }
  }
  const missingSteps = steps.filter((step) => !merged.steps[step]);
  const missingEndings = operations.filter((operation) => !merged.endings[operation]);
  if (missingSteps.length > 0 || missingEndings.length > 0) {
    throw new Error(
      `no step family handles ${[...missingSteps, ...missingEndings.map((o) => `the end of ${o}`)].join(', ')}`,
    );
  }
  return merged;
}
