// The range of the charts: last hour, 24 hours or 7 days, as one group of radio buttons.
import { INSIGHT_RANGES, type InsightRange } from '@storefleet/contracts';
import { useId } from 'react';
import { RANGE_LABELS } from './format.ts';

export function RangePicker({
  value,
  onChange,
}: {
  value: InsightRange;
  onChange: (range: InsightRange) => void;
}) {
  const name = useId();
  return (
    <fieldset className="flex rounded-md border border-slate-300 text-sm">
      <legend className="sr-only">Time range</legend>
      {INSIGHT_RANGES.map((range) => (
        <label
          key={range}
          className={`cursor-pointer px-2.5 py-1 first:rounded-l-md last:rounded-r-md has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600 ${
            range === value ? 'bg-indigo-600 text-white' : 'bg-white text-slate-700 hover:bg-slate-100'
          }`}
          title={RANGE_LABELS[range]}
        >
          <input
            type="radio"
            name={name}
            value={range}
            checked={range === value}
            onChange={() => onChange(range)}
            className="sr-only"
          />
          {range}
        </label>
      ))}
    </fieldset>
  );
}
