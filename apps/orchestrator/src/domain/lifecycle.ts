// The store lifecycle: the plans of packages/contracts (entry state, steps, success, resumption) and
// every rule derived from them: which state may follow which, what a request may start, what a
// worker may run, and which job resumes a store found mid-flight.
import {
  type ConditionType,
  IN_FLIGHT_STATES,
  LIFECYCLE,
  type Operation,
  type OperationPlan,
  STEP_CONDITIONS,
  type Step,
  type StoreState,
} from '@storefleet/contracts';
import { AppError } from '../errors.ts';

export { IN_FLIGHT_STATES, LIFECYCLE, type OperationPlan, type Step } from '@storefleet/contracts';

const PLANS: readonly OperationPlan[] = Object.values(LIFECYCLE);

/** from → to, derived from the plans: a request, its take-up by a worker, success and failure. */
const TRANSITIONS = new Set<string>(
  PLANS.flatMap((plan) => [
    ...plan.from.map((from) => edge(from, plan.requested)),
    edge(plan.requested, plan.running),
    edge(plan.requested, plan.failure),
    edge(plan.running, plan.success),
    edge(plan.running, plan.failure),
  ]),
);

function edge(from: StoreState, to: StoreState): string {
  return `${from}→${to}`;
}

export function canTransition(from: StoreState, to: StoreState): boolean {
  return from !== to && TRANSITIONS.has(edge(from, to));
}

export function assertTransition(from: StoreState, to: StoreState): void {
  if (!canTransition(from, to)) {
    throw new AppError(
      'INVALID_STATE_TRANSITION',
      `A store that is ${from} cannot become ${to}.`,
      'conflict',
      {
        from,
        to,
      },
    );
  }
}

/** States that count against store quotas: everything that holds, or may hold, cluster resources. */
export const LIVE_STATES: readonly StoreState[] = [...IN_FLIGHT_STATES, 'Ready', 'Failed', 'Asleep'];

/** The state a store is in while a worker runs each operation. */
export const OPERATION_STATE = Object.fromEntries(
  PLANS.map((plan) => [plan.operation, plan.running]),
) as Record<Operation, StoreState>;

/** The states in which a worker may take up a job of this operation (any other: the job is stale). */
export function runnableStates(operation: Operation): readonly StoreState[] {
  const plan = LIFECYCLE[operation];
  return plan.requested === plan.running ? [plan.running] : [plan.requested, plan.running];
}

/** The state a store is put in when a failed operation is retried. */
export function retryState(operation: Operation): StoreState {
  return LIFECYCLE[operation].requested;
}

/** The job that resumes a store found mid-flight with no job (a rollback needs its revision: none). */
export function resumingOperation(state: StoreState): Operation | undefined {
  return PLANS.find(
    (plan) => plan.resume === 'job-or-start-up' && (plan.requested === state || plan.running === state),
  )?.operation;
}

export function assertCanRetry(state: StoreState): void {
  if (state !== 'Failed') {
    throw new AppError(
      'STORE_NOT_FAILED',
      `Only a Failed store can be retried; this store is ${state}.`,
      'conflict',
      {
        state,
      },
    );
  }
}

export function conditionsOf(step: Step): readonly ConditionType[] {
  return STEP_CONDITIONS[step];
}

/** What each step does, in words for people (activity, failures, conditions). */
export const STEP_TITLES: Record<Step, string> = {
  namespace: 'create the namespace',
  secrets: 'write the store secrets',
  release: 'install the Helm release',
  ready: 'wait for the database, the app and the setup job',
  uninstall: 'uninstall the Helm release',
  'namespace-delete': 'delete the namespace',
  upgrade: 'upgrade the Helm release',
  rollback: 'roll the Helm release back',
  backup: 'dump the database and files into backup storage',
  'app-stop': 'stop the app',
  'data-restore': 'replace the database and files with the backup',
  'app-start': 'start the app',
  'scale-down': 'scale every workload to zero',
  'scale-up': 'scale the workloads back up',
};
