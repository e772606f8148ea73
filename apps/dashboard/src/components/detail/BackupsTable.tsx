// The table of a store's backups: when, what started it, its status (with progress while it runs),
// its size and duration, and the restore, new-store and delete actions of each row.
import { type Backup, type BackupList, refusal, type Store } from '@storefleet/contracts';
import { formatBytes, formatDateTime, formatDuration, formatElapsed } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import { Button, Spinner } from '../ui.tsx';

/** Whether the table lets this store be backed up now (the API answers the same). */
export const canBackUp = (store: Store) => refusal(store, 'backup') === null;
/** Whether the table lets this store be restored now. */
export const canRestore = (store: Store) => refusal(store, 'restore') === null;

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

export function BackupTable({
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
