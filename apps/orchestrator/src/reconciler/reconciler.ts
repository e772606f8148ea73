// Drives one store toward what was asked of it, one job at a time, by interpreting the lifecycle
// table: the job's operation names a plan; the plan's steps run in order, each handed to the one step
// family that declares it (release, data, scaling, the store's own); then the plan's ending. Every
// step is idempotent, so a step interrupted by a crash is simply run again by whichever worker takes
// the job over. Every write goes through the attempt store, fenced by the job's lease.
import { OPERATIONS, type Operation, STEP_CONDITIONS, type Step } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BackupRunner } from '../backups/backup-runner.ts';
import { type Cluster, ClusterError, storeTarget } from '../cluster/port.ts';
import type { Schema } from '../db/schema.ts';
import type { ActivityType } from '../domain/activity-types.ts';
import { LIFECYCLE, type OperationPlan, payloadOf, runnableStates } from '../domain/lifecycle.ts';
import { remedyForUnreadyRelease } from '../domain/next-action.ts';
import { type RetryPolicy, retryDelayMs, shouldRetry } from '../domain/retry.ts';
import { mayHaveClusterResources, type Store } from '../domain/store.ts';
import { formatDuration } from '../duration.ts';
import type { ReconcileMetrics } from '../observability/metrics.ts';
import type { Job } from '../queue/work-queue.ts';
import type { JobResult } from '../queue/worker.ts';
import { type Attempt, AttemptStore, StaleAttempt } from './attempt.ts';
import { AttemptTimedOut, describeFailure, StepFailed } from './failure.ts';
import { StepRecorder } from './step-recorder.ts';
import { dataSteps } from './steps/data-steps.ts';
import { releaseSteps } from './steps/release-steps.ts';
import { type StoreAddress, scalingSteps } from './steps/scaling-steps.ts';
import { type Ending, mergeFamilies, type StepHandler } from './steps/step-family.ts';
import { storeSteps } from './steps/store-steps.ts';

export interface ReconcilerOptions {
  db: Kysely<Schema>;
  cluster: Cluster;
  backups: BackupRunner;
  retryPolicy: RetryPolicy;
  /** PROVISION_TIMEOUT: the longest one attempt at an operation may take (and helm's own timeout). */
  attemptTimeoutMs: number;
  metrics: ReconcileMetrics;
  logger: Logger;
  /** Told when a store is deleted: its backups' retention starts (DELETED_STORE_BACKUP_RETENTION). */
  onStoreDeleted?: () => void;
  /** How the orchestrator reaches a store through the ingress (default: it cannot). */
  addressOf?: (store: Store) => StoreAddress | undefined;
  now?: () => Date;
  random?: () => number;
}

/** What the activity feed says when a worker takes each operation up. */
const BEGIN: Record<Operation, { type: ActivityType; what: (attempt: Attempt) => string }> = {
  provision: { type: 'store.provisioning', what: () => 'Provisioning' },
  'provision-from-backup': {
    type: 'store.provisioning',
    what: (attempt) => `Provisioning from backup ${backupIdIn(attempt)}`,
  },
  upgrade: { type: 'store.upgrading', what: () => 'Upgrading' },
  rollback: {
    type: 'store.rolling_back',
    what: (attempt) =>
      `Rolling back to revision ${'revision' in attempt.payload ? attempt.payload.revision : '?'}`,
  },
  delete: { type: 'store.deleting', what: () => 'Deleting' },
  backup: { type: 'backup.started', what: () => 'Backing up' },
  restore: { type: 'store.restoring', what: (attempt) => `Restoring backup ${backupIdIn(attempt)}` },
  sleep: { type: 'store.sleeping', what: () => 'Putting the store to sleep' },
  wake: { type: 'store.waking', what: () => 'Waking the store' },
};

const STARTS_PROVISIONING: ReadonlySet<Operation> = new Set(['provision', 'provision-from-backup']);

export class Reconciler {
  private readonly options: ReconcilerOptions;
  private readonly now: () => Date;
  private readonly writes: AttemptStore;
  private readonly steps: Record<Step, StepHandler>;
  private readonly endings: Record<Operation, Ending>;
  private readonly data: ReturnType<typeof dataSteps>;
  private readonly recorder: StepRecorder;

