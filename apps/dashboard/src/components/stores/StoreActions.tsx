// Retry (for a Failed store) and Delete with confirmation (from any state but Deleting/Deleted,
// provisioning included: the orchestrator stops the work in flight and removes what it created).
import type { Store } from '@storefleet/contracts';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useDeleteStore, useRetryStore } from '../../api/queries.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Button } from '../ui.tsx';

function deleteWarning(store: Store): string {
  if (store.state === 'Queued' || store.state === 'Provisioning') {
    return 'Provisioning stops, and everything created so far is removed.';
  }
  return 'Its namespace, Helm release, data and secrets are removed. This cannot be undone.';
}

export function StoreActions({ store, size = 'sm' }: { store: Store; size?: 'sm' | 'md' }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteStore();
  const retry = useRetryStore();
  const canDelete = store.state !== 'Deleting' && store.state !== 'Deleted';
  const canRetry = store.state === 'Failed';
  if (!canDelete && !canRetry) return null;

  return (
    <div className="flex flex-col items-start gap-1">
      <div className="flex flex-wrap gap-2">
        {canRetry ? (
          <Button
            size={size}
            busy={retry.isPending}
            onClick={() => retry.mutate(store.id)}
            aria-label={`Retry ${store.name}`}
          >
            Retry
          </Button>
        ) : null}
        {canDelete ? (
          <Button
            size={size}
            variant="dangerOutline"
            onClick={() => {
              remove.reset();
              setConfirming(true);
            }}
            aria-label={`Delete ${store.name}`}
          >
            Delete
          </Button>
        ) : null}
      </div>
      {retry.error ? (
        <p role="alert" className="text-sm text-red-700">
          {errorMessage(retry.error)}
        </p>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={`Delete “${store.name}”?`}
          confirmLabel="Delete store"
          busy={remove.isPending}
          error={remove.error ? errorMessage(remove.error) : undefined}
          onCancel={() => setConfirming(false)}
          onConfirm={() => remove.mutate(store.id, { onSuccess: () => setConfirming(false) })}
        >
          {deleteWarning(store)}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
