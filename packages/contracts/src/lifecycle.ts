// The store lifecycle as data: for each operation, the states it starts from and runs in, its steps
// in order, the condition each step makes true, and where it ends. The orchestrator derives its
// guards, its step order and its crash recovery from this table; the dashboard's progress view reads
// the same table. This is the only place that lists steps and transitions.
import type { ConditionType, Operation, StoreState } from './index.ts';

/** Every step a worker runs, and the conditions it makes true (the `ready` step covers three). */
export const STEP_CONDITIONS = {
  namespace: ['NamespaceReady'],
  secrets: ['SecretsReady'],
  release: ['ReleaseDeployed'],
  upgrade: ['ReleaseDeployed'],
  rollback: ['ReleaseDeployed'],
  ready: ['DatabaseReady', 'AppReady', 'StoreConfigured'],
  uninstall: [],
  'namespace-delete': [],
  backup: ['BackedUp'],
  'app-stop': ['Restored'],
  'data-restore': ['Restored'],
  'app-start': ['Restored'],
  'scale-down': ['Asleep'],
  'scale-up': [],
} as const satisfies Record<string, readonly ConditionType[]>;
export type Step = keyof typeof STEP_CONDITIONS;

/** How work owed in a plan's states is picked up again after the process running it died. */
export type Resumption =
  /** The leased job is taken over once its lease is reclaimed; a state with no job is queued again at start-up. */
  | 'job-or-start-up'
  /** Only the leased job carries what is needed (the rollback's revision): it is taken over, never re-queued. */
  | 'job-only';

export interface OperationPlan {
  operation: Operation;
  /** States a request may start the operation from. */
  from: readonly StoreState[];
  /** The state a request puts the store in, where it waits for a worker. */
  requested: StoreState;
  /** The state while a worker runs the steps. */
  running: StoreState;
  /** The steps, in the order a worker runs them. */
  steps: readonly Step[];
  /** The state once every step is done. */
  success: StoreState;
  /**
   * The state once the retries are spent (or the failure cannot heal). A plan that fails back to
   * `Ready` (a backup) leaves the store as it was: the failure is recorded on what it made, not on it.
   */
  failure: StoreState;
  resume: Resumption;
}

export const LIFECYCLE = {
  provision: {
    operation: 'provision',
    from: ['Failed'],
    requested: 'Queued',
    running: 'Provisioning',
    steps: ['namespace', 'secrets', 'release', 'ready'],
    success: 'Ready',
    failure: 'Failed',
    resume: 'job-or-start-up',
  },
  upgrade: {
    operation: 'upgrade',
    from: ['Ready', 'Failed'],
    requested: 'Upgrading',
    running: 'Upgrading',
    steps: ['upgrade', 'ready'],
    success: 'Ready',
    failure: 'Failed',
    resume: 'job-or-start-up',
  },
  rollback: {
    operation: 'rollback',
    from: ['Ready', 'Failed'],
    requested: 'RollingBack',
    running: 'RollingBack',
    steps: ['rollback', 'ready'],
    success: 'Ready',
    failure: 'Failed',
    resume: 'job-only',
  },
  backup: {
    operation: 'backup',
    from: ['Ready'],
    requested: 'BackingUp',
    running: 'BackingUp',
    steps: ['backup'],
    success: 'Ready',
    failure: 'Ready',
    resume: 'job-only',
  },
  restore: {
    operation: 'restore',
    from: ['Ready', 'Failed', 'Provisioning'],
    requested: 'Restoring',
    running: 'Restoring',
    steps: ['app-stop', 'data-restore', 'app-start', 'ready'],
    success: 'Ready',
    failure: 'Failed',
    resume: 'job-only',
  },
  sleep: {
    operation: 'sleep',
    from: ['Ready'],
    requested: 'Sleeping',
    running: 'Sleeping',
    steps: ['scale-down'],
    success: 'Asleep',
    failure: 'Failed',
    resume: 'job-or-start-up',
  },
  wake: {
    operation: 'wake',
    from: ['Asleep', 'Failed'],
    requested: 'Waking',
    running: 'Waking',
    steps: ['scale-up', 'ready'],
    success: 'Ready',
    failure: 'Failed',
    resume: 'job-or-start-up',
  },
  delete: {
    operation: 'delete',
    from: [
      'Queued',
      'Provisioning',
      'Ready',
      'Failed',
      'Upgrading',
      'RollingBack',
      'BackingUp',
      'Restoring',
      'Sleeping',
      'Asleep',
      'Waking',
    ],
    requested: 'Deleting',
    running: 'Deleting',
    steps: ['uninstall', 'namespace-delete'],
    success: 'Deleted',
    failure: 'Failed',
    resume: 'job-or-start-up',
  },
} as const satisfies Record<Operation, OperationPlan>;

/** States in which work is under way (or owed) and must resume after a crash. */
export const IN_FLIGHT_STATES: readonly StoreState[] = [
  ...new Set(Object.values(LIFECYCLE).flatMap((plan): StoreState[] => [plan.requested, plan.running])),
];

/** The conditions a provisioned store has, in the order its steps make them true. */
export const PROVISION_CONDITIONS: readonly ConditionType[] = LIFECYCLE.provision.steps.flatMap(
  (step) => STEP_CONDITIONS[step],
);

/** The steps (stepTimings keys) that make each condition true, in plan order. */
export const CONDITION_STEPS: Readonly<Record<ConditionType, readonly Step[]>> = conditionSteps();

function conditionSteps(): Record<ConditionType, Step[]> {
  const table: Partial<Record<ConditionType, Step[]>> = {};
  for (const [step, conditions] of Object.entries(STEP_CONDITIONS) as [Step, readonly ConditionType[]][]) {
    for (const type of conditions) table[type] = [...(table[type] ?? []), step];
  }
  return table as Record<ConditionType, Step[]>;
}
