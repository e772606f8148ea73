// Runs jobs from the work queue: a few concurrent slots per process, each claiming a job, keeping its
// lease alive while the handler works, and settling the job from the handler's result.
import type { Logger } from 'pino';
import type { QueuedJob, WorkQueue } from './work-queue.ts';

/** A job is done, or is to be run again after `delayMs` (a failed attempt says why in `error`). */
export type JobResult = { outcome: 'done' } | { outcome: 'retry'; delayMs: number; error: string | null };
/** Runs a job of any kind: a store operation, or a step of a fleet upgrade run. */
export type JobHandler = (job: QueuedJob, signal: AbortSignal) => Promise<JobResult>;

/** Why a running job was interrupted; the handler's signal carries it as `reason`. */
export class JobInterrupted extends Error {
  readonly kind: 'superseded' | 'lost' | 'shutdown' | 'killed';

  constructor(kind: JobInterrupted['kind']) {
    super(`job interrupted: ${kind}`);
    this.name = 'JobInterrupted';
    this.kind = kind;
  }
}

export interface WorkerOptions {
  queue: WorkQueue;
  handler: JobHandler;
  workerId: string;
  concurrency: number;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  /** Delay before retrying a job whose handler threw instead of returning a result. */
  crashRetryDelayMs: number;
  logger: Logger;
}

interface Running {
  job: QueuedJob;
  controller: AbortController;
}

export class Worker {
  private stopping = false;
  private killed = false;
  private loops: Promise<void>[] = [];
  private readonly running = new Set<Running>();
  private wakeWaiters: (() => void)[] = [];

  private readonly options: WorkerOptions;

  constructor(options: WorkerOptions) {
    this.options = options;
  }

  get id(): string {
    return this.options.workerId;
  }

  start(): void {
    for (let slot = 0; slot < this.options.concurrency; slot++) this.loops.push(this.loop());
  }

  /** New work may be due: stop idling now rather than at the next poll. */
  wake(): void {
    const waiters = this.wakeWaiters;
    this.wakeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Graceful stop: interrupts running jobs and hands their leases back so another worker resumes them. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const entry of this.running) entry.controller.abort(new JobInterrupted('shutdown'));
    this.wake();
    await Promise.all(this.loops);
  }

  /** Stops as if the process died: nothing more is written; leases run out on their own. For tests. */
  kill(): void {
    this.killed = true;
    this.stopping = true;
    for (const entry of this.running) entry.controller.abort(new JobInterrupted('killed'));
    this.wake();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let job: QueuedJob | undefined;
      try {
        job = await this.options.queue.claim(this.options.workerId);
      } catch (error) {
        if (this.stopping) return;
        this.options.logger.error({ err: error }, 'claiming work failed');
      }
      if (this.stopping) {
        if (job && !this.killed) await this.options.queue.release(job).catch(() => {});
        return;
      }
      if (job) await this.run(job);
      else await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.options.pollIntervalMs);
      this.wakeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async run(job: QueuedJob): Promise<void> {
    const { queue, logger } = this.options;
    const subject = 'storeId' in job ? { storeId: job.storeId } : { fleetUpgrade: job.fleetUpgradeId };
    const log = logger.child({ ...subject, job: job.kind, attempt: job.attempts });
    const entry: Running = { job, controller: new AbortController() };
    this.running.add(entry);
    const heartbeat = setInterval(() => {
      // A killed process renews nothing, even while a handler of its is still running.
      if (this.killed) return;
      queue.heartbeat(job).then(
        (status) => {
          if (status !== 'held') entry.controller.abort(new JobInterrupted(status));
        },
        (error: unknown) => log.warn({ err: error }, 'lease heartbeat failed'),
      );
    }, this.options.heartbeatIntervalMs);
    try {
      const result = await this.options.handler(job, entry.controller.signal);
      if (this.killed) return;
      const interruption = interruptionOf(entry.controller.signal);
      if (interruption) await this.settleInterrupted(job, interruption);
      else if (result.outcome === 'done') await queue.complete(job);
      else await queue.retryLater(job, result.delayMs, result.error);
    } catch (error) {
      if (this.killed) return;
      const interruption = interruptionOf(entry.controller.signal);
      if (interruption) {
        await this.settleInterrupted(job, interruption);
      } else {
        log.error({ err: error }, 'job handler failed unexpectedly; retrying later');
        await queue.retryLater(job, this.options.crashRetryDelayMs, 'internal error').catch(() => {});
      }
    } finally {
      clearInterval(heartbeat);
      this.running.delete(entry);
    }
  }

  private async settleInterrupted(job: QueuedJob, cause: JobInterrupted['kind']): Promise<void> {
    // superseded: complete() keeps the newer request and frees it; lost: the job is someone else's.
    if (cause === 'superseded') await this.options.queue.complete(job);
    else if (cause === 'shutdown') await this.options.queue.release(job);
  }
}

function interruptionOf(signal: AbortSignal): JobInterrupted['kind'] | undefined {
  return signal.aborted && signal.reason instanceof JobInterrupted ? signal.reason.kind : undefined;
}
