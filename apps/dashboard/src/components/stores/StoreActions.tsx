// Retry, sleep (with confirmation), wake and Delete (with confirmation; provisioning included: the
// orchestrator stops the work in flight and removes what it created). Which ones a store offers is
// the lifecycle table's to say (refusal, and for a failed store its operation's remedies); a failed
// data operation's buttons say what they do with its data.
import { refusal, remedies, type Store } from '@storefleet/contracts';
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

export const canSleep = (store: Store) => refusal(store, 'sleep') === null;

/** An Asleep store may be woken up, and so may a failed one whose operation's remedies include waking. */
export const canWake = (store: Store) =>
  refusal(store, 'wake') === null && (store.state !== 'Failed' || remedies(store).includes('wake'));

/** What Retry and Wake are called for a failed operation that touched the data. */
function remedyLabels(store: Store) {
  const operation = store.failure?.operation;
  if (store.state === 'Failed' && (operation === 'restore' || operation === 'provision-from-backup')) {
    const retry = 'Restore the same backup again';
    const wake = 'Start the app on the data it has';
    return { retry, wake, retryAria: `${retry} (${store.name})`, wakeAria: `${wake} (${store.name})` };
  }
  return {
    retry: 'Retry',
    wake: 'Wake up',
    retryAria: `Retry ${store.name}`,
    wakeAria: `Wake up ${store.name}`,
  };
}

export function StoreActions({ store, size = 'sm' }: { store: Store; size?: 'sm' | 'md' }) {
  const [confirming, setConfirming] = useState<'delete' | 'sleep'>();
  const remove = useDeleteStore();
  const retry = useRetryStore();
  const sleep = useSleepStore();
  const wake = useWakeStore();
  const canDelete = refusal(store, 'delete') === null && store.state !== 'Deleting';
  const canRetry = refusal(store, 'retry') === null;
  const labels = remedyLabels(store);
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
            aria-label={labels.retryAria}
          >
            {labels.retry}
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
            aria-label={labels.wakeAria}
          >
            {labels.wake}
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
