// Drives one store toward what was asked of it, one job at a time. Every step is idempotent, so a
// step interrupted by a crash is simply run again by whichever worker takes the job over. Every write
// is fenced by the job's lease: a worker that lost its lease cannot overwrite its successor's work.
import type { ConditionType, Operation, StoreState } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BackupRunner } from '../backups/backup-runner.ts';
import { type Cluster, ClusterError, storeTarget } from '../cluster/port.ts';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { Schema } from '../db/schema.ts';
import { type StorePatch, StoresRepository } from '../db/stores-repository.ts';
import { setCondition } from '../domain/conditions.ts';
import { conditionsOf, LIFECYCLE, runnableStates, STEP_TITLES, type Step } from '../domain/lifecycle.ts';
import { type RetryPolicy, retryDelayMs, shouldRetry } from '../domain/retry.ts';
import {
  type DeployedRecord,
  mayHaveClusterResources,
  provisioningSeconds,
  type Store,
} from '../domain/store.ts';
import { formatDuration } from '../duration.ts';
import type { ReconcileMetrics } from '../observability/metrics.ts';
import type { Job } from '../queue/work-queue.ts';
import type { JobResult } from '../queue/worker.ts';
import { type Attempt, StaleAttempt } from './attempt.ts';
import { DataOperations } from './data-operations.ts';
import { convergeRelease } from './release-step.ts';

export interface ReconcilerOptions {
  db: Kysely<Schema>;
  cluster: Cluster;
  backups: BackupRunner;
  retryPolicy: RetryPolicy;
  /** PROVISION_TIMEOUT: the longest one attempt at an operation may take. */
  attemptTimeoutMs: number;
  metrics: ReconcileMetrics;
  logger: Logger;
  now?: () => Date;
  random?: () => number;
}

class StepFailed extends Error {
  readonly step: Step;
  constructor(step: Step, cause: unknown) {
    super(`step ${step} failed`, { cause });
    this.step = step;
  }
}

class AttemptTimedOut extends Error {}

interface FailureDescription {
  reason: string;
  message: string;
  retryable: boolean;
  condition: ConditionType | undefined;
}

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

export class Reconciler {
  private readonly options: ReconcilerOptions;
  private readonly stores: StoresRepository;
  private readonly activity: ActivityRepository;
  private readonly now: () => Date;
  /** What the backup, restore, sleep and wake plans' steps do. */
  private readonly data: DataOperations;

  constructor(options: ReconcilerOptions) {
    this.options = options;
    this.stores = new StoresRepository(options.db);
    this.activity = new ActivityRepository(options.db);
    this.now = options.now ?? (() => new Date());
    this.data = new DataOperations({
      db: options.db,
      cluster: options.cluster,
      backups: options.backups,
      now: this.now,
      save: (attempt, patch, states) => this.save(attempt, patch, states),
      record: (attempt, type, message, details) => this.record(attempt, type, message, details),
    });
  }