  constructor(options: ReconcilerOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.writes = new AttemptStore(options.db, this.now);
    const { cluster, backups, metrics } = options;
    const shared = { writes: this.writes, now: this.now };
    const { namespaces, secrets, workloads, releases, scaling } = cluster;
    this.data = dataSteps({ ...shared, scaling, backups });
    const families = [
      storeSteps({
        ...shared,
        namespaces,
        secrets,
        workloads,
        releases,
        backups,
        onDeleted: options.onStoreDeleted ?? (() => {}),
      }),
      releaseSteps({ ...shared, releases, metrics, helmTimeoutMs: options.attemptTimeoutMs }),
      this.data,
      scalingSteps({ ...shared, scaling, addressOf: options.addressOf ?? (() => undefined) }),
    ];
    ({ steps: this.steps, endings: this.endings } = mergeFamilies(
      families,
      Object.keys(STEP_CONDITIONS) as Step[],
      OPERATIONS,
    ));
    this.recorder = new StepRecorder(this.writes, metrics, this.now);
  }

  readonly handle = async (job: Job, jobSignal: AbortSignal): Promise<JobResult> => {
    const store = await this.writes.read(job.storeId);
    if (!store) return { outcome: 'done' };
    if (!runnableStates(job.kind).includes(store.state)) return { outcome: 'done' };

    const timeout = AbortSignal.timeout(this.options.attemptTimeoutMs);
    const attempt: Attempt = {
      job,
      operation: job.kind,
      payload: {},
      store,
      target: storeTarget(store),
      signal: AbortSignal.any([jobSignal, timeout]),
      startedAt: this.now(),
      log: this.options.logger.child({
        storeId: store.id,
        slug: store.slug,
        operation: job.kind,
        attempt: job.attempts,
      }),
      deployed: undefined,
      backupSize: undefined,
    };
    try {
      await this.begin(attempt);
      for (const step of this.stepsToRun(attempt)) {
        await this.recorder.run(attempt, step, (signal) => this.steps[step](attempt, signal));
      }
      await this.endings[job.kind](attempt);
      return { outcome: 'done' };
    } catch (error) {
      if (error instanceof StaleAttempt) return { outcome: 'done' };
      if (jobSignal.aborted) throw jobSignal.reason;
      if (error instanceof StepFailed) return this.attemptFailed(attempt, error, timeout.aborted);
      throw error;
    }
  };

  /** The plan's steps; a store that never reached the cluster has nothing there to delete. */
  private stepsToRun(attempt: Attempt): readonly Step[] {
    const { steps } = LIFECYCLE[attempt.operation];
    if (attempt.operation === 'delete' && !mayHaveClusterResources(attempt.store)) return [];
    return steps;
  }

  /** Takes the job up: the store enters the plan's running state with the job's payload; the attempt is recorded. */
  private async begin(attempt: Attempt): Promise<void> {
    const { operation, store, job } = attempt;
    const plan = LIFECYCLE[operation];
    const firstStep = plan.steps[0] as Step;
    let invalidPayload: string | undefined;
    try {
      attempt.payload = payloadOf(operation, job.payload);
    } catch (error) {
      invalidPayload = (error as Error).message;
    }
    // A fresh request measures its steps anew; a take-over keeps what was measured so far.
    const timings = job.attempts <= 1 ? { ...store.stepTimings, [operation]: {} } : store.stepTimings;
    const total = this.options.retryPolicy.maxRetries + 1;
    await this.writes.save(
      attempt,
      {
        state: plan.running,
        attempts: job.attempts,
        operation,
        payload: attempt.payload,
        stepTimings: timings,
        ...(STARTS_PROVISIONING.has(operation)
          ? { provisioningStartedAt: store.provisioningStartedAt ?? this.now() }
          : {}),
      },
      runnableStates(operation),
      [
        {
          type: BEGIN[operation].type,
          message: `${BEGIN[operation].what(attempt)} (attempt ${job.attempts} of ${total}).`,
        },
      ],
    );
    if (invalidPayload !== undefined) {
      throw new StepFailed(
        firstStep,
        new ClusterError('PayloadMissing', invalidPayload, { retryable: false }),
      );
    }
    const cluster = this.options.cluster.info();
    if (STARTS_PROVISIONING.has(operation) && !cluster.configured) {
      throw new StepFailed(
        firstStep,
        new ClusterError('ClusterNotConfigured', cluster.description, { retryable: false }),
      );
    }
  }

