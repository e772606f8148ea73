// The release step of provision, upgrade and rollback: reads the release history, lets `nextAction`
// decide, and does that through the Cluster port: unlock (then look again), install, remediate,
// upgrade, roll back, or nothing when the release deployed for this generation is there already (an
// attempt resumed after a crash only waits for readiness).
import type { Logger } from 'pino';
import { type Cluster, ClusterError, type DeployedRelease, type StoreTarget } from '../cluster/port.ts';
import { nextAction, observeRelease } from '../domain/next-action.ts';
import type { DeployedRecord, Store } from '../domain/store.ts';

/** How often one attempt unlocks a release left pending before it gives up (retryable). */
const MAX_UNLOCKS = 2;

export interface ReleaseStepInput {
  cluster: Cluster;
  store: Store;
  target: StoreTarget;
  /** For a rollback: the revision to restore. */
  rollbackTo: number | undefined;
  log: Logger;
}

/** What the release now is, and whether this step deployed it (false: it was in sync already). */
export interface ReleaseStepResult {
  deployed: DeployedRecord;
  changed: boolean;
}

export async function convergeRelease(
  input: ReleaseStepInput,
  signal: AbortSignal,
): Promise<ReleaseStepResult> {
  const { cluster, store, target, log } = input;
  for (let look = 0; look <= MAX_UNLOCKS; look++) {
    const observed = observeRelease(await cluster.releaseHistory(target, signal));
    const action = nextAction({ ...store, rollbackTo: input.rollbackTo }, observed);
    log.debug({ observed, action }, 'release action');
    let deployed: DeployedRelease;
    switch (action.do) {
      case 'wait':
        // nextAction waits only when the store's record matches the deployed revision.
        return { deployed: store.deployed as DeployedRecord, changed: false };
      case 'refuse':
        throw new ClusterError(action.reason, action.message, { retryable: false });
      case 'unlock':
        log.warn({ observed }, 'unlocking a release left pending by an interrupted helm operation');
        if (action.by === 'uninstall') await cluster.uninstallRelease(target, signal);
        else await cluster.rollbackRelease(target, action.revision, signal);
        continue;
      case 'rollback':
        deployed = await cluster.rollbackRelease(target, action.revision, signal);
        break;
      default:
        deployed = await cluster.installRelease(target, signal);
    }
    return { deployed: { ...deployed, generation: store.generation }, changed: true };
  }
  throw new ClusterError('ReleaseLocked', 'The release stays locked by an interrupted helm operation.', {
    retryable: true,
  });
}
