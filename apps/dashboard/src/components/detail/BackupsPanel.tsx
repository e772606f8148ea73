// A store's backups: the list (polled while one is being made: backups have no event), "Back up
// now", restore (with confirmation: the store's data is replaced), delete, a new store from a
// backup, the backup schedule, and how much of the owner's backup quota is used.
import { type Backup, type BackupList, LIFECYCLE, type Store, type StoreState } from '@storefleet/contracts';
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
import { formatBytes, formatDateTime, formatDuration, formatElapsed } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Empty, LoadError, Loading } from '../states.tsx';
import { CreateStoreForm } from '../stores/CreateStoreForm.tsx';
import { Button, Notice, Panel, Spinner } from '../ui.tsx';
import { BackupScheduleForm } from './BackupScheduleForm.tsx';

const BACKUP_FROM: readonly StoreState[] = LIFECYCLE.backup.from;
/** Restoring from Provisioning is the API's own step of a store created from a backup, not a request. */
const RESTORE_FROM: readonly StoreState[] = LIFECYCLE.restore.from.filter(
  (state) => state !== 'Provisioning',
);

export const canBackUp = (store: Store) => BACKUP_FROM.includes(store.state);
export const canRestore = (store: Store) => RESTORE_FROM.includes(store.state);

/** Which backup, in words a button or dialog can name it by. */
export const backupWhen = (backup: Backup) => formatDateTime(backup.createdAt);

const COLUMNS = ['Time', 'Trigger', 'Status', 'Size', 'Duration'] as const;

const PART_WORDS = { database: 'database', files: 'files' } as const;

function BackupStatus({ backup, now }: { backup: Backup; now: number }) {
  switch (backup.status) {
    case 'pending':
      return (
        <span className="inline-flex items-center gap-1.5 text-sky-800">
          <Spinner />
          Waiting to start
        </span>
      );
    case 'running':
      return (
        <span className="inline-flex items-center gap-1.5 text-sky-800">
          <Spinner />
          Running
          {backup.startedAt ? (
            <span className="text-xs tabular-nums text-slate-500">
              · {formatElapsed(now - new Date(backup.startedAt).getTime())}
            </span>
          ) : null}
        </span>
      );
    case 'succeeded':
      return <span className="font-medium text-emerald-800">Succeeded</span>;
    case 'failed':
      return (
        <span className="block">
          <span className="font-medium text-red-800">Failed</span>
          {backup.failure ? <span className="block text-sm text-red-700">{backup.failure}</span> : null}
        </span>
      );
  }
}

function BackupRow({
  backup,
  store,
  now,
  onRestore,
  onDelete,
  onNewStore,
}: {
  backup: Backup;
  store: Store;
  now: number;
  onRestore: () => void;
  onDelete: () => void;
  onNewStore: () => void;
}) {
  const when = backupWhen(backup);
  const succeeded = backup.status === 'succeeded';
  const finished = succeeded || backup.status === 'failed';
  return (
    <tr
      className="border-t border-slate-100 align-top"
      data-backup-id={backup.id}
      data-status={backup.status}
    >
      <td className="py-2 pr-3">
        <time dateTime={backup.createdAt} className="whitespace-nowrap">
          {when}
        </time>
      </td>
      <td className="py-2 pr-3">{backup.trigger === 'schedule' ? 'Scheduled' : 'Manual'}</td>
      <td className="py-2 pr-3">
        <BackupStatus backup={backup} now={now} />
      </td>
      <td className="whitespace-nowrap py-2 pr-3 tabular-nums">
        {backup.sizeBytes !== null ? formatBytes(backup.sizeBytes) : '—'}
        {backup.parts.length > 0 ? (
          <span className="block text-xs text-slate-500">
            {backup.parts.map((part) => PART_WORDS[part]).join(' + ')}
          </span>
        ) : null}
      </td>
      <td className="whitespace-nowrap py-2 pr-3 tabular-nums">
        {backup.durationMs !== null ? formatDuration(backup.durationMs) : '—'}
      </td>
      <td className="py-2 text-right">
        <div className="flex flex-wrap justify-end gap-2 lg:flex-nowrap">
          {succeeded ? (
            <>
              <Button
                size="sm"
                disabled={!canRestore(store)}
                onClick={onRestore}
                aria-label={`Restore the backup of ${when}`}
              >
                Restore
              </Button>
              <Button size="sm" onClick={onNewStore} aria-label={`New store from the backup of ${when}`}>
                New store from this backup
              </Button>
            </>
          ) : null}
          {finished ? (
            <Button
              size="sm"
              variant="dangerOutline"
              onClick={onDelete}
              aria-label={`Delete the backup of ${when}`}
            >
              Delete
            </Button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

function BackupTable({
  list,
  store,
  onRestore,
  onDelete,
  onNewStore,
}: {
  list: BackupList;
  store: Store;
  onRestore: (backup: Backup) => void;
  onDelete: (backup: Backup) => void;
  onNewStore: (backup: Backup) => void;
}) {
  const running = list.items.some((backup) => backup.status === 'running');
  const now = useNow(1_000, running);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Backups</caption>
        <thead>
          <tr className="text-xs uppercase text-slate-500">
            {COLUMNS.map((column) => (
              <th key={column} scope="col" className="pb-1 pr-3">
                {column}
              </th>
            ))}
            <th scope="col" className="pb-1">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((backup) => (
            <BackupRow
              key={backup.id}
              backup={backup}
              store={store}
              now={now}
              onRestore={() => onRestore(backup)}
              onDelete={() => onDelete(backup)}
              onNewStore={() => onNewStore(backup)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

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
