// The store lifecycle: the plans of packages/contracts (entry states, payloads, steps, success,
// retries) and every rule derived from them: which state may follow which, what a request may start,
// what a worker may run, what payload a job must carry, and which job resumes a store found mid-flight.
import {
  type ConditionType,
  IN_FLIGHT_STATES,
  LIFECYCLE,
  OPERATION_PAYLOADS,
  type Operation,
  type OperationPayload,
  type OperationPlan,
  refusal,
  STEP_CONDITIONS,
  type Step,
  type StoreRequest,
  type StoreState,
} from '@storefleet/contracts';
import { AppError } from '../errors.ts';

export { IN_FLIGHT_STATES, LIFECYCLE, type OperationPlan, type Step } from '@storefleet/contracts';

const PLANS: readonly OperationPlan[] = Object.values(LIFECYCLE);

/**
 * from → to, derived from the plans: a request, a retry of a failed operation, its take-up by a
 * worker, its success and its failure.
 */
const TRANSITIONS = new Set<string>(
  PLANS.flatMap((plan) => [
    ...plan.from.map((from) => edge(from, plan.requested)),
    ...(plan.retry.fromFailed ? [edge('Failed', plan.requested)] : []),
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

/** The states a store may move to `to` from (itself included: a write that keeps the state). */
export function statesLeadingTo(to: StoreState): StoreState[] {
  return [
    to,
    ...[...TRANSITIONS].filter((e) => e.endsWith(`→${to}`)).map((e) => e.split('→')[0] as StoreState),
  ];
}

/** A write that moves a store between states the table does not connect is a bug, never data. */
export class ForbiddenTransition extends Error {
  constructor(from: readonly StoreState[], to: StoreState) {
    super(`the lifecycle table allows no move from ${from.join(' or ')} to ${to}`);
    this.name = 'ForbiddenTransition';
  }
}

/** States that count against store quotas: everything that holds, or may hold, cluster resources. */
export const LIVE_STATES: readonly StoreState[] = [...IN_FLIGHT_STATES, 'Ready', 'Failed', 'Asleep'];

/** The states in which a worker may take up a job of this operation (any other: the job is stale). */
export function runnableStates(operation: Operation): readonly StoreState[] {
  const plan = LIFECYCLE[operation];
  return plan.requested === plan.running ? [plan.running] : [plan.requested, plan.running];
}

/** The payload a job of `operation` carries, checked against the table: a job without it is refused. */
export function payloadOf<O extends Operation>(operation: O, payload: unknown): OperationPayload<O> {
  const parsed = OPERATION_PAYLOADS[operation].safeParse(payload ?? {});
  if (!parsed.success) {
    throw new Error(`a ${operation} job carries no valid payload: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  return parsed.data as OperationPayload<O>;
}

/** Whether a failure with this reason is worth another automatic attempt of `operation`. */
export function retriesHelp(operation: Operation, reason: string): boolean {
  const notRetried: readonly string[] = LIFECYCLE[operation].retry.notRetried;
  return !notRetried.includes(reason);
}

/** The operation a store found mid-flight with no job resumes: the one it records, or its state's only one. */
export function resumingOperation(state: StoreState, recorded: Operation | null): Operation | undefined {
  const matching = PLANS.filter((plan) => plan.requested === state || plan.running === state);
  if (recorded && matching.some((plan) => plan.operation === recorded)) return recorded;
  // Only Queued and Provisioning are shared (provision, provision-from-backup): a store that records
  // no operation was created before operations were recorded, by a plain provision.
  return matching[0]?.operation;
}

/** Throws the table's refusal as an AppError (409, or 400 for what no state allows). */
export function assertMayRequest(store: Parameters<typeof refusal>[0], request: StoreRequest): void {
  const refused = refusal(store, request);
  if (!refused) return;
  throw new AppError(refused.code, refused.message, 'conflict', { state: store.state });
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
  'backup-verify': 'read the backup back and check it (nothing stopped yet)',
  'app-stop': 'stop the app',
  'data-restore': 'replace the database with the backup',
  'app-start': 'start the app',
  'app-ready': 'wait for the app on the restored data',
  'files-restore': 'put back the uploaded files',
  'scale-down': 'scale every workload to zero',
  'asleep-page': 'check that visitors get the asleep page',
  'scale-up': 'scale the workloads back up',
  serving: 'check that the storefront serves through the ingress',
};
