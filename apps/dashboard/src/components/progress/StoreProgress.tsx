// Every step of a store with its state, how long it took (or has taken so far), and what the
// cluster said about it; the failure, if any, in words.
import type { Store } from '@storefleet/contracts';
import { formatDuration, formatElapsed } from '../../lib/format.ts';
import { IN_FLIGHT, type ProgressStep, progressSteps, stepDurationMs } from '../../lib/progress.ts';
import { useNow } from '../../lib/useNow.ts';
import { Notice } from '../ui.tsx';
import { StepIcon, stepStatusWords } from './StepIcon.tsx';

function StepRow({ step, now }: { step: ProgressStep; now: number }) {
  const duration = stepDurationMs(step, now);
  const showMessage = step.status === 'running' || step.status === 'failed';
  return (
    <li className="flex gap-3 py-2" data-step={step.type} data-status={step.status}>
      <StepIcon status={step.status} />
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3">
          <span className="font-medium text-slate-900">
            {step.label}
            <span className="sr-only">: {stepStatusWords(step.status)}</span>
          </span>
          {duration !== null ? (
            <span className="text-xs tabular-nums text-slate-500">
              {step.status === 'running' ? `${formatElapsed(duration)} so far` : formatDuration(duration)}
            </span>
          ) : null}
        </div>
        {showMessage && step.message ? (
          <p className={`text-sm ${step.status === 'failed' ? 'text-red-700' : 'text-slate-600'}`}>
            {step.message}
            {step.status === 'failed' ? <span className="text-slate-500"> ({step.reason})</span> : null}
          </p>
        ) : null}
      </div>
    </li>
  );
}

export function FailureNotice({ store }: { store: Store }) {
  const { failure } = store;
  if (store.state !== 'Failed' || !failure) return null;
  return (
    <Notice tone="error" role="alert">
      <p className="font-semibold">
        The {failure.operation} failed{failure.step ? ` at step “${failure.step}”` : ''}.
      </p>
      <p className="mt-1">{failure.message}</p>
      <p className="mt-1 text-xs">
        Reason: <code>{failure.reason}</code>.{' '}
        {failure.retryable
          ? 'Retrying may help.'
          : 'Retrying will not help until the cause is fixed; deleting the store removes what was created.'}
      </p>
    </Notice>
  );
}

export function StoreProgress({ store }: { store: Store }) {
  const steps = progressSteps(store);
  const now = useNow(1_000, IN_FLIGHT.has(store.state));
  return (
    <div className="space-y-3">
      <FailureNotice store={store} />
      <ol aria-label={`Steps of ${store.name}`} className="divide-y divide-slate-100">
        {steps.map((step) => (
          <StepRow key={step.type} step={step} now={now} />
        ))}
      </ol>
    </div>
  );
}
