// The compact progress of a store in the list: a bar of the steps of its operation (the provision's
// six, a restore's four, ...) and the one line that says what is happening now.
import type { Store } from '@storefleet/contracts';
import { formatElapsed } from '../../lib/format.ts';
import { headline, IN_FLIGHT, progressSteps, type Tone } from '../../lib/progress.ts';
import { useNow } from '../../lib/useNow.ts';

const SEGMENT = {
  done: 'bg-emerald-500',
  running: 'bg-sky-400 animate-pulse',
  failed: 'bg-red-500',
  pending: 'bg-slate-200',
  removed: 'bg-slate-200',
} as const;

const TONE = {
  neutral: 'text-slate-600',
  working: 'text-sky-800',
  success: 'text-emerald-800',
  warning: 'text-amber-800',
  error: 'text-red-700',
} satisfies Record<Tone, string>;

export function ProgressSummary({ store }: { store: Store }) {
  const steps = progressSteps(store);
  const line = headline(store, steps);
  const inFlight = IN_FLIGHT.has(store.state);
  const now = useNow(1_000, inFlight);
  const done = steps.filter((step) => step.status === 'done').length;
  const runningSince = line.step?.status === 'running' ? line.step.startedAt : null;
  const showBar = !['Ready', 'Asleep', 'Deleting', 'Deleted'].includes(store.state);
  return (
    <div className="min-w-0 space-y-1">
      {showBar ? (
        <div
          role="progressbar"
          aria-label={`Progress of ${store.name}`}
          aria-valuemin={0}
          aria-valuemax={steps.length}
          aria-valuenow={done}
          aria-valuetext={`${done} of ${steps.length} steps done`}
          className="flex max-w-56 gap-0.5"
        >
          {steps.map((step) => (
            <span
              key={step.type}
              title={`${step.label}: ${step.status}`}
              className={`h-1.5 flex-1 rounded-full ${SEGMENT[step.status]}`}
            />
          ))}
        </div>
      ) : null}
      {store.state !== 'Ready' ? (
        <p className={`text-sm ${TONE[line.tone]}`} data-testid="progress-line">
          {line.text}
          {runningSince ? (
            <span className="text-xs tabular-nums text-slate-500">
              {' '}
              · {formatElapsed(now - new Date(runningSince).getTime())}
            </span>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
