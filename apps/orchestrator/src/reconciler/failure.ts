// A failed step in words: the reason (a stable code), a message a person can act on, whether another
// attempt may help (the error's own judgement, narrowed by the operation's retry rule in the table)
// and the condition it turns False.
import type { ConditionType, Operation } from '@storefleet/contracts';
import type { Logger } from 'pino';
import { ClusterError } from '../cluster/port.ts';
import { conditionsOf, retriesHelp, STEP_TITLES, type Step } from '../domain/lifecycle.ts';
import { formatDuration } from '../duration.ts';

export class StepFailed extends Error {
  readonly step: Step;
  constructor(step: Step, cause: unknown) {
    super(`step ${step} failed`, { cause });
    this.step = step;
  }
}

export class AttemptTimedOut extends Error {}

export interface FailureDescription {
  reason: string;
  message: string;
  retryable: boolean;
  condition: ConditionType | undefined;
}

export function describeFailure(
  operation: Operation,
  step: Step,
  cause: unknown,
  context: { attemptTimeoutMs: number; logger: Logger },
): FailureDescription {
  const stepCondition = conditionsOf(step)[0];
  if (cause instanceof AttemptTimedOut) {
    return {
      reason: 'ProvisionTimeout',
      message: `Could not ${STEP_TITLES[step]} within ${formatDuration(context.attemptTimeoutMs)} (PROVISION_TIMEOUT).`,
      retryable: true,
      condition: stepCondition,
    };
  }
  if (cause instanceof ClusterError) {
    return {
      reason: cause.code,
      message: cause.message,
      retryable: cause.retryable && retriesHelp(operation, cause.code),
      condition: cause.condition ?? stepCondition,
    };
  }
  context.logger.error({ err: cause, step }, 'unexpected error in reconcile step');
  return {
    reason: 'InternalError',
    message: `Could not ${STEP_TITLES[step]}: an unexpected error occurred (details are in the orchestrator log).`,
    retryable: true,
    condition: stepCondition,
  };
}
