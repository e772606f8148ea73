import { type PlatformMetrics, STORE_STATES } from '@storefleet/contracts';
import type { ReactNode } from 'react';
import { formatSeconds } from '../../lib/format.ts';
import { StatusBadge } from '../StatusBadge.tsx';

function Stat({ label, value, hint }: { label: ReactNode; value: ReactNode; hint?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value}</dd>
      {hint ? <p className="text-xs text-slate-500">{hint}</p> : null}
    </div>
  );
}

const seconds = (value: number | null) => (value === null ? '—' : formatSeconds(value));

export function ProvisioningStats({ metrics }: { metrics: PlatformMetrics }) {
  const { provisioning, stores, totals, queue } = metrics;
  return (
    <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
      <Stat
        label="Stores running"
        value={stores.total - (stores.byState.Deleted ?? 0)}
        hint={`${stores.byState.Ready ?? 0} ready, ${stores.byState.Asleep ?? 0} asleep; ${totals.created} created in all`}
      />
      <Stat
        label="Average provisioning"
        value={seconds(provisioning.averageSeconds)}
        hint={`${provisioning.samples} samples`}
      />
      <Stat label="p95 provisioning" value={seconds(provisioning.p95Seconds)} />
      <Stat
        label="Work queue"
        value={queue.pending + queue.running}
        hint={`${queue.running} running, ${queue.pending} waiting`}
      />
    </dl>
  );
}

export function StateCounts({ metrics }: { metrics: PlatformMetrics }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
      {STORE_STATES.map((state) => (
        <div
          key={state}
          className="flex items-center justify-between rounded-md border border-slate-200 px-3 py-2"
        >
          <dt>
            <StatusBadge state={state} animated={false} />
          </dt>
          <dd className="text-lg font-semibold tabular-nums">{metrics.stores.byState[state] ?? 0}</dd>
        </div>
      ))}
    </dl>
  );
}
