// The stores as a table; on a phone-width screen each row becomes a card with labelled fields.
import type { Store } from '@storefleet/contracts';
import { formatDateTime, formatElapsed, formatRelative, formatSeconds } from '../../lib/format.ts';
import { IN_FLIGHT } from '../../lib/progress.ts';
import { useNow } from '../../lib/useNow.ts';
import { Link } from '../../router/router.tsx';
import { CardCell, CardRow, CardTable } from '../CardTable.tsx';
import { ProgressSummary } from '../progress/ProgressSummary.tsx';
import { StatusBadge } from '../StatusBadge.tsx';
import { EngineName } from './EngineName.tsx';
import { StoreActions } from './StoreActions.tsx';
import { StoreLinks } from './StoreLinks.tsx';

const COLUMNS = ['Store', 'Engine', 'Status', 'Links', 'Created', 'Provisioning', 'Actions'] as const;

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
    <CardRow data-store-id={store.id}>
      <CardCell label="Store">
        <Link to={`/stores/${store.id}`} className="font-semibold text-indigo-700 hover:underline">
          {store.name}
        </Link>
        <div className="text-xs text-slate-500">{store.slug}</div>
      </CardCell>
      <CardCell label="Engine">
        <EngineName engine={store.engine} />
      </CardCell>
      <CardCell label="Status" className="md:w-72">
        <div className="space-y-1">
          <StatusBadge state={store.state} />
          <ProgressSummary store={store} />
        </div>
      </CardCell>
      <CardCell label="Links">
        <StoreLinks store={store} />
      </CardCell>
      <CardCell label="Created">
        <time
          dateTime={store.createdAt}
          title={formatDateTime(store.createdAt)}
          className="whitespace-nowrap"
        >
          {formatRelative(store.createdAt, now)}
        </time>
      </CardCell>
      <CardCell label="Provisioning">
        <span className="whitespace-nowrap tabular-nums">
          <ProvisioningTime store={store} now={now} />
        </span>
      </CardCell>
      <CardCell label="Actions">
        <StoreActions store={store} />
      </CardCell>
    </CardRow>
  );
}

export function StoreList({ stores }: { stores: Store[] }) {
  // Elapsed times tick every second while something is in flight; relative times need less.
  const busy = stores.some((store) => IN_FLIGHT.has(store.state));
  const now = useNow(busy ? 1_000 : 30_000);
  return (
    <CardTable caption="Stores" columns={COLUMNS}>
      {stores.map((store) => (
        <StoreRow key={store.id} store={store} now={now} />
      ))}
    </CardTable>
  );
}
