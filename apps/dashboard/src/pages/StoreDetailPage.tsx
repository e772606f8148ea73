import type { Store } from '@storefleet/contracts';
import type { ReactNode } from 'react';
import { ApiRequestError } from '../api/client.ts';
import { useStore, useStoreActivity } from '../api/queries.ts';
import { ActivityFeed } from '../components/ActivityFeed.tsx';
import { BackupsPanel } from '../components/detail/BackupsPanel.tsx';
import { CredentialsPanel } from '../components/detail/CredentialsPanel.tsx';
import { DomainsPanel } from '../components/detail/DomainsPanel.tsx';
import { MailPanel } from '../components/detail/MailPanel.tsx';
import { ResourcesPanel } from '../components/detail/ResourcesPanel.tsx';
import { RevisionsPanel } from '../components/detail/RevisionsPanel.tsx';
import { StoreInsights } from '../components/insights/lazy.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { StoreProgress } from '../components/progress/StoreProgress.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { Empty, LoadError, Loading } from '../components/states.tsx';
import { EngineName } from '../components/stores/EngineName.tsx';
import { StoreActions } from '../components/stores/StoreActions.tsx';
import { StoreLinks } from '../components/stores/StoreLinks.tsx';
import { ExternalLink, Fact, Notice, Panel } from '../components/ui.tsx';
import { formatDateTime, formatRelative, formatSeconds } from '../lib/format.ts';
import { useNow } from '../lib/useNow.ts';
import { Link } from '../router/router.tsx';

function Facts({ store }: { store: Store }) {
  const now = useNow(30_000);
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3 lg:grid-cols-4">
      <Fact label="Engine">
        <EngineName engine={store.engine} />
      </Fact>
      <Fact label="Address">{store.slug}</Fact>
      <Fact label="Links">
        <StoreLinks store={store} />
      </Fact>
      <Fact label="Created">
        <time dateTime={store.createdAt} title={formatDateTime(store.createdAt)}>
          {formatRelative(store.createdAt, now)}
        </time>
      </Fact>
      <Fact label="Provisioning time">
        {store.provisioningSeconds !== null ? formatSeconds(store.provisioningSeconds) : '—'}
      </Fact>
      <Fact label="Namespace">
        <code>{store.namespace}</code>
      </Fact>
      <Fact label="Replicas">{store.values.replicas ?? 'chart default'}</Fact>
      <Fact label="Attempts">{store.attempts}</Fact>
    </dl>
  );
}

function StoreActivity({ store }: { store: Store }) {
  const activity = useStoreActivity(store.id);
  let body: ReactNode;
  if (activity.isPending) body = <Loading what="activity" />;
  else if (activity.isError)
    body = <LoadError what="activity" error={activity.error} onRetry={() => activity.refetch()} />;
  else if (activity.data.items.length === 0) body = <Empty title="No activity yet" />;
  else body = <ActivityFeed entries={activity.data.items} label={`Activity of ${store.name}`} />;
  return <Panel title="Activity">{body}</Panel>;
}

function StoreDetail({ store }: { store: Store }) {
  const deleted = store.state === 'Deleted';
  return (
    <>
      <PageHeading
        aside={
          <div className="flex items-center gap-3">
            <StatusBadge state={store.state} />
            <StoreActions store={store} size="md" />
          </div>
        }
      >
        {store.name}
      </PageHeading>
      {deleted && store.deletedAt ? (
        <Notice tone="info" role="status" className="mb-4">
          This store was deleted on {formatDateTime(store.deletedAt)}; nothing of it is left in the cluster.
        </Notice>
      ) : null}
      {store.state === 'Asleep' ? (
        <Notice tone="info" role="status" className="mb-4">
          This store is asleep: its workloads are scaled down to zero and its data is kept. Its address,{' '}
          <ExternalLink href={store.urls.storefront}>{store.urls.storefront}</ExternalLink>, shows a platform
          page saying the store is asleep, with a button to wake it up; its admin is unavailable until then.
          Wake it up here with “Wake up”.
        </Notice>
      ) : null}
      <div className="space-y-6">
        <Panel title="Overview">
          <Facts store={store} />
        </Panel>
        {!deleted ? <StoreInsights store={store} /> : null}
        <div className="grid gap-6 lg:grid-cols-2">
          <div className="space-y-6">
            <Panel title="Progress">
              <StoreProgress store={store} />
            </Panel>
            <StoreActivity store={store} />
          </div>
          <div className="space-y-6">
            {!deleted ? <CredentialsPanel store={store} /> : null}
            {!deleted ? <RevisionsPanel store={store} /> : null}
            <ResourcesPanel store={store} />
          </div>
        </div>
        {!deleted ? <DomainsPanel store={store} /> : null}
        {!deleted ? <BackupsPanel store={store} /> : null}
        {!deleted ? <MailPanel store={store} /> : null}
      </div>
    </>
  );
}

export function StoreDetailPage({ id }: { id: string }) {
  const store = useStore(id);
  const back = (
    <Link to="/" className="mb-3 inline-block text-sm text-indigo-700 hover:underline">
      ← All stores
    </Link>
  );
  if (store.isPending)
    return (
      <>
        {back}
        <Loading what="the store" />
      </>
    );
  if (store.isError) {
    const missing = store.error instanceof ApiRequestError && [400, 404].includes(store.error.status);
    return (
      <>
        {back}
        <PageHeading>{missing ? 'Store not found' : 'Store'}</PageHeading>
        {missing ? (
          <Empty title="There is no store with this address">
            It may never have existed; check the link.
          </Empty>
        ) : (
          <LoadError what="the store" error={store.error} onRetry={() => store.refetch()} />
        )}
      </>
    );
  }
  return (
    <>
      {back}
      <StoreDetail store={store.data} />
    </>
  );
}
