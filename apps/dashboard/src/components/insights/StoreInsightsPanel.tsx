// The store page's insights: traffic and errors (with the store's sleeps and wake-ups marked),
// latency, memory and CPU against the store's quota, orders and revenue, over 1 h, 24 h or 7 d.
import type { InsightPoint, InsightRange, Store, StoreInsights } from '@storefleet/contracts';
import { type ReactNode, useState } from 'react';
import { useStoreInsights } from '../../api/insights.ts';
import { LoadError, Loading } from '../states.tsx';
import { Panel } from '../ui.tsx';
import {
  axisTime,
  formatBytes,
  formatCores,
  formatCount,
  formatMoney,
  formatMs,
  RANGE_LABELS,
} from './format.ts';
import { RangePicker } from './RangePicker.tsx';
import { type ChartRow, TimeChart } from './TimeChart.tsx';

const COLORS = {
  requests: '#4f46e5',
  client: '#d97706',
  server: '#dc2626',
  memory: '#0891b2',
  cpu: '#7c3aed',
  orders: '#059669',
  revenue: '#0f766e',
};

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

const rowsOf = (
  points: InsightPoint[],
  pick: (p: InsightPoint) => Record<string, number | null>,
): ChartRow[] => points.map((p) => ({ t: Date.parse(p.at), ...pick(p) }));

const latest = <T,>(points: InsightPoint[], pick: (p: InsightPoint) => T | null): T | null => {
  for (let i = points.length - 1; i >= 0; i--) {
    const point = points[i];
    const value = point ? pick(point) : null;
    if (value !== null) return value;
  }
  return null;
};

