// Runs one step of a plan and records it: its conditions turn Unknown ("working") while it runs and
// True when it is done, and its timing is kept under the operation that measured it (a later
// operation never changes it), with the moment the step saw each of its components become ready.
import type { Condition, ConditionType, StepTiming, StepTimings } from '@storefleet/contracts';
import { setCondition } from '../domain/conditions.ts';
import { conditionsOf, LIFECYCLE, STEP_TITLES, type Step } from '../domain/lifecycle.ts';
import type { ReconcileMetrics } from '../observability/metrics.ts';
import type { Attempt, AttemptStore } from './attempt.ts';
import { type FailureDescription, StepFailed } from './failure.ts';

const SUCCESS_REASON: Record<ConditionType, string> = {
  NamespaceReady: 'NamespaceCreated',
  SecretsReady: 'SecretsWritten',
  ReleaseDeployed: 'InstallSucceeded',
  DatabaseReady: 'DatabaseReady',
  AppReady: 'AppReady',
  StoreConfigured: 'SetupJobCompleted',
  BackedUp: 'BackupSucceeded',
  Restored: 'RestoreSucceeded',
  Asleep: 'ScaledToZero',
};

export class StepRecorder {
  private readonly writes: AttemptStore;
  private readonly metrics: ReconcileMetrics;
  private readonly now: () => Date;

  constructor(writes: AttemptStore, metrics: ReconcileMetrics, now: () => Date) {
    this.writes = writes;
    this.metrics = metrics;
    this.now = now;
  }

  /** Marks the step started, runs it under the attempt's signal, marks it done. */
  async run(attempt: Attempt, step: Step, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const startedAt = this.now();
    const conditions = conditionsOf(step);
    let next = attempt.store.conditions;
    for (const type of conditions) {
      next = setCondition(
        next,
        { type, status: 'Unknown', reason: 'InProgress', message: `Working: ${STEP_TITLES[step]}.` },
        startedAt,
      );
    }
    const started: StepTiming = { startedAt: startedAt.toISOString(), finishedAt: null, durationMs: null };
    await this.writes.save(attempt, { conditions: next, stepTimings: withTiming(attempt, step, started) });

    try {
      attempt.signal.throwIfAborted();
      // Every Cluster operation honours the signal itself (a timeout, a lost lease, a newer request).
      await work(attempt.signal);
    } catch (error) {
      throw new StepFailed(step, error);
    }

    const finishedAt = this.now();
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    const { conditions: done, components } = this.doneConditions(attempt, step, startedAt, finishedAt);
    const timing: StepTiming = {
      ...started,
      finishedAt: finishedAt.toISOString(),
      durationMs,
      ...(Object.keys(components).length > 1 ? { components } : {}),
    };
    await this.writes.save(attempt, { conditions: done, stepTimings: withTiming(attempt, step, timing) });
    this.metrics.observeStep(attempt.operation, step, durationMs / 1000);
  }

  /** The conditions after a failed attempt: the failed step's condition False, with the reason. */
  failedConditions(attempt: Attempt, description: FailureDescription): Condition[] {
    if (!description.condition) return attempt.store.conditions;
    return setCondition(
      attempt.store.conditions,
      {
        type: description.condition,
        status: 'False',
        reason: description.reason,
        message: description.message,
      },
      this.now(),
    );
  }

  private doneConditions(
    attempt: Attempt,
    step: Step,
    startedAt: Date,
    finishedAt: Date,
  ): { conditions: Condition[]; components: Partial<Record<ConditionType, string>> } {
    let done = attempt.store.conditions;
    const components: Partial<Record<ConditionType, string>> = {};
    const planSteps: readonly Step[] = LIFECYCLE[attempt.operation].steps;
    const laterSteps = planSteps.slice(planSteps.indexOf(step) + 1);
    for (const type of conditionsOf(step)) {
      if (laterSteps.some((later) => conditionsOf(later).includes(type))) {
        done = setCondition(
          done,
          { type, status: 'Unknown', reason: 'InProgress', message: `Done: ${STEP_TITLES[step]}.` },
          finishedAt,
        );
        continue;
      }
      const current = done.find((c) => c.type === type);
      // What the cluster reported during this step is more specific than a generic "done".
      if (current?.status === 'True' && current.lastTransitionTime >= startedAt.toISOString()) {
        components[type] = current.lastTransitionTime;
        continue;
      }
      done = setCondition(
        done,
        { type, status: 'True', reason: SUCCESS_REASON[type], message: `Done: ${STEP_TITLES[step]}.` },
        finishedAt,
      );
      components[type] = finishedAt.toISOString();
    }
    return { conditions: done, components };
  }
}

function withTiming(attempt: Attempt, step: Step, timing: StepTiming): StepTimings {
  const { operation, store } = attempt;
  return { ...store.stepTimings, [operation]: { ...(store.stepTimings[operation] ?? {}), [step]: timing } };
}
