// A store's progress in words: one step per condition of the operation under way (its plan in the
// contract's LIFECYCLE table), with timings, and the one line that says what is happening now. The
// line is picked by a fixed priority (a failed step, then the first running step in pipeline order,
// then the first pending one) rather than by the latest change, so that it does not jump between
// steps whose conditions update at nearly the same time.
import {
  CONDITION_STEPS,
  type Condition,
  type ConditionType,
  IN_FLIGHT_STATES,
  LIFECYCLE,
  type Operation,
  type OperationPlan,
  PROVISION_CONDITIONS,
  STEP_CONDITIONS,
  type Step,
  type StepTiming,
  type Store,
  type StoreState,
} from '@storefleet/contracts';

export type StepStatus = 'done' | 'running' | 'failed' | 'pending' | 'removed';

export interface ProgressStep {
  type: ConditionType;
  label: string;
  status: StepStatus;
  reason: string;
  message: string;
  /** When the step started; null when it has not. */
  startedAt: string | null;
  /** When it finished; null while running or not started. */
  finishedAt: string | null;
  /** How long it took, as the orchestrator measured it; null when not finished. */
  durationMs: number | null;
}

export const STEP_LABELS: Record<ConditionType, string> = {
  NamespaceReady: 'Namespace',
  SecretsReady: 'Secrets',
  ReleaseDeployed: 'Helm release',
  DatabaseReady: 'Database',
  AppReady: 'App',
  StoreConfigured: 'Setup job',
  BackedUp: 'Backup',
  Restored: 'Restore',
  Asleep: 'Workloads scaled down',
};

const RUNNING_WORDS: Record<ConditionType, string> = {
  NamespaceReady: 'Creating the namespace',
  SecretsReady: 'Writing the store secrets',
  ReleaseDeployed: 'Installing the Helm release',
  DatabaseReady: 'Waiting for the database',
  AppReady: 'Waiting for the app',
  StoreConfigured: 'Running the setup job',
  BackedUp: 'Backing up the database and files',
  Restored: 'Restoring the backup',
  Asleep: 'Scaling the workloads down',
};

/** What each step of the contract does, in words: for steps without a condition, and steps sharing one. */
export const STEP_WORDS: Record<Step, string> = {
  namespace: 'Creating the namespace',
  secrets: 'Writing the store secrets',
  release: 'Installing the Helm release',
  upgrade: 'Upgrading the Helm release',
  rollback: 'Rolling the Helm release back',
  ready: 'Waiting for the store to be ready',
  uninstall: 'Uninstalling the Helm release',
  'namespace-delete': 'Deleting the namespace',
  backup: 'Backing up the database and files',
  'backup-verify': 'Reading the backup back and checking it',
  'app-stop': 'Stopping the app',
  'data-restore': 'Restoring the data',
  'app-start': 'Starting the app',
  'app-ready': 'Waiting for the app on the restored data',
  'files-restore': 'Putting back the uploaded files',
  'scale-down': 'Scaling the workloads down',
  'asleep-page': 'Checking that visitors get the asleep page',
  'scale-up': 'Scaling the workloads up',
  serving: 'Checking that the storefront serves',
};

/** A step's timing as the operation that ran it measured it. */
export function stepTiming(store: Store, operation: Operation, step: Step): StepTiming | undefined {
  return store.stepTimings[operation]?.[step];
}

/** Conditions that share one step (the workloads of `ready`); each is done when its own condition turned true. */
const SHARED_STEP: ReadonlySet<ConditionType> = new Set(
  (Object.keys(CONDITION_STEPS) as ConditionType[]).filter((type) =>
    CONDITION_STEPS[type].some((step) => STEP_CONDITIONS[step].length > 1),
  ),
);

export const IN_FLIGHT: ReadonlySet<StoreState> = new Set(IN_FLIGHT_STATES);

function latestTiming(store: Store, type: ConditionType, operation: Operation): StepTiming | undefined {
  let latest: StepTiming | undefined;
  for (const step of CONDITION_STEPS[type]) {
    const timing = stepTiming(store, operation, step);
    if (timing && (!latest || timing.startedAt > latest.startedAt)) latest = timing;
  }
  return latest;
}

