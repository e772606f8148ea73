// Releases kept in memory like helm keeps them: every revision with its values and description, and
// the releases an interrupted helm left pending-* (locked).
import type { ReleaseRevision, StoreValues } from '@storefleet/contracts';
import {
  ClusterError,
  type ClusterReleases,
  type DeployedRelease,
  type StoreTarget,
} from '../../../src/cluster/port.ts';
import { releaseDescription } from '../../../src/domain/next-action.ts';
import { abortable, type ScriptedCalls } from './scripted-calls.ts';

/** One revision of a release: its values, its description and when it was written. */
interface Revision {
  values: StoreValues;
  description: string;
  updated: Date;
}

type PendingPhase = 'pending-install' | 'pending-upgrade' | 'pending-rollback';

export class MemoryReleases implements ClusterReleases {
  /** Each release's newest revision number. */
  readonly current = new Map<string, number>();
  /** Each revision of each release. */
  readonly revisions = new Map<string, Revision[]>();
  /** Releases a helm operation was interrupted in: their newest revision stays pending-* (locked). */
  readonly locked = new Map<string, PendingPhase>();
  /**
   * Like a helm process that outlives the worker that started it (the orchestrator was killed): an
   * install the attempt's signal interrupts is not undone; it goes on and deploys once unblocked,
   * and until then the release is pending-install.
   */
  helmOutlivesWorker = false;
  /** Installs whose helm outlives its worker and has not finished yet, by release. */
  private readonly orphans = new Set<string>();
  private readonly calls: ScriptedCalls;

  constructor(calls: ScriptedCalls) {
    this.calls = calls;
  }

  installRelease(target: StoreTarget, signal: AbortSignal): Promise<DeployedRelease> {
    if (this.helmOutlivesWorker) return this.orphanableInstall(target, signal);
    return this.calls.run('installRelease', target, signal, () => {
      if (this.locked.has(target.release)) {
        throw new ClusterError('HelmFailed', 'another operation (install/upgrade/rollback) is in progress', {
          retryable: true,
        });
      }
      return this.deploy(target.release, target.values, releaseDescription(target.generation));
    });
  }

  /**
   * An install whose helm is not stopped by the signal: the release is pending-install from the
   * start, and the revision is deployed when the install is let through, whether or not anyone still
   * waits for it.
   */
  private orphanableInstall(target: StoreTarget, signal: AbortSignal): Promise<DeployedRelease> {
    const fresh = !this.revisions.has(target.release);
    if (fresh) {
      this.revisions.set(target.release, [
        { values: target.values, description: 'Initial install underway', updated: new Date() },
      ]);
      this.current.set(target.release, 1);
      this.locked.set(target.release, 'pending-install');
    }
    this.orphans.add(target.release);
    const helm = this.calls.run('installRelease', target, new AbortController().signal, () => {
      this.orphans.delete(target.release);
      if (fresh) {
        this.revisions.get(target.release)?.pop();
        this.locked.delete(target.release);
      }
      return this.deploy(target.release, target.values, releaseDescription(target.generation));
    });
    return Promise.race([helm, abortable(signal)]);
  }

  async helmRunning(target: StoreTarget): Promise<boolean | undefined> {
    return this.orphans.has(target.release);
  }

  /** Leaves the release as a helm killed mid-operation would: a new revision, pending and locked. */
  interrupt(release: string, phase: PendingPhase): void {
    const history = this.revisions.get(release) ?? [];
    // Written long ago: no helm can still be working on it.
    history.push({
      values: history.at(-1)?.values ?? {},
      description: 'Preparing upgrade',
      updated: new Date(0),
    });
    this.revisions.set(release, history);
    this.current.set(release, history.length);
    this.locked.set(release, phase);
  }

  rollbackRelease(target: StoreTarget, revision: number, signal: AbortSignal): Promise<DeployedRelease> {
    return this.calls.run('rollbackRelease', target, signal, () => {
      const values = this.revisions.get(target.release)?.[revision - 1]?.values;
      if (!values)
        throw new ClusterError('RevisionMissing', `release has no revision ${revision}`, {
          retryable: false,
        });
      this.locked.delete(target.release);
      return this.deploy(target.release, values, `Rollback to ${revision}`);
    });
  }

  private deploy(release: string, values: StoreValues, description: string): DeployedRelease {
    const history = this.revisions.get(release) ?? [];
    history.push({ values, description, updated: new Date() });
    this.revisions.set(release, history);
    this.current.set(release, history.length);
    return { revision: history.length, chartVersion: '0.1.0', values };
  }

  async releaseHistory(target: StoreTarget): Promise<ReleaseRevision[]> {
    const history = this.revisions.get(target.release) ?? [];
    const newest = this.locked.get(target.release) ?? 'deployed';
    return history.map((revision, index) => ({
      revision: index + 1,
      status: index === history.length - 1 ? newest : 'superseded',
      chart: 'store-0.1.0',
      appVersion: '0.1.0',
      updated: revision.updated.toISOString(),
      description: revision.description,
    }));
  }

  uninstallRelease(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.calls.run('uninstallRelease', target, signal, () => {
      this.current.delete(target.release);
      this.revisions.delete(target.release);
      this.locked.delete(target.release);
    });
  }
}
