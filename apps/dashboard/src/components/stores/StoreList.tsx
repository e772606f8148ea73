// The stores as a table; on a phone-width screen each row becomes a card with labelled fields.
import type { Store } from '@storefleet/contracts';
import type { ReactNode } from 'react';
import { formatDateTime, formatElapsed, formatRelative, formatSeconds } from '../../lib/format.ts';
import { IN_FLIGHT } from '../../lib/progress.ts';
import { useNow } from '../../lib/useNow.ts';
import { Link } from '../../router/router.tsx';
import { ProgressSummary } from '../progress/ProgressSummary.tsx';
import { StatusBadge } from '../StatusBadge.tsx';
import { ENGINE_NAMES } from './CreateStoreForm.tsx';
import { StoreActions } from './StoreActions.tsx';
import { StoreLinks } from './StoreLinks.tsx';

const COLUMNS = ['Store', 'Engine', 'Status', 'Links', 'Created', 'Provisioning', 'Actions'] as const;

function Cell({
  label,
  children,
  className = '',
}: {
  label: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <td className={`flex gap-2 px-1 py-1 align-top md:table-cell md:px-3 md:py-3 ${className}`}>
      <span
        aria-hidden="true"
        className="w-28 shrink-0 text-xs font-medium uppercase text-slate-500 md:hidden"
      >
        {label}
      </span>
      <div className="min-w-0">{children}</div>
    </td>
  );
}

function ProvisioningTime({ store, now }: { store: Store; now: number }) {
  if (store.provisioningSeconds !== null) return <>{formatSeconds(store.provisioningSeconds)}</>;
  if (store.state === 'Queued' || store.state === 'Provisioning') {
    return (
      <span className="text-slate-600">
        {formatElapsed(now - new Date(store.createdAt).getTime())} so far
      </span>
    );
  }
  return <span className="text-slate-400">—</span>;
}

function StoreRow({ store, now }: { store: Store; now: number }) {
  return (
    <tr
      data-store-id={store.id}
      className="block rounded-lg border border-slate-200 bg-white p-3 shadow-sm md:table-row md:rounded-none md:border-0 md:border-t md:p-0 md:shadow-none"
    >
      <Cell label="Store">
        <Link to={`/stores/${store.id}`} className="font-semibold text-indigo-700 hover:underline">
          {store.name}
        </Link>
        <div className="text-xs text-slate-500">{store.slug}</div>
      </Cell>
      <Cell label="Engine">{ENGINE_NAMES[store.engine]}</Cell>
      <Cell label="Status" className="md:w-72">
        <div className="space-y-1">
          <StatusBadge state={store.state} />
          <ProgressSummary store={store} />
        </div>
      </Cell>
      <Cell label="Links">
        <StoreLinks store={store} />
      </Cell>
      <Cell label="Created">
        <time
          dateTime={store.createdAt}
          title={formatDateTime(store.createdAt)}
          className="whitespace-nowrap"
        >
          {formatRelative(store.createdAt, now)}
        </time>
      </Cell>
      <Cell label="Provisioning">
        <span className="whitespace-nowrap tabular-nums">
          <ProvisioningTime store={store} now={now} />
        </span>
      </Cell>
      <Cell label="Actions">
        <StoreActions store={store} />
      </Cell>
    </tr>
  );
}

export function StoreList({ stores }: { stores: Store[] }) {
  // Elapsed times tick every second while something is in flight; relative times need less.
  const busy = stores.some((store) => IN_FLIGHT.has(store.state));
  const now = useNow(busy ? 1_000 : 30_000);
  return (
    <table className="block w-full text-sm md:table md:rounded-lg md:border md:border-slate-200 md:bg-white md:shadow-sm">
      <caption className="sr-only">Stores</caption>
      <thead className="hidden md:table-header-group">
        <tr className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          {COLUMNS.map((column) => (
            <th key={column} scope="col" className="px-3 py-2">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="flex flex-col gap-3 md:table-row-group">
        {stores.map((store) => (
          <StoreRow key={store.id} store={store} now={now} />
        ))}
      </tbody>
    </table>
  );
}
