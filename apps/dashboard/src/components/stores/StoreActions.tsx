// Retry (for a Failed store), sleep (a Ready store, with confirmation) and wake (an Asleep store, or
// one whose sleep or wake failed), and Delete with confirmation (from any state but
// Deleting/Deleted, provisioning included: the orchestrator stops the work in flight and removes
// what it created).
import { LIFECYCLE, type Store } from '@storefleet/contracts';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useDeleteStore, useRetryStore, useSleepStore, useWakeStore } from '../../api/queries.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Button } from '../ui.tsx';

function deleteWarning(store: Store): string {
  if (store.state === 'Queued' || store.state === 'Provisioning') {
    return 'Provisioning stops, and everything created so far is removed.';
  }
  return 'Its namespace, Helm release, data and secrets are removed. This cannot be undone.';
}

const SLEEP_FROM: readonly Store['state'][] = LIFECYCLE.sleep.from;
const WAKE_FROM: readonly Store['state'][] = LIFECYCLE.wake.from;

/** A Ready store may be put to sleep. */
export const canSleep = (store: Store) => SLEEP_FROM.includes(store.state);

/** An Asleep store may be woken up, and so may one whose sleep or wake failed. */
export const canWake = (store: Store) =>
  WAKE_FROM.includes(store.state) &&
  (store.state !== 'Failed' || store.failure?.operation === 'sleep' || store.failure?.operation === 'wake');

export function StoreActions({ store, size = 'sm' }: { store: Store; size?: 'sm' | 'md' }) {
  const [confirming, setConfirming] = useState<'delete' | 'sleep'>();
  const remove = useDeleteStore();
  const retry = useRetryStore();
  const sleep = useSleepStore();
  const wake = useWakeStore();
  const canDelete = store.state !== 'Deleting' && store.state !== 'Deleted';
  const canRetry = store.state === 'Failed';
  const sleepable = canSleep(store);
  const wakeable = canWake(store);
  if (!canDelete && !canRetry && !sleepable && !wakeable) return null;
  const error = retry.error ?? wake.error;

  return (
    <div className="flex flex-col items-start gap-1">
      <div className="flex flex-wrap gap-2">
        {canRetry ? (
          <Button
            size={size}
            busy={retry.isPending}
            onClick={() => {
              wake.reset();
              retry.mutate(store.id);
            }}
            aria-label={`Retry ${store.name}`}
          >
            Retry
          </Button>
        ) : null}
        {wakeable ? (
          <Button
            size={size}
            variant={store.state === 'Asleep' ? 'primary' : 'secondary'}
            busy={wake.isPending}
            onClick={() => {
              retry.reset();
              wake.mutate(store.id);
            }}
            aria-label={`Wake up ${store.name}`}
          >
            Wake up
          </Button>
        ) : null}
        {sleepable ? (
          <Button
            size={size}
            onClick={() => {
              sleep.reset();
              setConfirming('sleep');
            }}
            aria-label={`Put ${store.name} to sleep`}
          >
            Put to sleep
          </Button>
        ) : null}
        {canDelete ? (
          <Button
            size={size}
            variant="dangerOutline"
            onClick={() => {
              remove.reset();
              setConfirming('delete');
            }}
            aria-label={`Delete ${store.name}`}
          >
            Delete
          </Button>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {errorMessage(error)}
        </p>
      ) : null}
      {confirming === 'delete' ? (
        <ConfirmDialog
          title={`Delete “${store.name}”?`}
          confirmLabel="Delete store"
          busy={remove.isPending}
          error={remove.error ? errorMessage(remove.error) : undefined}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => remove.mutate(store.id, { onSuccess: () => setConfirming(undefined) })}
        >
          {deleteWarning(store)}
        </ConfirmDialog>
      ) : null}
      {confirming === 'sleep' ? (
        <ConfirmDialog
          title={`Put “${store.name}” to sleep?`}
          confirmLabel="Put to sleep"
          busy={sleep.isPending}
          error={sleep.error ? errorMessage(sleep.error) : undefined}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => sleep.mutate(store.id, { onSuccess: () => setConfirming(undefined) })}
        >
          Its workloads are scaled down to zero; its data is kept. Until it is woken up (here, or with the
          button on that page), shoppers who open its address see a page saying the store is asleep, and its
          admin is unavailable.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
