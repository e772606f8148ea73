// The store's own family: its namespace and Secret, the readiness of its workloads (the orchestrator's
// own watches decide it, reporting each component as it happens), and its deletion.
import type { BackupRunner } from '../../backups/backup-runner.ts';
import type {
  ClusterNamespaces,
  ClusterReleases,
  ClusterSecrets,
  ClusterWorkloads,
  WorkloadProgress,
} from '../../cluster/port.ts';
import { setCondition } from '../../domain/conditions.ts';
import { LIFECYCLE } from '../../domain/lifecycle.ts';
import type { Attempt, AttemptStore } from '../attempt.ts';
import type { StepFamily } from './step-family.ts';

export interface StoreStepsOptions {
  namespaces: ClusterNamespaces;
  secrets: ClusterSecrets;
  workloads: ClusterWorkloads;
  releases: Pick<ClusterReleases, 'uninstallRelease'>;
  backups: BackupRunner;
  /** After the store is Deleted: the policy for its backups applies from now. */
  onDeleted: () => void;
  writes: AttemptStore;
  now: () => Date;
}

export function storeSteps(options: StoreStepsOptions): StepFamily {
  const { namespaces, secrets, workloads, releases, writes } = options;

  const ready = (attempt: Attempt, signal: AbortSignal): Promise<void> =>
    workloads.waitUntilReady(
      attempt.target,
      signal,
      async (progress) => {
        await writes.save(attempt, {
          conditions: setCondition(attempt.store.conditions, whileWaiting(progress), options.now()),
        });
      },
      attempt.startedAt,
    );

  return {
    steps: {
      namespace: (attempt, signal) => namespaces.ensureNamespace(attempt.target, signal),
      secrets: (attempt, signal) => secrets.ensureSecrets(attempt.target, signal),
      ready,
      'app-ready': ready,
      uninstall: (attempt, signal) => releases.uninstallRelease(attempt.target, signal),
      'namespace-delete': (attempt, signal) => namespaces.deleteNamespace(attempt.target, signal),
    },
    endings: {
      delete: async (attempt) => {
        const now = options.now();
        const conditions = attempt.store.conditions.map((c) => ({
          ...c,
          status: 'False' as const,
          reason: 'Deleted',
          message: 'The store was deleted.',
          lastTransitionTime: now.toISOString(),
        }));
        const deleted = 'Store deleted; nothing of it is left in the cluster.';
        await writes.settle(
          attempt,
          LIFECYCLE.delete.success,
          { type: 'store.deleted', message: deleted },
          { deletedAt: now, conditions },
        );
        await options.backups.failUnfinished(
          attempt.store.id,
          'The store was deleted before this backup finished.',
        );
        options.onDeleted();
        attempt.log.info('store deleted');
      },
    },
  };
}

/** Reasons of a component on its way up, with nothing wrong: no more than not there yet. */
const ON_ITS_WAY: ReadonlySet<string> = new Set(['Starting', 'SetupRunning', 'NotCreated']);

/**
 * A component's progress as the step that waits for it records it: one on its way up is in progress
 * (Unknown), not False; False is kept for a component with a problem the pods name.
 */
export function whileWaiting(progress: WorkloadProgress): WorkloadProgress {
  if (progress.status === 'True' || !ON_ITS_WAY.has(progress.reason)) return progress;
  return { ...progress, status: 'Unknown', reason: 'InProgress' };
}