/**
 * The timing of a condition's row: its latest step's, or, when several steps of the plan set it in
 * turn (restore's Restored), from the first one's start to the last one's end.
 */
function conditionTiming(store: Store, type: ConditionType, operation: Operation): StepTiming | undefined {
  const plan: readonly Step[] = LIFECYCLE[operation].steps;
  const setters = CONDITION_STEPS[type].filter((step) => plan.includes(step));
  if (setters.length < 2) return latestTiming(store, type, operation);
  const timings = setters.flatMap((step) => stepTiming(store, operation, step) ?? []);
  const first = timings[0];
  if (!first) return undefined;
  const last = timings.at(-1);
  const finished = timings.length === setters.length && timings.every((timing) => timing.finishedAt);
  return {
    startedAt: first.startedAt,
    finishedAt: finished ? (last?.finishedAt ?? null) : null,
    durationMs: finished ? timings.reduce((sum, timing) => sum + (timing.durationMs ?? 0), 0) : null,
  };
}

function stepStatus(store: Store, condition: Condition | undefined): StepStatus {
  if (!condition) return 'pending';
  if (condition.reason === 'Deleted') return 'removed';
  if (condition.status === 'True') return 'done';
  if (condition.status === 'False') return 'failed';
  const working = store.state !== 'Queued' && store.state !== 'Deleting' && IN_FLIGHT.has(store.state);
  return condition.reason === 'InProgress' && working ? 'running' : 'pending';
}

/** The conditions the progress view lists for a store that was provisioned: the provision plan's. */
export const PROGRESS_CONDITIONS: readonly ConditionType[] = PROVISION_CONDITIONS;

/** The conditions an operation's plan sets, each once, in the order its steps set them first. */
export function planConditions(operation: Operation): readonly ConditionType[] {
  const steps: readonly Step[] = LIFECYCLE[operation].steps;
  return [...new Set(steps.flatMap((step): readonly ConditionType[] => STEP_CONDITIONS[step]))];
}

const PLANS: readonly OperationPlan[] = Object.values(LIFECYCLE);

/**
 * The operation whose progress the store shows: the one running (or asked for) in its state, the
 * failed one when it failed, the one its state is the outcome of when only one plan ends there
 * (Asleep: sleep), and otherwise the provision.
 */
export function currentOperation(store: Store): Operation {
  const running = PLANS.filter((plan) => plan.requested === store.state || plan.running === store.state);
  const recorded = running.find((plan) => plan.operation === store.operation);
  if (recorded) return recorded.operation;
  if (running[0]) return running[0].operation;
  if (store.state === 'Failed' && store.failure) return store.failure.operation;
  const endingHere = PLANS.filter((plan) => plan.success === store.state);
  if (endingHere.length === 1 && endingHere[0]) return endingHere[0].operation;
  return store.stepTimings['provision-from-backup'] ? 'provision-from-backup' : 'provision';
}

/** The conditions the progress view lists for this store now. */
export function progressConditions(store: Store): readonly ConditionType[] {
  const operation = currentOperation(store);
  const conditions = planConditions(operation);
  // A plan whose steps set no condition (delete) is followed by the provision's conditions going away.
  return conditions.length > 0 ? conditions : PROGRESS_CONDITIONS;
}

export function progressSteps(store: Store): ProgressStep[] {
  const operation = currentOperation(store);
  return progressConditions(store).map((type) => {
    const condition = store.conditions.find((c) => c.type === type);
    const status = stepStatus(store, condition);
    const timing = conditionTiming(store, type, operation);
    let finishedAt = timing?.finishedAt ?? null;
    let durationMs = timing?.durationMs ?? null;
    if (SHARED_STEP.has(type) && timing && condition) {
      // When the step itself saw this component ready (kept with its timing), else when it turned True.
      const seen = timing.components?.[type];
      finishedAt =
        status === 'done'
          ? (seen ?? (condition.lastTransitionTime >= timing.startedAt ? condition.lastTransitionTime : null))
          : null;
      durationMs = null;
    }
    return {
      type,
      label: STEP_LABELS[type],
      status,
      reason: condition?.reason ?? 'Pending',
      message: condition?.message ?? '',
      startedAt: status === 'pending' || status === 'removed' ? null : (timing?.startedAt ?? null),
      finishedAt: status === 'done' || status === 'failed' ? finishedAt : null,
      durationMs: status === 'done' ? durationMs : null,
    };
  });
}

