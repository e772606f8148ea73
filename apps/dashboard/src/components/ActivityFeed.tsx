import type { ActivityEntry } from '@storefleet/contracts';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { useNow } from '../lib/useNow.ts';
import { Link } from '../router/router.tsx';

const TONE: Record<string, string> = {
  'store.failed': 'bg-red-500',
  'store.retry_scheduled': 'bg-amber-500',
  'store.ready': 'bg-emerald-500',
  'store.upgraded': 'bg-emerald-500',
  'store.rolled_back': 'bg-emerald-500',
  'store.deleted': 'bg-slate-400',
};

/** Activity entries, newest first; `storeNames` links each entry to its store when given. */
export function ActivityFeed({
  entries,
  storeNames,
  label,
}: {
  entries: ActivityEntry[];
  storeNames?: Map<string, string>;
  label: string;
}) {
  const now = useNow(15_000);
  return (
    <ol aria-label={label} className="space-y-3">
      {entries.map((entry) => {
        const storeName = entry.storeId ? storeNames?.get(entry.storeId) : undefined;
        return (
          <li key={entry.id} className="flex gap-3 text-sm">
            <span
              aria-hidden="true"
              className={`mt-1.5 size-2 shrink-0 rounded-full ${TONE[entry.type] ?? 'bg-sky-400'}`}
            />
            <div className="min-w-0">
              <p className="break-words text-slate-800">
                {storeName && entry.storeId ? (
                  <>
                    <Link
                      to={`/stores/${entry.storeId}`}
                      className="font-medium text-indigo-700 hover:underline"
                    >
                      {storeName}
                    </Link>
                    {': '}
                  </>
                ) : null}
                {entry.message}
              </p>
              <time
                dateTime={entry.createdAt}
                title={formatDateTime(entry.createdAt)}
                className="text-xs text-slate-500"
              >
                {formatRelative(entry.createdAt, now)}
              </time>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
