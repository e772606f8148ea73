// The store lifecycle: which state may follow which, and what each operation needs.
import type { Operation, StoreState } from '@storefleet/contracts';
import { AppError } from '../errors.ts';

const TRANSITIONS: Record<StoreState, readonly StoreState[]> = {
  Queued: ['Provisioning', 'Failed', 'Deleting'],
  Provisioning: ['Ready', 'Failed', 'Deleting'],
  Ready: ['Upgrading', 'RollingBack', 'Deleting'],
  Failed: ['Queued', 'Upgrading', 'RollingBack', 'Deleting'],
  Upgrading: ['Ready', 'Failed', 'Deleting'],
  RollingBack: ['Ready', 'Failed', 'Deleting'],
  Deleting: ['Deleted', 'Failed'],
  Deleted: [],
};

export function canTransition(from: StoreState, to: StoreState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: StoreState, to: StoreState): void {
  if (!canTransition(from, to)) {
    throw new AppError(
      'INVALID_STATE_TRANSITION',
      `A store that is ${from} cannot become ${to}.`,
      'conflict',
      {
        from,
        to,
      },
    );
  }
}

/** States in which work is under way (or owed) and must resume after a crash. */
export const IN_FLIGHT_STATES: readonly StoreState[] = [
  'Queued',
  'Provisioning',
  'Upgrading',
  'RollingBack',
  'Deleting',
];

/** States that count against store quotas: everything that holds, or may hold, cluster resources. */
export const LIVE_STATES: readonly StoreState[] = [...IN_FLIGHT_STATES, 'Ready', 'Failed'];

/** The state a store enters when an operation starts. */
export const OPERATION_STATE: Record<Operation, StoreState> = {
  provision: 'Provisioning',
  delete: 'Deleting',
  upgrade: 'Upgrading',
  rollback: 'RollingBack',
};

/** The state a store is put in when a failed operation is retried. */
export function retryState(operation: Operation): StoreState {
  return operation === 'provision' ? 'Queued' : OPERATION_STATE[operation];
}

export function assertCanRetry(state: StoreState): void {
  if (state !== 'Failed') {
    throw new AppError(
      'STORE_NOT_FAILED',
      `Only a Failed store can be retried; this store is ${state}.`,
      'conflict',
      {
        state,
      },
    );
  }
}
