// The release family: the release, upgrade and rollback steps (nextAction over the release history,
// done through the Cluster's releases), and how provision, upgrade and rollback end.
import type { ClusterReleases } from '../../cluster/port.ts';
import { LIFECYCLE } from '../../domain/lifecycle.ts';
import { type DeployedRecord, provisioningSeconds } from '../../domain/store.ts';
import { formatDuration } from '../../duration.ts';
import type { ReconcileMetrics } from '../../observability/metrics.ts';
import type { Attempt, AttemptStore } from '../attempt.ts';
import { convergeRelease } from '../release-step.ts';
import type { StepFamily } from './step-family.ts';

export interface ReleaseStepsOptions {
  releases: ClusterReleases;
  writes: AttemptStore;
  metrics: ReconcileMetrics;
  /** helm's own timeout (a pending release younger than it may still be in a live helm's hands). */
  helmTimeoutMs: number;
  now: () => Date;
}

export function releaseSteps(options: ReleaseStepsOptions): StepFamily {
  const { writes } = options;

  /** Converge the release, and remember what it deployed for this generation. */
  const converge = async (attempt: Attempt, signal: AbortSignal): Promise<void> => {
    const { deployed, changed } = await convergeRelease(
      {
        releases: options.releases,
        store: attempt.store,
        target: attempt.target,
        rollbackTo: 'revision' in attempt.payload ? attempt.payload.revision : undefined,
        helmTimeoutMs: options.helmTimeoutMs,
        now: options.now,
        log: attempt.log,
      },
      signal,
    );
    attempt.deployed = deployed;
    if (changed) await writes.save(attempt, { deployed });
  };

  const provisioned = async (attempt: Attempt): Promise<void> => {
    const deployed = deployedOf(attempt);
    const readyAt = options.now();
    const seconds = provisioningSeconds({ ...attempt.store, readyAt });
    const after = seconds === null ? '' : ` after ${formatDuration(seconds * 1000)}`;
    const ready = await writes.settle(
      attempt,
      LIFECYCLE.provision.success,
      {
        type: 'store.ready',
        message: `Store is ready${after}.`,
        details: { revision: deployed.revision, provisioningSeconds: seconds },
      },
      { readyAt, revision: deployed.revision, chartVersion: deployed.chartVersion },
    );
    if (seconds !== null) options.metrics.observeProvisioned(ready.engine, seconds);
    attempt.log.info({ provisioningSeconds: seconds }, 'store ready');
  };

  const releaseChanged = async (attempt: Attempt, operation: 'upgrade' | 'rollback'): Promise<void> => {
    const deployed = deployedOf(attempt);
    const done =
      operation === 'upgrade'
        ? 'Upgraded'
        : `Rolled back to the state of revision ${'revision' in attempt.payload ? attempt.payload.revision : '?'}`;
    await writes.settle(
      attempt,
      LIFECYCLE[operation].success,
      {
        type: operation === 'upgrade' ? 'store.upgraded' : 'store.rolled_back',
        message: `${done}; now at revision ${deployed.revision}.`,
        details: { revision: deployed.revision },
      },
      { revision: deployed.revision, chartVersion: deployed.chartVersion, values: deployed.values },
    );
  };

  return {
    steps: { release: converge, upgrade: converge, rollback: converge },
    endings: {
      provision: provisioned,
      upgrade: (attempt) => releaseChanged(attempt, 'upgrade'),
      rollback: (attempt) => releaseChanged(attempt, 'rollback'),
    },
  };
}

/** What the release step of this attempt deployed (a plan's ending runs after its release step). */
export function deployedOf(attempt: Attempt): DeployedRecord {
  if (attempt.deployed) return attempt.deployed;
  if (attempt.store.deployed?.generation === attempt.store.generation) return attempt.store.deployed;
  throw new Error('the release step did not record what it deployed');
}
