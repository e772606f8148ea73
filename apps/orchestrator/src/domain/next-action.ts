// What to do next with a store's Helm release, decided from what is asked (the store: its state, its
// generation, the release its last release step deployed) and what the cluster reports (the release
// history). Pure, in the manner of Flux's helm-controller: absent → install; locked in pending-* by a
// helm that may still run → await it, by one that cannot → unlock; failed → remediate; deployed for
// this generation by an attempt that died before recording it → adopt; out of date → upgrade (or roll
// back); deployed and in sync → wait. Every install and upgrade names the generation it was made for
// in its description, which is how a release tells the generation it belongs to.
import type { Operation, ReleaseRevision, StoreState } from '@storefleet/contracts';
import type { DeployedRecord } from './store.ts';

/** The release as the cluster reports it. */
export type ObservedRelease =
  | { status: 'absent' }
  /** A helm operation runs, or was interrupted: the release stays locked until it ends or is unlocked. */
  | { status: 'pending'; phase: string; revision: number; lastDeployed: number | null; since: Date | null }
  /** The newest revision failed (or is in a state helm cannot build on). */
  | { status: 'failed'; revision: number }
  | {
      status: 'deployed';
      revision: number;
      chartVersion: string;
      /** The generation an install or upgrade was made for (from its description); null otherwise. */
      generation: number | null;
      /** For a rollback's revision: the revision it restored. */
      rolledBackTo: number | null;
    };

/** The description every install and upgrade of the platform carries. */
export function releaseDescription(generation: number): string {
  return `Storefleet generation ${generation}`;
}

const GENERATION = /^Storefleet generation (\d+)$/;
const ROLLBACK = /^Rollback to (\d+)$/;

/**
 * Whether a pending release may still be in a live helm's hands: what this machine can tell
 * (`helmRunning`), else its age against helm's own timeout (and a margin).
 */
export interface PendingPolicy {
  now: Date;
  helmTimeoutMs: number;
  helmRunning?: boolean | undefined;
}

/** What is asked of the store's release. */
export interface DesiredRelease {
  state: StoreState;
  generation: number;
  /** The release the last release step deployed, and for which generation. */
  deployed: DeployedRecord | null;
  /** For a rollback: the revision to restore. */
  rollbackTo?: number | undefined;
}

export type ReleaseAction =
  | { do: 'install' }
  | { do: 'unlock'; by: 'uninstall' }
  | { do: 'unlock'; by: 'rollback'; revision: number }
  | { do: 'remediate' }
  | { do: 'upgrade' }
  | { do: 'rollback'; revision: number }
  | { do: 'wait' }
  | { do: 'adopt'; revision: number; chartVersion: string }
  | { do: 'await'; revision: number }
  | { do: 'refuse'; reason: 'NoReleaseWork' | 'RevisionMissing' | 'ReleaseMissing'; message: string };

/** The newest revision of a release history, and the newest one that was deployed before it. */
export function observeRelease(history: readonly ReleaseRevision[]): ObservedRelease {
  const sorted = [...history].sort((a, b) => a.revision - b.revision);
  const newest = sorted.at(-1);
  if (!newest) return { status: 'absent' };
  if (newest.status.startsWith('pending-')) {
    const lastDeployed = sorted
      .slice(0, -1)
      .filter((entry) => entry.status === 'deployed' || entry.status === 'superseded')
      .at(-1);
    const since = new Date(newest.updated);
    return {
      status: 'pending',
      phase: newest.status,
      revision: newest.revision,
      lastDeployed: lastDeployed?.revision ?? null,
      since: Number.isNaN(since.getTime()) ? null : since,
    };
  }
  if (newest.status === 'deployed') {
    return {
      status: 'deployed',
      revision: newest.revision,
      chartVersion: chartVersionOf(newest.chart),
      generation: numberIn(GENERATION, newest.description),
      rolledBackTo: numberIn(ROLLBACK, newest.description),
    };
  }
  return { status: 'failed', revision: newest.revision };
}

/** States in which a worker changes the release, and whether it installs/upgrades or rolls back. */
const RELEASE_WORK: Partial<Record<StoreState, 'install' | 'rollback'>> = {
  Queued: 'install',
  Provisioning: 'install',
  Upgrading: 'install',
  RollingBack: 'rollback',
};

