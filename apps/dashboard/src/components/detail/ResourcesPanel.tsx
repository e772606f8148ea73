// What Kubernetes holds for the store (pods, services, ingresses, volumes, jobs) and its recent events.
import type { Store, StoreResources } from '@storefleet/contracts';
import { useState } from 'react';
import { useStoreResources } from '../../api/queries.ts';
import { formatRelative } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import { Empty, LoadError, Loading } from '../states.tsx';
import { Button, Panel } from '../ui.tsx';

function detailText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(
      ([, value]) => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0),
    )
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join(' · ');
}

const HEALTHY = new Set([
  'Running',
  'Succeeded',
  'Bound',
  'Complete',
  'Admitted',
  'ClusterIP',
  'NodePort',
  'LoadBalancer',
]);

const KIND_WORDS: Record<string, string> = { PersistentVolumeClaim: 'Volume claim' };

function Items({ resources, now }: { resources: StoreResources; now: number }) {
  if (resources.items.length === 0) return <Empty title="No resources in the namespace" />;
  return (
    <ul aria-label="Kubernetes resources" className="divide-y divide-slate-100 text-sm">
      {resources.items.map((item) => (
        <li key={`${item.kind}/${item.name}`} className="py-2">
          <div className="flex items-baseline justify-between gap-3">
            <span className="text-xs font-medium uppercase text-slate-500">
              {KIND_WORDS[item.kind] ?? item.kind}
            </span>
            <span className={HEALTHY.has(item.status) ? 'text-emerald-700' : 'text-amber-700'}>
              {item.status}
            </span>
          </div>
          <p className="break-all font-medium">{item.name}</p>
          <p className="text-xs text-slate-500">
            {detailText(item.details)}
            {item.createdAt ? ` · created ${formatRelative(item.createdAt, now)}` : ''}
          </p>
        </li>
      ))}
    </ul>
  );
}

const EVENTS_SHOWN = 8;

function Events({ resources, now }: { resources: StoreResources; now: number }) {
  const [all, setAll] = useState(false);
  if (resources.events.length === 0) return <p className="text-sm text-slate-500">No recent events.</p>;
  const shown = all ? resources.events : resources.events.slice(0, EVENTS_SHOWN);
  return (
    <>
      <ul aria-label="Kubernetes events" className="space-y-2 text-sm">
        {shown.map((event) => (
          <li
            // Events have no id of their own; these fields together tell them apart.
            key={`${event.object}|${event.reason}|${event.lastSeen}|${event.count}|${event.message}`}
            className={`rounded border-l-4 px-3 py-1.5 ${event.type === 'Warning' ? 'border-amber-500 bg-amber-50' : 'border-slate-200 bg-slate-50'}`}
          >
            <p className="break-words">
              <span className="font-medium">{event.reason}</span>{' '}
              <span className="text-slate-500">{event.object}</span>
              {event.count > 1 ? <span className="text-slate-500"> ×{event.count}</span> : null}
            </p>
            <p className="break-words text-slate-700">{event.message}</p>
            {event.lastSeen ? (
              <p className="text-xs text-slate-500">{formatRelative(event.lastSeen, now)}</p>
            ) : null}
          </li>
        ))}
      </ul>
      {resources.events.length > EVENTS_SHOWN ? (
        <Button size="sm" className="mt-2" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? 'Show fewer events' : `Show all ${resources.events.length} events`}
        </Button>
      ) : null}
    </>
  );
}

export function ResourcesPanel({ store }: { store: Store }) {
  // A namespace exists once a namespace step of any operation has started.
  const exists =
    Object.values(store.stepTimings).some((steps) => Boolean(steps?.namespace)) && store.state !== 'Deleted';
  const resources = useStoreResources(store.id, exists);
  const now = useNow(15_000);
  let body: React.ReactNode;
  if (!exists)
    body = (
      <Empty title="Nothing in the cluster">
        {store.state === 'Deleted' ? 'The namespace is gone.' : 'The namespace is created first.'}
      </Empty>
    );
  else if (resources.isPending) body = <Loading what="resources" />;
  else if (resources.isError)
    body = <LoadError what="resources" error={resources.error} onRetry={() => resources.refetch()} />;
  else
    body = (
      <div className="space-y-4">
        <Items resources={resources.data} now={now} />
        <div>
          <h3 className="mb-2 text-sm font-semibold text-slate-800">Recent events</h3>
          <Events resources={resources.data} now={now} />
        </div>
      </div>
    );
  return (
    <Panel
      title="Kubernetes resources"
      actions={<code className="text-xs text-slate-500">{store.namespace}</code>}
    >
      {body}
    </Panel>
  );
}
