// One chart over time (recharts), with what it shows in words: a caption that sums it up, and the
// same numbers in a visually hidden table for screen readers. Values that were not reported are
// gaps, never zeros; a chart with nothing reported says so instead of drawing an empty frame.
import type { ReactNode } from 'react';
import {
  Area,
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export type ChartRow = { t: number } & Record<string, number | null>;

export interface ChartSeries {
  key: string;
  name: string;
  color: string;
  kind: 'line' | 'bar' | 'area';
  /** The right-hand axis (e.g. revenue beside orders). */
  right?: boolean;
}

export interface ChartMark {
  t: number;
  label: string;
  color: string;
}

export interface TimeChartProps {
  title: string;
  rows: ChartRow[];
  series: ChartSeries[];
  format: (value: number) => string;
  formatRight?: (value: number) => string;
  /** A horizontal line, e.g. the quota. */
  limit?: { value: number; label: string } | null;
  /** Vertical lines, e.g. when the store went to sleep and woke up. */
  marks?: ChartMark[];
  summary: ReactNode;
  /** Whole numbers only on the left axis (counts). */
  counts?: boolean;
  /** Shown instead of the chart when no series has a single reported value. */
  notReported: string;
  timeFormat: (t: number) => string;
  height?: number;
}

const tableTime = new Intl.DateTimeFormat('en', { dateStyle: 'short', timeStyle: 'short' });

export function TimeChart(props: TimeChartProps) {
  const { title, rows, series, format, formatRight, limit, marks = [], summary, timeFormat } = props;
  const reported = rows.some((row) => series.some((s) => row[s.key] !== null && row[s.key] !== undefined));
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  // Few points: lines get dots (a lone point has no line), bars stay thin on the time axis.
  const sparse = rows.length < 30;
  const barSize = Math.max(2, Math.min(12, Math.floor(480 / Math.max(1, rows.length)) - 2));
  return (
    <figure
      className="min-w-0 rounded-md border border-slate-200 p-3"
      data-chart={slug}
      aria-labelledby={`${slug}-title`}
    >
      <h3 id={`${slug}-title`} className="text-sm font-semibold text-slate-800">
        {title}
      </h3>
      <figcaption className="mb-2 text-xs text-slate-600">
        {reported ? summary : props.notReported}
      </figcaption>
      {reported ? (
        <div aria-hidden="true" className="w-full" style={{ height: props.height ?? 200 }}>
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={rows} margin={{ top: 8, right: formatRight ? 4 : 12, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="#e2e8f0" vertical={false} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={['dataMin', 'dataMax']}
                tickFormatter={timeFormat}
                tick={{ fontSize: 11, fill: '#64748b' }}
                minTickGap={24}
              />
              <YAxis
                yAxisId="left"
                // Counts have whole-number ticks only.
                tickFormatter={(value: number) =>
                  props.counts && !Number.isInteger(value) ? '' : format(value)
                }
                tick={{ fontSize: 11, fill: '#64748b' }}
                width={64}
              />
              {formatRight ? (
                <YAxis
                  yAxisId="right"
                  orientation="right"
                  tickFormatter={formatRight}
                  tick={{ fontSize: 11, fill: '#64748b' }}
                  width={56}
                />
              ) : null}
              <Tooltip
                labelFormatter={(t) => tableTime.format(Number(t))}
                formatter={(value, name, item) => {
                  const spec = series.find((s) => s.name === name || s.key === item.dataKey);
                  const shown =
                    spec?.right && formatRight ? formatRight(Number(value)) : format(Number(value));
                  return [shown, name];
                }}
              />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {series.map((s) => {
                const common = {
                  dataKey: s.key,
                  name: s.name,
                  yAxisId: s.right ? 'right' : 'left',
                  isAnimationActive: false,
                };
                if (s.kind === 'bar') return <Bar key={s.key} {...common} fill={s.color} barSize={barSize} />;
                if (s.kind === 'area')
                  return (
                    <Area
                      key={s.key}
                      {...common}
                      type="monotone"
                      stroke={s.color}
                      fill={s.color}
                      fillOpacity={0.15}
                      dot={sparse ? { r: 2 } : false}
                      connectNulls={false}
                    />
                  );
                return (
                  <Line
                    key={s.key}
                    {...common}
                    type="monotone"
                    stroke={s.color}
                    dot={sparse ? { r: 3 } : false}
                    strokeWidth={2}
                    connectNulls={false}
                  />
                );
              })}
              {limit ? (
                <ReferenceLine
                  yAxisId="left"
                  y={limit.value}
                  ifOverflow="extendDomain"
                  stroke="#dc2626"
                  strokeDasharray="4 4"
                  label={{ value: limit.label, position: 'insideTopRight', fontSize: 11, fill: '#b91c1c' }}
                />
              ) : null}
              {marks.map((mark) => (
                <ReferenceLine
                  key={`${mark.label}-${mark.t}`}
                  yAxisId="left"
                  x={mark.t}
                  stroke={mark.color}
                  strokeDasharray="3 3"
                  label={{ value: mark.label, position: 'insideTopLeft', fontSize: 11, fill: mark.color }}
                />
              ))}
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      ) : null}
      {reported ? <DataTable {...props} /> : null}
    </figure>
  );
}

/** The chart's numbers for screen readers: one row per point, one column per series. */
function DataTable({ title, rows, series, format, formatRight, marks = [] }: TimeChartProps) {
  const cell = (s: ChartSeries, value: number | null | undefined) =>
    value === null || value === undefined
      ? 'not reported'
      : s.right && formatRight
        ? formatRight(value)
        : format(value);
  return (
    <table className="sr-only">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          {series.map((s) => (
            <th key={s.key} scope="col">
              {s.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.t}>
            <th scope="row">{tableTime.format(row.t)}</th>
            {series.map((s) => (
              <td key={s.key}>{cell(s, row[s.key])}</td>
            ))}
          </tr>
        ))}
        {marks.map((mark) => (
          <tr key={`mark-${mark.label}-${mark.t}`}>
            <th scope="row">{tableTime.format(mark.t)}</th>
            <td colSpan={series.length}>{mark.label}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
