// The store lifecycle as data: for each operation, the states it starts from and runs in, the payload
// its jobs carry, its steps in order, the condition each step makes true, where it ends, what a retry
// does and what a failure at each step leaves behind. The orchestrator derives its guards, its step
// order, its retries, its crash recovery and the transitions its repository accepts from this table;
// the dashboard's buttons and progress view read the same table. Nothing else restates these rules.
import { z } from 'zod';
import type { ConditionType, Operation, StoreState } from './store.ts';

/** Every step a worker runs, and the conditions it makes true (the readiness steps cover three). */
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
  'backup-verify': ['Restored'],
  'app-stop': ['Restored'],
  'data-restore': ['Restored'],
  'app-start': ['Restored'],
  'app-ready': ['DatabaseReady', 'AppReady', 'StoreConfigured'],
  'files-restore': ['Restored'],
  'scale-down': ['Asleep'],
  'asleep-page': ['Asleep'],
  'scale-up': [],
  serving: [],
} as const satisfies Record<string, readonly ConditionType[]>;
export type Step = keyof typeof STEP_CONDITIONS;

/** The payload of each operation's jobs: every job of the operation carries it, retries included. */
export const OPERATION_PAYLOADS = {
  provision: z.strictObject({}),
  'provision-from-backup': z.strictObject({ backupId: z.uuid() }),
  upgrade: z.strictObject({}),
  rollback: z.strictObject({ revision: z.number().int().positive() }),
  backup: z.strictObject({ backupId: z.uuid() }),
  // `from`: the state the request found the store in, where a refusal at a checking step puts it back.
  restore: z.strictObject({ backupId: z.uuid(), from: z.enum(['Ready', 'Failed']).optional() }),
  sleep: z.strictObject({}),
  wake: z.strictObject({}),
  delete: z.strictObject({}),
} as const satisfies Record<Operation, z.ZodType>;
export type OperationPayload<O extends Operation = Operation> = z.infer<(typeof OPERATION_PAYLOADS)[O]>;

/** Where a store's data and app stand after a step of a data operation failed. */
export interface LeftBehind {
  data: 'unchanged' | 'replaced' | 'database-replaced';
  app: 'running' | 'stopped' | 'started';
}

/** What a merchant may do about a failed operation, in the order the dashboard offers them. */
export type Remedy = 'retry' | 'wake' | 'delete';

export interface RetryRule {
  /** Whether Retry (from Failed) runs the operation again, with the payload it failed with. */
  fromFailed: boolean;
  /**
   * Failure reasons that another automatic attempt cannot heal for this operation (a damaged backup
   * fails the same way every time): the operation fails at once instead of spending its retries.
   */
  notRetried: readonly string[];
}

export interface OperationPlan {
  operation: Operation;
  /** States a request may start the operation from (none: only the platform starts it). */
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
  retry: RetryRule;
  /**
   * Steps that only check and change nothing (a backup read back before the app stops): when one fails
   * for good, the store goes back to the state the request found it in (the payload's `from`), the
   * reason in its conditions and activity; without a `from`, to `failure`.
   */
  checks?: readonly Step[];
  /** For operations that touch the data: what a failure at each step leaves, and what is offered. */
  leaves?: Partial<Record<Step, LeftBehind>>;
  remedies: readonly Remedy[];
}

const RESTORE_FAILURES = ['RestoreFailed', 'BackupUnreadable'] as const;

/** What a restore leaves when each of its steps fails (pg_restore runs in one transaction). */
const RESTORE_LEAVES: Partial<Record<Step, LeftBehind>> = {
  'backup-verify': { data: 'unchanged', app: 'running' },
  'app-stop': { data: 'unchanged', app: 'stopped' },
  'data-restore': { data: 'unchanged', app: 'stopped' },
  'app-start': { data: 'database-replaced', app: 'stopped' },
  'app-ready': { data: 'database-replaced', app: 'started' },
  'files-restore': { data: 'database-replaced', app: 'running' },
};

/** A restore's steps once its backup read back: a new store's from a backup too. */
const RESTORE_STEPS = [
  'app-stop',
  'data-restore',
  'app-start',
  'app-ready',
  'files-restore',
  'serving',
] as const;

export const LIFECYCLE = {
  provision: {
    operation: 'provision',
    from: [],
    requested: 'Queued',
    running: 'Provisioning',
    steps: ['namespace', 'secrets', 'release', 'ready', 'serving'],
    success: 'Ready',
    failure: 'Failed',
    retry: { fromFailed: true, notRetried: [] },
    remedies: ['retry', 'delete'],
  },
  'provision-from-backup': {
    operation: 'provision-from-backup',
    from: [],
    requested: 'Queued',
    running: 'Provisioning',
    steps: [
      'namespace',
      'secrets',
      // Before the release: a backup that cannot be restored fails the store before it installs anything.
      'backup-verify',
      'release',
      'ready',
      ...RESTORE_STEPS,
    ],
    success: 'Ready',
    failure: 'Failed',
    retry: { fromFailed: true, notRetried: RESTORE_FAILURES },
    checks: ['backup-verify'],
    leaves: RESTORE_LEAVES,
    remedies: ['retry', 'wake', 'delete'],
  },
  upgrade: {
    operation: 'upgrade',
    from: ['Ready', 'Failed'],
    requested: 'Upgrading',
    running: 'Upgrading',
    steps: ['upgrade', 'ready', 'serving'],
    success: 'Ready',
    failure: 'Failed',
    retry: { fromFailed: true, notRetried: [] },
    remedies: ['retry', 'delete'],
  },
  rollback: {
    operation: 'rollback',
    from: ['Ready', 'Failed'],
    requested: 'RollingBack',
    running: 'RollingBack',
    steps: ['rollback', 'ready', 'serving'],
    success: 'Ready',
    failure: 'Failed',
    retry: { fromFailed: true, notRetried: [] },
    remedies: ['retry', 'delete'],
  },
  backup: {
    operation: 'backup',
    from: ['Ready'],
    requested: 'BackingUp',
    running: 'BackingUp',
    steps: ['backup'],
    success: 'Ready',
    failure: 'Ready',
    retry: { fromFailed: false, notRetried: [] },
    remedies: [],
  },
  restore: {
    operation: 'restore',
    from: ['Ready', 'Failed'],
    requested: 'Restoring',
    running: 'Restoring',
    steps: ['backup-verify', ...RESTORE_STEPS],
    success: 'Ready',
    failure: 'Failed',
    retry: { fromFailed: true, notRetried: RESTORE_FAILURES },
    checks: ['backup-verify'],
    leaves: RESTORE_LEAVES,
    remedies: ['retry', 'wake', 'delete'],
  },
  sleep: {
    operation: 'sleep',
    from: ['Ready'],
    requested: 'Sleeping',
    running: 'Sleeping',
    steps: ['scale-down', 'asleep-page'],
    success: 'Asleep',
    failure: 'Failed',
    retry: { fromFailed: true, notRetried: [] },
    remedies: ['retry', 'wake', 'delete'],
  },
  wake: {
    operation: 'wake',
    from: ['Asleep', 'Failed'],
    requested: 'Waking',
    running: 'Waking',
    steps: ['scale-up', 'ready', 'serving'],
    success: 'Ready',
    failure: 'Failed',
    retry: { fromFailed: true, notRetried: [] },
    remedies: ['wake', 'delete'],
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
    retry: { fromFailed: true, notRetried: [] },
    remedies: ['retry'],
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
