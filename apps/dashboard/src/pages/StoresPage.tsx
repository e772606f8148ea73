import { useId, useState } from 'react';
import { usePlatform, useStores } from '../api/queries.ts';
import { useSession } from '../api/session.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { Empty, LoadError, Loading } from '../components/states.tsx';
import { CreateStoreForm } from '../components/stores/CreateStoreForm.tsx';
import { StoreList } from '../components/stores/StoreList.tsx';
import { Button } from '../components/ui.tsx';
import { formatBytes } from '../lib/format.ts';

function StoresSection() {
  const stores = useStores();
  const { data: session } = useSession();
  // An admin's list holds every user's stores.
  const admin = session?.user.role === 'admin';
  const [showDeleted, setShowDeleted] = useState(false);
  const toggleId = useId();

  if (stores.isPending) return <Loading what="stores" />;
  if (stores.isError)
    return <LoadError what="stores" error={stores.error} onRetry={() => stores.refetch()} />;

  const all = stores.data.pages.flatMap((page) => page.items);
  const deleted = all.filter((store) => store.state === 'Deleted').length;
  const shown = showDeleted ? all : all.filter((store) => store.state !== 'Deleted');

  return (
    <section aria-labelledby="stores-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="stores-heading" className="text-base font-semibold text-slate-900">
          {admin ? 'All stores' : 'Your stores'}{' '}
          <span className="font-normal text-slate-500">({all.length - deleted})</span>
        </h2>
        {deleted > 0 ? (
          <label htmlFor={toggleId} className="flex items-center gap-2 text-sm text-slate-700">
            <input
              id={toggleId}
              type="checkbox"
              checked={showDeleted}
              onChange={(event) => setShowDeleted(event.target.checked)}
              className="size-4 rounded border-slate-300"
            />
            Show deleted stores ({deleted})
          </label>
        ) : null}
      </div>
      {shown.length === 0 ? (
        <Empty title="No stores yet">Create one above: it is ready in a few minutes.</Empty>
      ) : (
        <StoreList stores={shown} showOwner={admin} />
      )}
      {stores.hasNextPage ? (
        <Button busy={stores.isFetchingNextPage} onClick={() => stores.fetchNextPage()}>
          Load more stores
        </Button>
      ) : null}
    </section>
  );
}

function Quota() {
  const { data: session } = useSession();
  if (!session) return null;
  const { usage, limits } = session;
  return (
    <p className="text-sm text-slate-600">
      You run <strong className="tabular-nums">{usage.stores}</strong> of at most{' '}
      <span className="tabular-nums">{limits.maxStoresPerUser}</span> stores; your backups take{' '}
      <strong className="tabular-nums">{formatBytes(usage.backupBytes)}</strong> of{' '}
      <span className="tabular-nums">{formatBytes(limits.backupQuotaBytes)}</span>.
    </p>
  );
}

export function StoresPage() {
  const platform = usePlatform();
  return (
    <>
      <PageHeading aside={<Quota />}>Stores</PageHeading>
      <div className="space-y-6">
        <CreateStoreForm engines={platform.data?.engines ?? []} />
        <StoresSection />
      </div>
    </>
  );
}
