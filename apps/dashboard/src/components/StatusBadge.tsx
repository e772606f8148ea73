import type { StoreState } from '@storefleet/contracts';
import { IN_FLIGHT } from '../lib/progress.ts';
import { Spinner } from './ui.tsx';

const STATE_STYLES: Record<StoreState, string> = {
  Queued: 'bg-slate-100 text-slate-700 ring-slate-300',
  Provisioning: 'bg-sky-50 text-sky-800 ring-sky-300',
  Ready: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  Failed: 'bg-red-50 text-red-800 ring-red-300',
  Upgrading: 'bg-violet-50 text-violet-800 ring-violet-300',
  RollingBack: 'bg-violet-50 text-violet-800 ring-violet-300',
  Deleting: 'bg-amber-50 text-amber-800 ring-amber-300',
  Deleted: 'bg-slate-50 text-slate-500 ring-slate-200',
  BackingUp: 'bg-teal-50 text-teal-800 ring-teal-300',
  Restoring: 'bg-orange-50 text-orange-800 ring-orange-300',
  Sleeping: 'bg-indigo-50 text-indigo-800 ring-indigo-300',
  Asleep: 'bg-indigo-100 text-indigo-900 ring-indigo-300',
  Waking: 'bg-sky-50 text-sky-800 ring-sky-300',
};

const STATE_WORDS: Record<StoreState, string> = {
  Queued: 'Queued',
  Provisioning: 'Provisioning',
  Ready: 'Ready',
  Failed: 'Failed',
  Upgrading: 'Upgrading',
  RollingBack: 'Rolling back',
  Deleting: 'Deleting',
  Deleted: 'Deleted',
  BackingUp: 'Backing up',
  Restoring: 'Restoring',
  Sleeping: 'Going to sleep',
  Asleep: 'Asleep',
  Waking: 'Waking up',
};

/** The state in words, as the badge shows it. */
export const stateWords = (state: StoreState) => STATE_WORDS[state];

/** The store state as a coloured badge; `animated` spins for states in which work is under way. */
export function StatusBadge({ state, animated = true }: { state: StoreState; animated?: boolean }) {
  return (
    <span
      data-state={state}
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${STATE_STYLES[state]}`}
    >
      {animated && IN_FLIGHT.has(state) && state !== 'Queued' ? <Spinner /> : null}
      {STATE_WORDS[state]}
    </span>
  );
}
