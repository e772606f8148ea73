import type { ClusterScaling } from '../../cluster/port.ts';
import { LIFECYCLE } from '../../domain/lifecycle.ts';
import type { Store } from '../../domain/store.ts';
import { askUntil, type StoreProbe, servesStore } from '../../ingress/store-probe.ts';
import type { Attempt, AttemptStore } from '../attempt.ts';
import type { StepFamily } from './step-family.ts';

/** How the orchestrator reaches one store through the ingress, when it can (real pods, a known ingress). */
export interface StoreAddress {
  probe: StoreProbe;
  host: string;
  /** A path only the store's own app answers once it serves (Medusa: /storefront/config). */
  servingPath: string;
  /** What the app answers there with, when another workload of the store answers that path too. */
  servingContentType?: string;
}

export interface ScalingStepsOptions {
  scaling: ClusterScaling;
  /** Undefined: nothing can be asked through the ingress (simulated pods, INGRESS_URL unset). */
  addressOf: (store: Store) => StoreAddress | undefined;
  writes: AttemptStore;
  now: () => Date;
}

export function scalingSteps(options: ScalingStepsOptions): StepFamily {
  const { scaling, writes } = options;

  const settled = async (attempt: Attempt, operation: 'sleep' | 'wake', message: string) => {
    const patch =
      operation === 'wake' ? { conditions: attempt.store.conditions.filter((c) => c.type !== 'Asleep') } : {};
    const type = operation === 'sleep' ? 'store.asleep' : 'store.woken';
    await writes.settle(attempt, LIFECYCLE[operation].success, { type, message }, patch);
    attempt.log.info(message);
  };

  return {
    steps: {
      'scale-down': async (attempt, signal) => {
        await scaling.scaleDown(attempt.target, 'all', signal);
        await writes.markStopped(
          attempt,
          ['DatabaseReady', 'AppReady'],
          'Asleep',
          'Scaled to zero while the store sleeps.',
        );
      },
      'asleep-page': async (attempt, signal) => {
        const address = options.addressOf(attempt.store);
        if (!address) return;
        // Until the ingress drops the store's routes it answers 502 for them; then its default backend,
        // the platform, answers for the host (the asleep page; where several platforms share one ingress,
        // as tests do, another one may be behind it, so any of the platform's pages will do).
        await askUntil(address.probe, address.host, '/', (answer) => answer.platformPage !== null, signal);
      },
      'scale-up': (attempt, signal) => scaling.scaleUp(attempt.target, 'all', signal),
      serving: async (attempt, signal) => {
        const address = options.addressOf(attempt.store);
        if (!address) return;
        await askUntil(
          address.probe,
          address.host,
          address.servingPath,
          (answer) => servesStore(answer, address.servingContentType),
          signal,
        );
      },
    },
    endings: {
      sleep: (attempt) =>
        settled(
          attempt,
          'sleep',
          'The store is asleep: its workloads run no pods, and visitors get its asleep page.',
        ),
      wake: (attempt) => settled(attempt, 'wake', 'The store is awake: its storefront serves again.'),
    },
  };
}