  private async attemptFailed(attempt: Attempt, failure: StepFailed, timedOut: boolean): Promise<JobResult> {
    const { step } = failure;
    const { retryPolicy, metrics } = this.options;
    const description = describeFailure(
      attempt.operation,
      step,
      timedOut ? new AttemptTimedOut() : failure.cause,
      {
        attemptTimeoutMs: this.options.attemptTimeoutMs,
        logger: this.options.logger,
      },
    );
    metrics.countStepFailure(attempt.operation, step, description.reason);
    const attemptNumber = attempt.job.attempts;
    const conditions = this.recorder.failedConditions(attempt, description);
    const plan: OperationPlan = LIFECYCLE[attempt.operation];

    if (shouldRetry(retryPolicy, attemptNumber, description.retryable)) {
      const delayMs = retryDelayMs(retryPolicy, attemptNumber, this.options.random);
      const message = `Attempt ${attemptNumber} of ${retryPolicy.maxRetries + 1} failed at step "${step}": ${description.message} Retrying in ${formatDuration(delayMs)}.`;
      await this.writes.save(
        attempt,
        { conditions },
        [plan.running],
        [{ type: 'store.retry_scheduled', message, details: { step, reason: description.reason, delayMs } }],
      );
      attempt.log.warn({ step, reason: description.reason, delayMs }, 'attempt failed; retry scheduled');
      return { outcome: 'retry', delayMs, error: `${description.reason}: ${description.message}` };
    }

    const exhausted = description.retryable ? ` (gave up after ${attemptNumber} attempts)` : '';
    const remedied = await this.remedyUnreadyRelease(attempt, step);
    const failureMessage = `Step "${step}" failed: ${description.message}${exhausted}${remedied}`;
    // Only a backup fails back to Ready (its plan says so): the failure is the backup's, not the store's.
    if (plan.failure !== 'Failed')
      return this.data.backupFailed(attempt, conditions, failureMessage, description.reason);
    // A check that changed nothing puts the store back where the request found it.
    if (plan.checks?.includes(step) && 'from' in attempt.payload && attempt.payload.from === 'Ready') {
      return this.data.restoreRefused(attempt, conditions, failureMessage, description.reason);
    }
    await this.writes.save(
      attempt,
      {
        state: plan.failure,
        observedGeneration: attempt.store.generation,
        conditions,
        failure: {
          operation: attempt.operation,
          step,
          reason: description.reason,
          message: failureMessage,
          retryable: description.retryable,
        },
      },
      [plan.running],
      [{ type: 'store.failed', message: failureMessage, details: { step, reason: description.reason } }],
    );
    attempt.log.error({ step, reason: description.reason }, 'store failed');
    return { outcome: 'done' };
  }

  /**
   * Undoes the release change of a last attempt whose workloads never became ready (see
   * remedyForUnreadyRelease); returns the words the failure message adds.
   */
  private async remedyUnreadyRelease(attempt: Attempt, step: Step): Promise<string> {
    const remedy = remedyForUnreadyRelease(attempt.operation, step, attempt.store);
    if (!remedy) return '';
    const { releases } = this.options.cluster;
    const signal = AbortSignal.timeout(this.options.attemptTimeoutMs);
    try {
      if (remedy.do === 'uninstall') {
        // Not waiting for the objects to go (pods may take their grace period): the store says Failed
        // now; an install right after it that meets an object still going away fails and is retried.
        await releases.uninstallRelease(attempt.target, signal, { wait: false });
        attempt.log.warn('uninstalled a release whose workloads never became ready');
        return ' The release was uninstalled.';
      }
      await releases.rollbackRelease(attempt.target, remedy.revision, signal);
      attempt.log.warn(
        { revision: remedy.revision },
        'rolled back a release whose workloads never became ready',
      );
      return ` The release was rolled back to revision ${remedy.revision}.`;
    } catch (error) {
      attempt.log.error(
        { err: error, remedy },
        'could not undo a release whose workloads never became ready',
      );
      const what = remedy.do === 'uninstall' ? 'uninstalled' : `rolled back to revision ${remedy.revision}`;
      return ` The release could not be ${what}: ${(error as Error).message}`;
    }
  }
}

function backupIdIn(attempt: Attempt): string {
  return 'backupId' in attempt.payload ? attempt.payload.backupId : '?';
}
