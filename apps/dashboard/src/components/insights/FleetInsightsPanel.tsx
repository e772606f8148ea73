// The platform page's insights: the fleet's traffic over 1 h, 24 h or 7 d; the top stores by
// traffic, memory and orders; stores near their quota; stores idle sleep puts (or would put) to sleep.
import type { FleetInsights, FleetStoreFigure, InsightRange } from '@storefleet/contracts';
import { type ReactNode, useState } from 'react';
import { useFleetInsights } from '../../api/insights.ts';
import { formatSeconds } from '../../lib/format.ts';
import { Link } from '../../router/router.tsx';
import { LoadError, Loading } from '../states.tsx';
import { Panel } from '../ui.tsx';
import { axisTime, formatBytes, formatCount, RANGE_LABELS } from './format.ts';
import { RangePicker } from './RangePicker.tsx';
import { TimeChart } from './TimeChart.tsx';

function StoreFigures({
  title,
  figures,
  format,
  empty,
}: {
  title: string;
  figures: FleetStoreFigure[];
  format: (value: number) => string;
  empty: string;
}) {
  const id = `fleet-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="min-w-0 rounded-md border border-slate-200 p-3">
      <h3 id={id} className="text-sm font-semibold text-slate-800">
        {title}
      </h3>
      {figures.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">{empty}</p>
      ) : (
        <ol className="mt-1 space-y-1 text-sm">
          {figures.map((figure) => (
            <li key={figure.storeId} className="flex items-baseline justify-between gap-3">
              <Link
                to={`/stores/${figure.storeId}`}
                className="truncate font-medium text-indigo-700 hover:underline"
              >
                {figure.name}
              </Link>
              <span className="shrink-0 tabular-nums text-slate-700">{format(figure.value)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Fleet({ data, range }: { data: FleetInsights; range: InsightRange }) {
  const during = RANGE_LABELS[range].toLowerCase();
  const sum = (pick: (p: FleetInsights['traffic'][number]) => number | null) =>
    data.traffic.reduce((total, p) => total + (pick(p) ?? 0), 0);
  const idleAfter = formatSeconds(data.idle.idleAfterSeconds);
  return (
    <div className="space-y-4">
      <TimeChart
        title="Fleet traffic"
        rows={data.traffic.map((p) => ({
          t: Date.parse(p.at),
          requests: p.requests,
          clientErrors: p.clientErrors,
          serverErrors: p.serverErrors,
        }))}
        series={[
          { key: 'requests', name: 'Requests', color: '#4f46e5', kind: 'area' },
          { key: 'clientErrors', name: '4xx', color: '#d97706', kind: 'line' },
          { key: 'serverErrors', name: '5xx', color: '#dc2626', kind: 'line' },
        ]}
        format={formatCount}
        timeFormat={axisTime(range)}
        summary={`${formatCount(sum((p) => p.requests))} requests across the stores in the ${during}; ${formatCount(sum((p) => p.clientErrors))} answered 4xx, ${formatCount(sum((p) => p.serverErrors))} answered 5xx.`}
        notReported={`No traffic was sampled in the ${during}.`}
      />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <StoreFigures
          title="Most traffic"
          figures={data.top.traffic}
          format={(v) => `${formatCount(v)} requests`}
          empty={`No requests in the ${during}.`}
        />
        <StoreFigures
          title="Most memory"
          figures={data.top.memory}
          format={formatBytes}
          empty="No store reports memory right now."
        />
        <StoreFigures
          title="Most orders"
          figures={data.top.orders}
          format={(v) => `${formatCount(v)} orders`}
          empty={`No orders in the ${during}.`}
        />
        <StoreFigures
          title="Near their quota"
          figures={data.nearQuota.stores}
          format={(v) => `${Math.round(v * 100)} %`}
          empty={`No store uses ${Math.round(data.nearQuota.threshold * 100)} % of its CPU or memory quota.`}
        />
        <div className="sm:col-span-2">
          <StoreFigures
            title={
              data.idle.enabled
                ? 'Idle: idle sleep puts them to sleep'
                : 'Idle: idle sleep would put them to sleep'
            }
            figures={data.idle.stores}
            format={(v) => `no request for ${formatSeconds(v)}`}
            empty={`Every Ready store served a request in the last ${idleAfter}.`}
          />
          <p className="mt-1 text-xs text-slate-500">
            {data.idle.enabled
              ? `Idle sleep is on: a Ready store without a request for ${idleAfter} is put to sleep.`
              : `Idle sleep is off (IDLE_SLEEP_AFTER); listed: Ready stores without a request for ${idleAfter}.`}
          </p>
        </div>
      </div>
    </div>
  );
}

export function FleetInsightsPanel() {
  const [range, setRange] = useState<InsightRange>('24h');
  const insights = useFleetInsights(range);
  let body: ReactNode;
  if (insights.isPending) body = <Loading what="fleet insights" />;
  else if (insights.isError)
    body = <LoadError what="fleet insights" error={insights.error} onRetry={() => insights.refetch()} />;
  else body = <Fleet data={insights.data} range={range} />;
  return (
    <Panel title="Fleet insights" actions={<RangePicker value={range} onChange={setRange} />}>
      {body}
    </Panel>
  );
}