  readonly handle = async (job: Job, jobSignal: AbortSignal): Promise<JobResult> => {
    const store = await this.stores.get(job.storeId);
    if (!store) return { outcome: 'done' };
    if (!runnableStates(job.kind).includes(store.state)) return { outcome: 'done' };

    const timeout = AbortSignal.timeout(this.options.attemptTimeoutMs);
    const attempt: Attempt = {
      job,
      operation: job.kind,
      store,
      target: storeTarget(store),
      signal: AbortSignal.any([jobSignal, timeout]),
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
      await this.begin[job.kind](attempt);
      for (const step of this.stepsToRun(attempt)) {
        await this.step(attempt, step, (signal) => this.steps[step](attempt, signal));
      }
      await this.finish[job.kind](attempt);
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

  /** What each step does in the cluster. */
  private readonly steps: Record<Step, (attempt: Attempt, signal: AbortSignal) => Promise<unknown>> = {
    namespace: (attempt, signal) => this.options.cluster.ensureNamespace(attempt.target, signal),
    secrets: (attempt, signal) => this.options.cluster.ensureSecrets(attempt.target, signal),
    release: (attempt, signal) => this.converge(attempt, signal),
    upgrade: (attempt, signal) => this.converge(attempt, signal),
    rollback: (attempt, signal) => this.converge(attempt, signal),
    ready: (attempt, signal) => this.ready(attempt, signal),
    uninstall: (attempt, signal) => this.options.cluster.uninstallRelease(attempt.target, signal),
    'namespace-delete': (attempt, signal) => this.options.cluster.deleteNamespace(attempt.target, signal),
    backup: (attempt, signal) => this.data.backUp(attempt, signal),
    'app-stop': (attempt, signal) => this.data.stopWriters(attempt, signal),
    'data-restore': (attempt, signal) => this.data.restoreDatabase(attempt, signal),
    'app-start': (attempt, signal) => this.data.startWriters(attempt, signal),
    'scale-down': (attempt, signal) => this.data.scaleDown(attempt, signal),
    'scale-up': (attempt, signal) => this.data.scaleUp(attempt, signal),
  };

  /** The ready step; after a restore it also puts back the files, which need the app running. */
  private async ready(attempt: Attempt, signal: AbortSignal): Promise<void> {
    await this.options.cluster.waitUntilReady(attempt.target, signal, async (progress) => {
      const conditions = setCondition(attempt.store.conditions, progress, this.now());
      await this.save(attempt, { conditions });
    });
    if (attempt.operation === 'restore') await this.data.restoreFiles(attempt, signal);
  }

  /** The release step: converge the release, and remember what it deployed for this generation. */
  private async converge(attempt: Attempt, signal: AbortSignal): Promise<void> {
    const { deployed, changed } = await convergeRelease(
      {
        cluster: this.options.cluster,
        store: attempt.store,
        target: attempt.target,
        rollbackTo: attempt.job.payload.revision,
        log: attempt.log,
      },
      signal,
    );
    attempt.deployed = deployed;
    if (changed) await this.save(attempt, { deployed });
  }

  /** Takes the job up: the store enters the plan's running state; the attempt is recorded. */
  private readonly begin: Record<Operation, (attempt: Attempt) => Promise<void>> = {
    provision: async (attempt) => {
      const { cluster } = this.options;
      await this.save(
        attempt,
        {
          state: LIFECYCLE.provision.running,
          attempts: attempt.job.attempts,
          provisioningStartedAt: attempt.store.provisioningStartedAt ?? this.now(),
        },
        runnableStates('provision'),
      );
      await this.record(attempt, 'store.provisioning', this.attemptMessage(attempt, 'Provisioning'));
      if (!cluster.info().configured) {
        throw new StepFailed(
          LIFECYCLE.provision.steps[0],
          new ClusterError('ClusterNotConfigured', cluster.info().description, { retryable: false }),
        );
      }
    },
    upgrade: (attempt) => this.beginWork(attempt, 'store.upgrading', 'Upgrading'),
    rollback: (attempt) =>
      this.beginWork(
        attempt,
        'store.rolling_back',
        `Rolling back to revision ${attempt.job.payload.revision}`,
      ),
    delete: (attempt) => this.beginWork(attempt, 'store.deleting', 'Deleting'),
    backup: (attempt) => this.beginWork(attempt, 'backup.started', 'Backing up'),
    restore: (attempt) => this.beginWork(attempt, 'store.restoring', 'Restoring a backup'),
    sleep: (attempt) => this.beginWork(attempt, 'store.sleeping', 'Putting the store to sleep'),
    wake: (attempt) => this.beginWork(attempt, 'store.waking', 'Waking the store'),
  };

  private async beginWork(attempt: Attempt, type: string, what: string): Promise<void> {
    await this.save(attempt, { attempts: attempt.job.attempts });
    await this.record(attempt, type, this.attemptMessage(attempt, what));
  }

  /** Every step is done: the store enters the plan's success state. */
  private readonly finish: Record<Operation, (attempt: Attempt) => Promise<void>> = {
    provision: (attempt) => this.provisioned(attempt),
    upgrade: (attempt) => this.releaseChanged(attempt, 'upgrade'),
    rollback: (attempt) => this.releaseChanged(attempt, 'rollback'),
    delete: (attempt) => this.deleted(attempt),
    backup: (attempt) => this.data.backedUp(attempt),
    restore: (attempt) => this.data.restored(attempt),
    sleep: (attempt) => this.data.asleep(attempt),
    wake: (attempt) => this.data.awake(attempt),
  };

  private async provisioned(attempt: Attempt): Promise<void> {
    const restoreFrom = attempt.job.payload.restoreFrom;
    if (restoreFrom) {
      await this.data.restoreAfterProvisioning(attempt, restoreFrom, deployedOf(attempt));
      return;
    }
    const deployed = deployedOf(attempt);
    const ready = await this.save(attempt, {
      state: LIFECYCLE.provision.success,
      observedGeneration: attempt.store.generation,
      readyAt: this.now(),
      revision: deployed.revision,
      chartVersion: deployed.chartVersion,
      failure: null,
    });
    const seconds = provisioningSeconds(ready);
    if (seconds !== null) this.options.metrics.observeProvisioned(ready.engine, seconds);
    await this.record(
      attempt,
      'store.ready',
      `Store is ready${seconds === null ? '' : ` after ${formatDuration(seconds * 1000)}`}.`,
      {
        revision: deployed.revision,
        provisioningSeconds: seconds,
      },
    );
    attempt.log.info({ provisioningSeconds: seconds }, 'store ready');
  }

  private async releaseChanged(attempt: Attempt, operation: 'upgrade' | 'rollback'): Promise<void> {
    const deployed = deployedOf(attempt);
    await this.save(attempt, {
      state: LIFECYCLE[operation].success,
      observedGeneration: attempt.store.generation,
      revision: deployed.revision,
      chartVersion: deployed.chartVersion,
      values: deployed.values,
      failure: null,
    });
    const revision = attempt.job.payload.revision;
    const done = operation === 'upgrade' ? 'Upgraded' : `Rolled back to the state of revision ${revision}`;
    const finished = operation === 'upgrade' ? 'store.upgraded' : 'store.rolled_back';
    await this.record(attempt, finished, `${done}; now at revision ${deployed.revision}.`, {
      revision: deployed.revision,
    });
  }

  private async deleted(attempt: Attempt): Promise<void> {
    const now = this.now();
    const conditions = attempt.store.conditions.map((c) => ({
      ...c,
      status: 'False' as const,
      reason: 'Deleted',
      message: 'The store was deleted.',
      lastTransitionTime: now.toISOString(),
    }));
    await this.save(attempt, {
      state: LIFECYCLE.delete.success,
      observedGeneration: attempt.store.generation,
      deletedAt: now,
      conditions,
      failure: null,
    });
    await this.options.backups.failUnfinished(
      attempt.store.id,
      'The store was deleted before this backup finished.',
    );
    await this.record(attempt, 'store.deleted', 'Store deleted; nothing of it is left in the cluster.');
    attempt.log.info('store deleted');
  }

  /** Runs one step: marks it started, runs it under the attempt's signal, marks it done. */
  private async step<T>(attempt: Attempt, step: Step, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
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
    await this.save(attempt, {
      conditions: next,
      stepTimings: {
        ...attempt.store.stepTimings,
        [step]: { startedAt: startedAt.toISOString(), finishedAt: null, durationMs: null },
      },
    });

    let result: T;
    try {
      attempt.signal.throwIfAborted();
      // Every Cluster operation honours the signal itself (a timeout, a lost lease, a newer request).
      result = await run(attempt.signal);
    } catch (error) {
      throw new StepFailed(step, error);
    }

    const finishedAt = this.now();
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    let done = attempt.store.conditions;
    const planSteps: readonly Step[] = LIFECYCLE[attempt.operation].steps;
    const laterSteps = planSteps.slice(planSteps.indexOf(step) + 1);
    for (const type of conditions) {
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
      if (current?.status === 'True' && current.lastTransitionTime >= startedAt.toISOString()) continue;
      done = setCondition(
        done,
        { type, status: 'True', reason: SUCCESS_REASON[type], message: `Done: ${STEP_TITLES[step]}.` },
        finishedAt,
      );
    }
    await this.save(attempt, {
      conditions: done,
      stepTimings: {
        ...attempt.store.stepTimings,
        [step]: { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs },
      },
    });
    this.options.metrics.observeStep(attempt.operation, step, durationMs / 1000);
    return result;
  }

  private async attemptFailed(attempt: Attempt, failure: StepFailed, timedOut: boolean): Promise<JobResult> {
    const { step } = failure;
    const description = this.describe(step, timedOut ? new AttemptTimedOut() : failure.cause);
    const { retryPolicy, metrics } = this.options;
    metrics.countStepFailure(attempt.operation, step, description.reason);
    const attemptNumber = attempt.job.attempts;
    const totalAttempts = retryPolicy.maxRetries + 1;

    let conditions = attempt.store.conditions;
    if (description.condition) {
      conditions = setCondition(
        conditions,
        {
          type: description.condition,
          status: 'False',
          reason: description.reason,
          message: description.message,
        },
        this.now(),
      );
    }
    const plan = LIFECYCLE[attempt.operation];
    const stillState = plan.running;

    if (shouldRetry(retryPolicy, attemptNumber, description.retryable)) {
      const delayMs = retryDelayMs(retryPolicy, attemptNumber, this.options.random);
      await this.save(attempt, { conditions }, [stillState]);
      const message = `Attempt ${attemptNumber} of ${totalAttempts} failed at step "${step}": ${description.message} Retrying in ${formatDuration(delayMs)}.`;
      await this.record(attempt, 'store.retry_scheduled', message, {
        step,
        reason: description.reason,
        delayMs,
      });
      attempt.log.warn({ step, reason: description.reason, delayMs }, 'attempt failed; retry scheduled');
      return { outcome: 'retry', delayMs, error: `${description.reason}: ${description.message}` };
    }

    const exhausted = description.retryable ? ` (gave up after ${attemptNumber} attempts)` : '';
    const failureMessage = `Step "${step}" failed: ${description.message}${exhausted}`;
    // Only a backup fails back to Ready (its plan says so): the failure is the backup's, not the store's.
    if (plan.failure !== 'Failed') {
      return this.data.backupFailed(attempt, conditions, failureMessage, description.reason);
    }
    await this.save(
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
      [stillState],
    );
    await this.record(attempt, 'store.failed', failureMessage, { step, reason: description.reason });
    attempt.log.error({ step, reason: description.reason }, 'store failed');
    return { outcome: 'done' };
  }

  private describe(step: Step, cause: unknown): FailureDescription {
    const stepCondition = conditionsOf(step)[0];
    if (cause instanceof AttemptTimedOut) {
      return {
        reason: 'ProvisionTimeout',
        message: `Could not ${STEP_TITLES[step]} within ${formatDuration(this.options.attemptTimeoutMs)} (PROVISION_TIMEOUT).`,
        retryable: true,
        condition: stepCondition,
      };
    }
    if (cause instanceof ClusterError) {
      return {
        reason: cause.code,
        message: cause.message,
        retryable: cause.retryable,
        condition: cause.condition ?? stepCondition,
      };
    }
    this.options.logger.error({ err: cause, step }, 'unexpected error in reconcile step');
    return {
      reason: 'InternalError',
      message: `Could not ${STEP_TITLES[step]}: an unexpected error occurred (details are in the orchestrator log).`,
      retryable: true,
      condition: stepCondition,
    };
  }

  private attemptMessage(attempt: Attempt, what: string): string {
    const total = this.options.retryPolicy.maxRetries + 1;
    return `${what} (attempt ${attempt.job.attempts} of ${total}).`;
  }

  /** Writes a change to the store, fenced by the lease; a refused write ends the attempt. */
  private async save(attempt: Attempt, patch: StorePatch, states?: readonly StoreState[]): Promise<Store> {
    const updated = await this.stores.update(
      attempt.store.id,
      patch,
      { leaseToken: attempt.job.leaseToken, states: states ?? [attempt.store.state] },
      this.now(),
    );
    if (!updated) throw new StaleAttempt();
    attempt.store = updated;
    return updated;
  }

  private async record(
    attempt: Attempt,
    type: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    await this.activity.append(
      { storeId: attempt.store.id, type, message, details: { attempt: attempt.job.attempts, ...details } },
      this.now(),
    );
  }
}

function deployedOf(attempt: Attempt): DeployedRecord {
  if (!attempt.deployed) throw new Error('the release step did not record what it deployed');
  return attempt.deployed;
}