export function nextAction(
  store: DesiredRelease,
  observed: ObservedRelease,
  pending?: PendingPolicy,
): ReleaseAction {
  const work = RELEASE_WORK[store.state];
  if (!work) {
    return {
      do: 'refuse',
      reason: 'NoReleaseWork',
      message: `A store that is ${store.state} has no release to change.`,
    };
  }
  if (work === 'rollback' && store.rollbackTo === undefined) {
    return { do: 'refuse', reason: 'RevisionMissing', message: 'No revision to roll back to was given.' };
  }
  if (observed.status === 'pending') {
    if (mayStillRun(observed.since, pending)) return { do: 'await', revision: observed.revision };
    // pending-install, or nothing ever deployed: only removing the release frees it.
    if (observed.phase === 'pending-install' || observed.lastDeployed === null) {
      return { do: 'unlock', by: 'uninstall' };
    }
    return { do: 'unlock', by: 'rollback', revision: observed.lastDeployed };
  }
  if (observed.status === 'absent') {
    if (work === 'rollback') {
      return {
        do: 'refuse',
        reason: 'ReleaseMissing',
        message: 'The release does not exist: there is no revision to roll back to.',
      };
    }
    return { do: 'install' };
  }
  if (observed.status === 'deployed') {
    if (inSync(store, observed.revision)) return { do: 'wait' };
    if (madeForThisRequest(store, work, observed)) {
      return { do: 'adopt', revision: observed.revision, chartVersion: observed.chartVersion };
    }
  }
  if (work === 'rollback') return { do: 'rollback', revision: store.rollbackTo as number };
  return observed.status === 'failed' ? { do: 'remediate' } : { do: 'upgrade' };
}

/**
 * A revision an attempt deployed but died before recording: an install or upgrade that names this
 * generation, or a rollback to the asked revision that is newer than anything recorded.
 */
function madeForThisRequest(
  store: DesiredRelease,
  work: 'install' | 'rollback',
  observed: Extract<ObservedRelease, { status: 'deployed' }>,
): boolean {
  if (work === 'install') return observed.generation === store.generation;
  return (
    observed.rolledBackTo !== null &&
    observed.rolledBackTo === store.rollbackTo &&
    observed.revision > (store.deployed?.revision ?? 0)
  );
}

/** A pending release younger than helm's own timeout (and a margin) may still be in helm's hands. */
function mayStillRun(since: Date | null, pending: PendingPolicy | undefined): boolean {
  if (!pending) return false;
  if (pending.helmRunning !== undefined) return pending.helmRunning;
  if (!since) return false;
  return pending.now.getTime() - since.getTime() < pending.helmTimeoutMs + 30_000;
}

function numberIn(pattern: RegExp, text: string): number | null {
  const match = pattern.exec(text.trim());
  return match ? Number(match[1]) : null;
}

/** helm's `chart` column is `<name>-<version>`; the version starts after the last dash before a digit. */
function chartVersionOf(chart: string): string {
  const match = /-(\d[^-]*(?:-[^-]+)*)$/.exec(chart);
  return match?.[1] ?? '';
}

/** The deployed revision is the one this store's latest request made. */
function inSync(store: DesiredRelease, revision: number): boolean {
  return store.deployed?.generation === store.generation && store.deployed.revision === revision;
}

/** What undoes a release change whose workloads never became ready. */
export type ReleaseRemedy = { do: 'uninstall' } | { do: 'rollback'; revision: number };

/**
 * After the last attempt of an operation failed waiting for the workloads its release change made:
 * a first install is removed and an upgrade is rolled back to the revision the store ran before, as
 * helm's own `--rollback-on-failure` did when it decided readiness. Nothing for other failures.
 */
export function remedyForUnreadyRelease(
  operation: Operation,
  failedStep: string,
  store: { revision: number | null },
): ReleaseRemedy | undefined {
  if (failedStep !== 'ready') return undefined;
  if (operation === 'provision' || operation === 'provision-from-backup') return { do: 'uninstall' };
  if (operation === 'upgrade' && store.revision !== null) return { do: 'rollback', revision: store.revision };
  return undefined;
}
