// The release step of provision, upgrade and rollback: reads the release history, lets `nextAction`
// decide, and does that through the Cluster port: await a helm that may still run (an attempt that
// died left it running), unlock (then look again), install, remediate, upgrade, roll back, adopt what
// a dead attempt deployed for this generation, or nothing when the release is in sync already.
import type { Logger } from 'pino';
import {
  ClusterError,
  type ClusterReleases,
  type DeployedRelease,
  type StoreTarget,
} from '../cluster/port.ts';
import { nextAction, observeRelease } from '../domain/next-action.ts';
import type { DeployedRecord, Store } from '../domain/store.ts';
import { sleep } from '../sleep.ts';

/** How often one attempt unlocks a release left pending before it gives up (retryable). */
const MAX_UNLOCKS = 2;

export interface ReleaseStepInput {
  releases: ClusterReleases;
  store: Store;
  target: StoreTarget;
  /** For a rollback: the revision to restore. */
  rollbackTo: number | undefined;
  /** helm's own timeout: a pending release younger than this may still be in a live helm's hands. */
  helmTimeoutMs: number;
  /** How long to wait between looks at a release a helm still holds. */
  pollMs?: number;
  now?: () => Date;
  log: Logger;
}

/** What the release now is, and whether this step recorded something new (false: it was in sync). */
export interface ReleaseStepResult {
  deployed: DeployedRecord;
  changed: boolean;
}

export async function convergeRelease(
  input: ReleaseStepInput,
  signal: AbortSignal,
): Promise<ReleaseStepResult> {
  const { releases, store, target, log } = input;
  const now = input.now ?? (() => new Date());
  let unlocks = 0;
  for (;;) {
    const observed = observeRelease(await releases.releaseHistory(target, signal));
    const helmRunning = observed.status === 'pending' ? await releases.helmRunning(target) : undefined;
    const action = nextAction({ ...store, rollbackTo: input.rollbackTo }, observed, {
      now: now(),
      helmTimeoutMs: input.helmTimeoutMs,
      helmRunning,
    });
    log.debug({ observed, action }, 'release action');
    let deployed: DeployedRelease;
    switch (action.do) {
      case 'wait':
        // nextAction waits only when the store's record matches the deployed revision.
        return { deployed: store.deployed as DeployedRecord, changed: false };
      case 'adopt':
        log.info({ revision: action.revision }, 'adopting the revision an interrupted attempt deployed');
        return {
          deployed: {
            revision: action.revision,
            chartVersion: action.chartVersion,
            values: store.values,
            generation: store.generation,
          },
          changed: true,
        };
      case 'await':
        log.info({ revision: action.revision }, 'a helm operation still holds the release; waiting for it');
        await sleep(input.pollMs ?? 2000, signal);
        continue;
      case 'refuse':
        throw new ClusterError(action.reason, action.message, { retryable: false });
      case 'unlock':
        if (unlocks++ >= MAX_UNLOCKS) {
          throw new ClusterError(
            'ReleaseLocked',
            'The release stays locked by an interrupted helm operation.',
            { retryable: true },
          );
        }
        log.warn({ observed }, 'unlocking a release left pending by an interrupted helm operation');
        if (action.by === 'uninstall') await releases.uninstallRelease(target, signal);
        else await releases.rollbackRelease(target, action.revision, signal);
        continue;
      case 'rollback':
        deployed = await releases.rollbackRelease(target, action.revision, signal);
        break;
      default:
        deployed = await releases.installRelease(target, signal);
    }
    return { deployed: { ...deployed, generation: store.generation }, changed: true };
  }
}