/** Milliseconds a step took, or has taken so far while it runs. */
export function stepDurationMs(step: ProgressStep, now: number): number | null {
  if (step.durationMs !== null) return step.durationMs;
  if (!step.startedAt) return null;
  const end = step.finishedAt ? new Date(step.finishedAt).getTime() : step.status === 'running' ? now : null;
  return end === null ? null : Math.max(0, end - new Date(step.startedAt).getTime());
}

export type Tone = 'neutral' | 'working' | 'success' | 'warning' | 'error';

export interface Headline {
  tone: Tone;
  text: string;
  /** The step the line is about, when it is about one. */
  step?: ProgressStep;
}

const OPERATION_WORDS: Partial<Record<StoreState, string>> = {
  Upgrading: 'Upgrading the Helm release',
  RollingBack: 'Rolling the Helm release back',
};

/** The latest unfinished step of the plan, by its timings; for steps no condition follows. */
function unfinishedStep(store: Store, operation: Operation): Step | undefined {
  const steps: readonly Step[] = LIFECYCLE[operation].steps;
  return [...steps].reverse().find((step) => {
    const timing = stepTiming(store, operation, step);
    return timing && !timing.finishedAt;
  });
}

function deletionHeadline(store: Store): Headline {
  const running = unfinishedStep(store, 'delete');
  return { tone: 'working', text: running ? STEP_WORDS[running] : 'Deleting the store' };
}

/** Words for a running condition that several steps of the plan set (restore's Restored): the latest started one's. */
function runningWords(store: Store, step: ProgressStep): string {
  const operation = currentOperation(store);
  const plan: readonly Step[] = LIFECYCLE[operation].steps;
  const setters = CONDITION_STEPS[step.type].filter((setter) => plan.includes(setter));
  if (setters.length < 2) return RUNNING_WORDS[step.type];
  let latest: { step: Step; startedAt: string } | undefined;
  for (const setter of setters) {
    const timing = stepTiming(store, operation, setter);
    if (timing && !timing.finishedAt && (!latest || timing.startedAt > latest.startedAt))
      latest = { step: setter, startedAt: timing.startedAt };
  }
  return latest ? STEP_WORDS[latest.step] : RUNNING_WORDS[step.type];
}

/** The one line that says what is happening to the store now. */
export function headline(store: Store, steps: ProgressStep[] = progressSteps(store)): Headline {
  switch (store.state) {
    case 'Ready':
      return { tone: 'success', text: 'Ready' };
    case 'Deleted':
      return { tone: 'neutral', text: 'Deleted' };
    case 'Deleting':
      return deletionHeadline(store);
    case 'Queued':
      return { tone: 'neutral', text: 'Waiting for a worker to start' };
    case 'Asleep':
      return { tone: 'neutral', text: 'Asleep: its address shows the asleep page until it is woken up' };
    case 'Failed': {
      const failed = steps.find((step) => step.status === 'failed');
      const text = store.failure?.message ?? failed?.message ?? 'The last operation failed.';
      return { tone: 'error', text, ...(failed ? { step: failed } : {}) };
    }
    default: {
      const failed = steps.find((step) => step.status === 'failed');
      if (failed) return { tone: 'warning', text: `Retrying after: ${failed.message}`, step: failed };
      const running = steps.find((step) => step.status === 'running');
      if (running) {
        const words = OPERATION_WORDS[store.state] ?? runningWords(store, running);
        return { tone: 'working', text: words, step: running };
      }
      // A step that no condition follows (wake's scale-up) is known only by its timing.
      const unfinished = unfinishedStep(store, currentOperation(store));
      if (unfinished && STEP_CONDITIONS[unfinished].length === 0)
        return { tone: 'working', text: STEP_WORDS[unfinished] };
      const pending = steps.find((step) => step.status === 'pending');
      const text = OPERATION_WORDS[store.state] ?? (pending ? `Next: ${pending.label}` : 'Finishing');
      return { tone: 'working', text, ...(pending ? { step: pending } : {}) };
    }
  }
}
