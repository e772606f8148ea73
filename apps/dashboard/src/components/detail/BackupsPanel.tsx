// A store's backups: the list (polled while one is being made: backups have no event), "Back up
// now", restore (with confirmation: the store's data is replaced), delete, a new store from a
// backup, the backup schedule, and how much of the owner's backup quota is used.
import type { Backup, BackupList, Store } from '@storefleet/contracts';
import { type ReactNode, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import {
  backupsBusy,
  useCreateBackup,
  useDeleteBackup,
  usePlatform,
  useRestoreStore,
  useStoreBackups,
} from '../../api/queries.ts';
import { formatBytes } from '../../lib/format.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Empty, LoadError, Loading } from '../states.tsx';
import { CreateStoreForm } from '../stores/CreateStoreForm.tsx';
import { Button, Notice, Panel, Spinner } from '../ui.tsx';
import { BackupScheduleForm } from './BackupScheduleForm.tsx';

import { BackupTable, backupWhen, canBackUp } from './BackupsTable.tsx';

function BackupUsage({ usage }: { usage: BackupList['usage'] }) {
  const full = usage.bytes >= usage.quotaBytes;
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-600" data-testid="backup-usage">
        Your backups (of all your stores) take{' '}
        <strong className="tabular-nums">{formatBytes(usage.bytes)}</strong> of your{' '}
        <span className="tabular-nums">{formatBytes(usage.quotaBytes)}</span> backup quota.
      </p>
      {full ? (
        <Notice tone="warning" role="note">
          Your backup quota is used up: delete old backups before making new ones.
        </Notice>
      ) : null}
    </div>
  );
}

export function BackupsPanel({ store }: { store: Store }) {
  const backups = useStoreBackups(store);
  const platform = usePlatform();
  const create = useCreateBackup();
  const restore = useRestoreStore();
  const remove = useDeleteBackup();
  const [restoring, setRestoring] = useState<Backup>();
  const [deleting, setDeleting] = useState<Backup>();
  const [source, setSource] = useState<Backup>();
  const busy = backupsBusy(store, backups.data);

  let body: ReactNode;
  if (backups.isPending) body = <Loading what="backups" />;
  else if (backups.isError)
    body = <LoadError what="backups" error={backups.error} onRetry={() => backups.refetch()} />;
  else
    body = (
      <div className="space-y-4">
        <BackupUsage usage={backups.data.usage} />
        {backups.data.items.length === 0 ? (
          <Empty title="No backups yet">
            A backup holds the store's database, and its uploaded files where the engine has them.
          </Empty>
        ) : (
          <BackupTable
            list={backups.data}
            store={store}
            onRestore={(backup) => {
              restore.reset();
              setRestoring(backup);
            }}
            onDelete={(backup) => {
              remove.reset();
              setDeleting(backup);
            }}
            onNewStore={setSource}
          />
        )}
        {source ? (
          <CreateStoreForm
            key={source.id}
            engines={platform.data?.engines ?? []}
            fromBackup={{
              id: source.id,
              engine: source.engine,
              description: `the backup of “${store.name}” from ${backupWhen(source)}`,
            }}
            onCancel={() => setSource(undefined)}
          />
        ) : null}
        <BackupScheduleForm store={store} schedule={backups.data.schedule} />
      </div>
    );

  return (
    <Panel
      title="Backups"
      actions={
        store.state !== 'Deleted' ? (
          <Button
            size="sm"
            variant="primary"
            busy={create.isPending}
            disabled={!canBackUp(store) || busy}
            onClick={() => create.mutate(store.id)}
          >
            Back up now
          </Button>
        ) : null
      }
    >
      <div className="space-y-4">
        {store.state === 'BackingUp' ? (
          <p role="status" className="flex items-center gap-2 text-sm text-sky-800">
            <Spinner />A backup is being made; the store keeps serving meanwhile.
          </p>
        ) : !canBackUp(store) && store.state !== 'Deleted' ? (
          <p className="text-xs text-slate-500">Backups can be made while the store is Ready.</p>
        ) : null}
        {create.error ? (
          <Notice tone="error" role="alert">
            {errorMessage(create.error)}
          </Notice>
        ) : null}
        {body}
      </div>
      {restoring ? (
        <ConfirmDialog
          title={`Restore “${store.name}” from the backup of ${backupWhen(restoring)}?`}
          confirmLabel="Restore backup"
          busy={restore.isPending}
          error={restore.error ? errorMessage(restore.error) : undefined}
          onCancel={() => setRestoring(undefined)}
          onConfirm={() =>
            restore.mutate(
              { id: store.id, backupId: restoring.id },
              { onSuccess: () => setRestoring(undefined) },
            )
          }
        >
          The store's current data is replaced by the data of this backup: everything changed since{' '}
          {backupWhen(restoring)} (orders, products, customers, uploads) is lost. The store is stopped while
          it is restored. This cannot be undone; back up now first to keep the current data.
        </ConfirmDialog>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete the backup of ${backupWhen(deleting)}?`}
          confirmLabel="Delete backup"
          busy={remove.isPending}
          error={remove.error ? errorMessage(remove.error) : undefined}
          onCancel={() => setDeleting(undefined)}
          onConfirm={() =>
            remove.mutate(
              { storeId: store.id, backupId: deleting.id },
              {
                onSuccess: () => {
                  if (source?.id === deleting.id) setSource(undefined);
                  setDeleting(undefined);
                },
              },
            )
          }
        >
          The backup is removed from backup storage and can no longer be restored. This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </Panel>
  );
}
