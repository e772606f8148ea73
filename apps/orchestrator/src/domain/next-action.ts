// What to do next with a store's Helm release, decided from what is asked (the store: its state, its
// generation, the release its last release step deployed) and what the cluster reports (the release
// history). Pure, in the manner of Flux's helm-controller: absent → install; locked in pending-* →
// unlock; failed → remediate; out of date → upgrade (or roll back); deployed and in sync → wait.
import type { ReleaseRevision, StoreState } from '@storefleet/contracts';
import type { DeployedRecord } from './store.ts';

/** The release as the cluster reports it. */
export type ObservedRelease =
  | { status: 'absent' }
  /** A helm operation was interrupted: the release stays locked until it is unlocked. */
  | { status: 'pending'; phase: string; revision: number; lastDeployed: number | null }
  /** The newest revision failed (or is in a state helm cannot build on). */
  | { status: 'failed'; revision: number }
  | { status: 'deployed'; revision: number };

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
  | { do: 'refuse'; reason: string; message: string };

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
    return {
      status: 'pending',
      phase: newest.status,
      revision: newest.revision,
      lastDeployed: lastDeployed?.revision ?? null,
    };
  }
  if (newest.status === 'deployed') return { status: 'deployed', revision: newest.revision };
  return { status: 'failed', revision: newest.revision };
}

/** States in which a worker changes the release, and whether it installs/upgrades or rolls back. */
const RELEASE_WORK: Partial<Record<StoreState, 'install' | 'rollback'>> = {
  Queued: 'install',
  Provisioning: 'install',
  Upgrading: 'install',
  RollingBack: 'rollback',
};

export function nextAction(store: DesiredRelease, observed: ObservedRelease): ReleaseAction {
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
  if (observed.status === 'deployed' && inSync(store, observed.revision)) return { do: 'wait' };
  if (work === 'rollback') return { do: 'rollback', revision: store.rollbackTo as number };
  return observed.status === 'failed' ? { do: 'remediate' } : { do: 'upgrade' };
}

/** The deployed revision is the one this store's latest request made. */
function inSync(store: DesiredRelease, revision: number): boolean {
  return store.deployed?.generation === store.generation && store.deployed.revision === revision;
}