function Charts({ data, range }: { data: StoreInsights; range: InsightRange }) {
  const { points, totals, events } = data;
  const timeFormat = axisTime(range);
  const during = RANGE_LABELS[range].toLowerCase();
  const marks = events.map((e) => ({
    t: Date.parse(e.at),
    label: e.kind === 'sleep' ? 'asleep' : 'woke up',
    color: e.kind === 'sleep' ? '#475569' : '#059669',
  }));
  const memory = latest(points, (p) => p.memoryBytes);
  const memoryLimit = latest(points, (p) => p.memoryLimitBytes);
  const cpu = latest(points, (p) => p.cpuMillicores);
  const cpuLimit = latest(points, (p) => p.cpuLimitMillicores);
  const disk = latest(points, (p) => p.diskBytes);
  const worstLatency = points.reduce<number | null>(
    (m, p) => (p.latencyP95Ms === null ? m : Math.max(m ?? 0, p.latencyP95Ms)),
    null,
  );
  const sleeps = events.filter((e) => e.kind === 'sleep').length;
  const wakes = events.length - sleeps;
  const share = (used: number | null, limit: number | null) =>
    used !== null && limit ? ` (${Math.round((used / limit) * 100)} % of the quota)` : '';

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <TimeChart
        title="Traffic and errors"
        rows={rowsOf(points, (p) => ({
          requests: p.requests,
          clientErrors: p.clientErrors,
          serverErrors: p.serverErrors,
        }))}
        series={[
          { key: 'requests', name: 'Requests', color: COLORS.requests, kind: 'area' },
          { key: 'clientErrors', name: '4xx', color: COLORS.client, kind: 'line' },
          { key: 'serverErrors', name: '5xx', color: COLORS.server, kind: 'line' },
        ]}
        format={formatCount}
        counts
        marks={marks}
        timeFormat={timeFormat}
        summary={`${plural(totals.requests ?? 0, 'request')} in the ${during}; ${formatCount(totals.clientErrors ?? 0)} answered 4xx and ${formatCount(totals.serverErrors ?? 0)} answered 5xx.${sleeps + wakes > 0 ? ` Went to sleep ${sleeps} and woke up ${wakes} times (dashed lines).` : ''}`}
        notReported="Traffic is not reported: the platform does not read the ingress's metrics (INGRESS_METRICS_URL)."
      />
      <TimeChart
        title="Latency"
        rows={rowsOf(points, (p) => ({ latency: p.latencyP95Ms }))}
        series={[{ key: 'latency', name: '95th percentile', color: COLORS.requests, kind: 'line' }]}
        format={formatMs}
        timeFormat={timeFormat}
        summary={`95th percentile of response times, at worst ${formatMs(worstLatency ?? 0)} in the ${during}.`}
        notReported="Latency is not reported: no request was measured by the ingress in this range."
      />
      <TimeChart
        title="Memory"
        rows={rowsOf(points, (p) => ({ memory: p.memoryBytes }))}
        series={[{ key: 'memory', name: 'Memory in use', color: COLORS.memory, kind: 'area' }]}
        format={formatBytes}
        limit={memoryLimit ? { value: memoryLimit, label: `quota ${formatBytes(memoryLimit)}` } : null}
        marks={marks}
        timeFormat={timeFormat}
        summary={`Now ${formatBytes(memory ?? 0)}${memoryLimit ? ` of a ${formatBytes(memoryLimit)} quota` : ''}${share(memory, memoryLimit)}.${disk !== null ? ` Its volumes hold ${formatBytes(disk)}.` : ''}`}
        notReported="Memory is not reported: this store's pods run on simulated nodes, or the cluster's nodes do not report resource usage."
      />
      <TimeChart
        title="CPU"
        rows={rowsOf(points, (p) => ({ cpu: p.cpuMillicores }))}
        series={[{ key: 'cpu', name: 'CPU in use', color: COLORS.cpu, kind: 'area' }]}
        format={formatCores}
        limit={cpuLimit ? { value: cpuLimit, label: `quota ${formatCores(cpuLimit)}` } : null}
        timeFormat={timeFormat}
        summary={`Now ${formatCores(cpu ?? 0)}${cpuLimit ? ` of a ${formatCores(cpuLimit)} quota` : ''}${share(cpu, cpuLimit)}.`}
        notReported="CPU is not reported: this store's pods run on simulated nodes, or the cluster's nodes do not report resource usage."
      />
      <div className="lg:col-span-2">
        <TimeChart
          title="Orders and revenue"
          rows={rowsOf(points, (p) => ({ orders: p.orders, revenue: p.revenue }))}
          series={[
            { key: 'orders', name: 'Orders', color: COLORS.orders, kind: 'bar' },
            { key: 'revenue', name: 'Revenue', color: COLORS.revenue, kind: 'line', right: true },
          ]}
          format={formatCount}
          formatRight={(v) => formatMoney(v, totals.currency)}
          timeFormat={timeFormat}
          counts
          summary={`${plural(totals.orders ?? 0, 'order')} in the ${during}, ${formatMoney(totals.revenue ?? 0, totals.currency)} in all.`}
          notReported="Orders are not reported yet: the platform reads them from the store's admin API while it runs."
        />
      </div>
    </div>
  );
}

export function StoreInsightsPanel({ store }: { store: Store }) {
  const [range, setRange] = useState<InsightRange>('1h');
  const insights = useStoreInsights(store, range);
  let body: ReactNode;
  if (insights.isPending) body = <Loading what="insights" />;
  else if (insights.isError)
    body = <LoadError what="insights" error={insights.error} onRetry={() => insights.refetch()} />;
  else if (insights.data.points.length === 0)
    body = (
      <p className="text-sm text-slate-600">
        {insights.data.sampleIntervalSeconds === null
          ? 'The platform does not sample store insights here (no cluster, or neither ingress metrics nor node metrics).'
          : `No sample yet in this range: the platform samples every ${insights.data.sampleIntervalSeconds} s while the store runs.`}
      </p>
    );
  else body = <Charts data={insights.data} range={range} />;
  return (
    <Panel title="Insights" actions={<RangePicker value={range} onChange={setRange} />}>
      {body}
    </Panel>
  );
}
