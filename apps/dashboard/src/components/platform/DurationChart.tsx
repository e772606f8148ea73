// Provisioning time of each store against when it became ready, as a small inline SVG, with the
// same numbers in a table for screen readers.
import { formatDateTime, formatSeconds } from '../../lib/format.ts';

export interface DurationPoint {
  name: string;
  at: string;
  seconds: number;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 16, bottom: 28, left: 56 };

/** A round upper bound for the y axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= value) ?? value;
}

const shortTime = new Intl.DateTimeFormat('en', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function DurationChart({ points }: { points: DurationPoint[] }) {
  const sorted = [...points].sort((a, b) => a.at.localeCompare(b.at));
  const times = sorted.map((p) => new Date(p.at).getTime());
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  const span = Math.max(1, last - first);
  const yMax = niceMax(Math.max(...sorted.map((p) => p.seconds)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + (sorted.length === 1 ? plotW / 2 : ((t - first) / span) * plotW);
  const y = (s: number) => PAD.top + plotH - (s / yMax) * plotH;
  const coords = sorted.map((p, i) => ({ ...p, cx: x(times[i] ?? first), cy: y(p.seconds) }));
  const ticks = [0, yMax / 2, yMax];
  const summary = `Provisioning times of ${sorted.length} stores, from ${formatSeconds(Math.min(...sorted.map((p) => p.seconds)))} to ${formatSeconds(Math.max(...sorted.map((p) => p.seconds)))}.`;

  return (
    <figure>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" role="img" aria-label={summary}>
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(tick)}
              y2={y(tick)}
              className="stroke-slate-200"
            />
            <text
              x={PAD.left - 8}
              y={y(tick)}
              textAnchor="end"
              dominantBaseline="middle"
              className="fill-slate-500 text-[13px]"
            >
              {formatSeconds(tick)}
            </text>
          </g>
        ))}
        <polyline
          points={coords.map((c) => `${c.cx},${c.cy}`).join(' ')}
          fill="none"
          className="stroke-indigo-400"
          strokeWidth={2}
        />
        {coords.map((c) => (
          <circle key={`${c.name}-${c.at}`} cx={c.cx} cy={c.cy} r={4} className="fill-indigo-600">
            <title>{`${c.name}: ${formatSeconds(c.seconds)} (ready ${formatDateTime(c.at)})`}</title>
          </circle>
        ))}
        <text
          x={sorted.length === 1 ? x(first) : PAD.left}
          y={HEIGHT - 8}
          textAnchor={sorted.length === 1 ? 'middle' : 'start'}
          className="fill-slate-500 text-[13px]"
        >
          {shortTime.format(first)}
        </text>
        {sorted.length > 1 ? (
          <text x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end" className="fill-slate-500 text-[13px]">
            {shortTime.format(last)}
          </text>
        ) : null}
      </svg>
      <figcaption className="mt-1 text-xs text-slate-500">
        Each dot is a store, placed at the time it became ready.
      </figcaption>
      <table className="sr-only">
        <caption>Provisioning time by store</caption>
        <thead>
          <tr>
            <th scope="col">Store</th>
            <th scope="col">Ready at</th>
            <th scope="col">Provisioning time</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((p) => (
            <tr key={`${p.name}-${p.at}`}>
              <td>{p.name}</td>
              <td>{formatDateTime(p.at)}</td>
              <td>{formatSeconds(p.seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
