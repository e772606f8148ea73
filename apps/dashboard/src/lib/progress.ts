// A store's progress in words: one step per condition, with timings, and the one line that says
// what is happening now. The line is picked by a fixed priority (a failed step, then the first
// running step in pipeline order, then the first pending one) rather than by the latest change, so
// that it does not jump between steps whose conditions update at nearly the same time.
import {
  CONDITION_STEPS,
  type Condition,
  type ConditionType,
  IN_FLIGHT_STATES,
  LIFECYCLE,
  PROVISION_CONDITIONS,
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
};

const RUNNING_WORDS: Record<ConditionType, string> = {
  NamespaceReady: 'Creating the namespace',
  SecretsReady: 'Writing the store secrets',
  ReleaseDeployed: 'Installing the Helm release',
  DatabaseReady: 'Waiting for the database',
  AppReady: 'Waiting for the app',
  StoreConfigured: 'Running the setup job',
};

/** Conditions that share one step (the workloads of `ready`); each is done when its own condition turned true. */
const SHARED_STEP: ReadonlySet<ConditionType> = new Set(
  PROVISION_CONDITIONS.filter((type) =>
    PROVISION_CONDITIONS.some(
      (other) => other !== type && CONDITION_STEPS[other][0] === CONDITION_STEPS[type][0],
    ),
  ),
);

export const IN_FLIGHT: ReadonlySet<StoreState> = new Set(IN_FLIGHT_STATES);

function latestTiming(store: Store, type: ConditionType): StepTiming | undefined {
  let latest: StepTiming | undefined;
  for (const step of CONDITION_STEPS[type]) {
    const timing = store.stepTimings[step];
    if (timing && (!latest || timing.startedAt > latest.startedAt)) latest = timing;
  }
  return latest;
}

function stepStatus(store: Store, condition: Condition | undefined): StepStatus {
  if (!condition) return 'pending';
  if (condition.reason === 'Deleted') return 'removed';
  if (condition.status === 'True') return 'done';
  if (condition.status === 'False') return 'failed';
  const working = store.state !== 'Queued' && store.state !== 'Deleting' && IN_FLIGHT.has(store.state);
  return condition.reason === 'InProgress' && working ? 'running' : 'pending';
}

/** The conditions the progress view lists: the provision plan's, in the order its steps set them. */
export const PROGRESS_CONDITIONS: readonly ConditionType[] = PROVISION_CONDITIONS;

export function progressSteps(store: Store): ProgressStep[] {
  return PROGRESS_CONDITIONS.map((type) => {
    const condition = store.conditions.find((c) => c.type === type);
    const status = stepStatus(store, condition);
    const timing = latestTiming(store, type);
    let finishedAt = timing?.finishedAt ?? null;
    let durationMs = timing?.durationMs ?? null;
    if (SHARED_STEP.has(type) && timing && condition) {
      finishedAt =
        status === 'done' && condition.lastTransitionTime >= timing.startedAt
          ? condition.lastTransitionTime
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

const DELETION_WORDS: Record<(typeof LIFECYCLE.delete.steps)[number], string> = {
  uninstall: 'Uninstalling the Helm release',
  'namespace-delete': 'Deleting the namespace',
};

function deletionHeadline(store: Store): Headline {
  // The latest unfinished step of the delete plan.
  const running = [...LIFECYCLE.delete.steps].reverse().find((step) => {
    const timing = store.stepTimings[step];
    return timing && !timing.finishedAt;
  });
  return { tone: 'working', text: running ? DELETION_WORDS[running] : 'Deleting the store' };
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
        const words = OPERATION_WORDS[store.state] ?? RUNNING_WORDS[running.type];
        return { tone: 'working', text: words, step: running };
      }
      const pending = steps.find((step) => step.status === 'pending');
      const text = OPERATION_WORDS[store.state] ?? (pending ? `Next: ${pending.label}` : 'Finishing');
      return { tone: 'working', text, ...(pending ? { step: pending } : {}) };
    }
  }
}
