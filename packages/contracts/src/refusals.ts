// Whether a store may be asked for an operation now, and if not, the refusal the API answers with.
// Derived from the lifecycle table only: the API's guards and the dashboard's buttons both call
// `refusal`, so they cannot disagree.
import type { ErrorCode } from './errors.ts';
import { IN_FLIGHT_STATES, LIFECYCLE, type OperationPlan, type Remedy } from './lifecycle.ts';
import type { Operation, Store, StoreState } from './store.ts';

/**
 * What a person (or the fleet upgrader) may ask of a store: an operation, a retry of the failed one,
 * or its admin login.
 */
export type StoreRequest =
  | Exclude<Operation, 'provision' | 'provision-from-backup'>
  | 'retry'
  | 'credentials';

export interface Refusal {
  code: ErrorCode;
  message: string;
}

type StoreFacts = Pick<Store, 'state' | 'failure' | 'revision' | 'stepTimings'>;

const PLANS: Record<Operation, OperationPlan> = LIFECYCLE;

/** Requests that change or restore a release that must exist. */
const NEEDS_RELEASE: ReadonlySet<StoreRequest> = new Set(['upgrade', 'rollback', 'restore']);

/** Why the store cannot be asked for `request` now; null when it can. */
export function refusal(store: StoreFacts, request: StoreRequest): Refusal | null {
  if (request === 'credentials') return credentialsRefusal(store);
  if (store.state === 'Deleted' || (store.state === 'Deleting' && request !== 'delete')) {
    return {
      code: 'STORE_DELETED',
      message: `The store is ${store.state}; nothing more can be asked of it.`,
    };
  }
  if (request === 'retry') return retryRefusal(store);
  const plan = PLANS[request];
  if (request === 'wake' && store.state === 'Failed' && !remedies(store).includes('wake')) {
    return {
      code: 'STORE_NOT_ASLEEP',
      message: `Only an Asleep store, or one whose ${failedWhat(store)} left its app stopped, can be woken.`,
    };
  }
  if (NEEDS_RELEASE.has(request) && store.revision === null && store.state !== 'Deleting') {
    return {
      code: 'STORE_NOT_DEPLOYED',
      message:
        request === 'restore'
          ? 'This store was never deployed; create a new store from the backup instead.'
          : `The store was never deployed, so it cannot be ${request === 'upgrade' ? 'upgraded' : 'rolled back'}; retry or delete it.`,
    };
  }
  if (plan.from.includes(store.state) || (request === 'delete' && store.state === 'Deleting')) return null;
  if (IN_FLIGHT_STATES.includes(store.state)) {
    return {
      code: 'STORE_BUSY',
      message: `The store is ${store.state}; wait until that has finished, then ask to ${request} again.`,
    };
  }
  if (request === 'wake') {
    return {
      code: 'STORE_NOT_ASLEEP',
      message: `Only an Asleep store can be woken; this store is ${store.state}.`,
    };
  }
  return {
    code: 'STORE_NOT_READY',
    message: `A store must be ${plan.from.join(' or ')} to ${request}; this store is ${store.state}.`,
  };
}

/** What the dashboard offers for a failed store: its failed operation's remedies. */
export function remedies(store: Pick<Store, 'state' | 'failure'>): readonly Remedy[] {
  if (store.state !== 'Failed') return [];
  return PLANS[store.failure?.operation ?? 'provision'].remedies;
}

function retryRefusal(store: StoreFacts): Refusal | null {
  if (store.state !== 'Failed') {
    return {
      code: 'STORE_NOT_FAILED',
      message: `Only a Failed store can be retried; this store is ${store.state}.`,
    };
  }
  const plan = PLANS[store.failure?.operation ?? 'provision'];
  if (!plan.retry.fromFailed) {
    return {
      code: 'STORE_NOT_RETRYABLE',
      message: `A failed ${plan.operation} is not retried; ask for it again.`,
    };
  }
  return null;
}

/** The admin login lives in the store's Secret: there is one once a secrets step finished. */
function credentialsRefusal(store: StoreFacts): Refusal | null {
  const written = Object.values(store.stepTimings).some((steps) => Boolean(steps?.secrets?.finishedAt));
  if (written && store.state !== 'Deleting' && store.state !== 'Deleted') return null;
  const why = written ? '' : ' and its secrets were never written';
  return {
    code: 'CREDENTIALS_UNAVAILABLE',
    message: `This store has no admin credentials to show (it is ${store.state}${why}).`,
  };
}

function failedWhat(store: StoreFacts): string {
  return store.failure ? `failed ${store.failure.operation}` : 'failure';
}

/** The states a request may start from, as the table says (for documentation and tests). */
export function requestStates(request: Exclude<StoreRequest, 'credentials'>): readonly StoreState[] {
  return request === 'retry' ? ['Failed'] : PLANS[request].from;
}

/** Every code `refusal` may answer `request` with (the API documents them per route). */
export function refusalCodes(request: StoreRequest): ErrorCode[] {
  if (request === 'credentials') return ['CREDENTIALS_UNAVAILABLE'];
  if (request === 'retry') return ['STORE_DELETED', 'STORE_NOT_FAILED', 'STORE_NOT_RETRYABLE'];
  return [
    'STORE_DELETED',
    'STORE_BUSY',
    request === 'wake' ? 'STORE_NOT_ASLEEP' : 'STORE_NOT_READY',
    ...(NEEDS_RELEASE.has(request) ? (['STORE_NOT_DEPLOYED'] as const) : []),
  ];
}
