import type { ReactNode } from 'react';
import { useActivity, useMetrics, usePlatform, useStores } from '../api/queries.ts';
import { useSignedIn } from '../api/session.ts';
import { ActivityFeed } from '../components/ActivityFeed.tsx';
import { FleetInsights } from '../components/insights/lazy.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { DurationChart, type DurationPoint } from '../components/platform/DurationChart.tsx';
import { FleetUpgrades } from '../components/platform/FleetUpgrades.tsx';
import { ProvisioningStats, StateCounts } from '../components/platform/MetricCards.tsx';
import { Empty, LoadError, Loading } from '../components/states.tsx';
import { Panel } from '../components/ui.tsx';

function Metrics() {
  const metrics = useMetrics();
  if (metrics.isPending) return <Loading what="metrics" />;
  if (metrics.isError)
    return <LoadError what="metrics" error={metrics.error} onRetry={() => metrics.refetch()} />;
  return (
    <div className="space-y-6">
      <ProvisioningStats metrics={metrics.data} />
      <Panel title="Stores by state">
        <StateCounts metrics={metrics.data} />
      </Panel>
    </div>
  );
}

function Durations() {
  const stores = useStores();
  let body: ReactNode;
  if (stores.isPending) body = <Loading what="provisioning times" />;
  else if (stores.isError) body = <LoadError what="provisioning times" error={stores.error} />;
  else {
    const points: DurationPoint[] = stores.data.pages
      .flatMap((page) => page.items)
      .flatMap((store) =>
        store.provisioningSeconds !== null && store.readyAt
          ? [{ name: store.name, at: store.readyAt, seconds: store.provisioningSeconds }]
          : [],
      );
    body =
      points.length === 0 ? (
        <Empty title="No store has finished provisioning yet" />
      ) : (
        <DurationChart points={points} />
      );
  }
  return <Panel title="Provisioning time over time">{body}</Panel>;
}

function RecentActivity() {
  const activity = useActivity();
  const stores = useStores();
  const names = new Map(stores.data?.pages.flatMap((page) => page.items).map((s) => [s.id, s.name]) ?? []);
  let body: ReactNode;
  if (activity.isPending) body = <Loading what="activity" />;
  else if (activity.isError)
    body = <LoadError what="activity" error={activity.error} onRetry={() => activity.refetch()} />;
  else if (activity.data.items.length === 0) body = <Empty title="Nothing has happened yet" />;
  else body = <ActivityFeed entries={activity.data.items} storeNames={names} label="Recent activity" />;
  return <Panel title="Recent activity">{body}</Panel>;
}

function ClusterInfo() {
  const platform = usePlatform();
  if (!platform.data) return null;
  const { environment, cluster } = platform.data;
  return (
    <p className="text-sm text-slate-600">
      Environment <strong>{environment}</strong> ·{' '}
      {cluster.configured ? cluster.description : 'no cluster configured'}
    </p>
  );
}

export function PlatformPage() {
  const { user } = useSignedIn();
  return (
    <>
      <PageHeading>Platform</PageHeading>
      <div className="space-y-6">
        <ClusterInfo />
        <Metrics />
        <FleetInsights />
        <div className="grid gap-6 lg:grid-cols-2">
          <Durations />
          <RecentActivity />
        </div>
        {user.role === 'admin' ? <FleetUpgrades /> : null}
      </div>
    </>
  );
}
