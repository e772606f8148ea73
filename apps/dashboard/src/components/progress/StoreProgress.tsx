// Every step of a store with its state, how long it took (or has taken so far), and what the
// cluster said about it; the failure, if any, in words.
import { type LeftBehind, LIFECYCLE, type OperationPlan, type Step, type Store } from '@storefleet/contracts';
import { formatDuration, formatElapsed } from '../../lib/format.ts';
import { IN_FLIGHT, type ProgressStep, progressSteps, stepDurationMs } from '../../lib/progress.ts';
import { useNow } from '../../lib/useNow.ts';
import { Notice } from '../ui.tsx';
import { QueueNotice } from './QueueNotice.tsx';
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

const DATA_WORDS: Record<LeftBehind['data'], string> = {
  unchanged: 'The store’s data is as it was before: the backup was not applied.',
  'database-replaced': 'The database now holds the backup’s data.',
  replaced: 'The store’s data is the backup’s.',
};
const APP_WORDS: Record<LeftBehind['app'], string> = {
  stopped: 'The app is stopped.',
  started: 'The app was started on that data but did not become ready.',
  running: 'The app runs, but the uploaded files were not all put back.',
};

/** Where a failed data operation left the store, as its plan in the lifecycle table says. */
export function leftBehind(store: Store): LeftBehind | undefined {
  const { failure } = store;
  if (!failure?.step) return undefined;
  const plan: OperationPlan = LIFECYCLE[failure.operation];
  return plan.leaves?.[failure.step as Step];
}

export function FailureNotice({ store }: { store: Store }) {
  const { failure } = store;
  if (store.state !== 'Failed' || !failure) return null;
  const left = leftBehind(store);
  return (
    <Notice tone="error" role="alert">
      <p className="font-semibold">
        The {failure.operation} failed{failure.step ? ` at step “${failure.step}”` : ''}.
      </p>
      <p className="mt-1">{failure.message}</p>
      {left ? (
        <p className="mt-1" data-testid="left-behind">
          {DATA_WORDS[left.data]} {APP_WORDS[left.app]} Restore the same backup again, start the app on the
          data it has, or delete the store.
        </p>
      ) : null}
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
      <QueueNotice store={store} />
      <ol aria-label={`Steps of ${store.name}`} className="divide-y divide-slate-100">
        {steps.map((step) => (
          <StepRow key={step.type} step={step} now={now} />
        ))}
      </ol>
    </div>
  );
}
