import type { StepStatus } from '../../lib/progress.ts';
import { Spinner } from '../ui.tsx';

const WORDS: Record<StepStatus, string> = {
  done: 'done',
  running: 'in progress',
  failed: 'failed',
  pending: 'not started',
  removed: 'removed',
};

export function StepIcon({ status }: { status: StepStatus }) {
  const shared = 'inline-flex size-5 shrink-0 items-center justify-center rounded-full text-xs font-bold';
  const label = { role: 'img', 'aria-label': WORDS[status] } as const;
  switch (status) {
    case 'done':
      return (
        <span {...label} className={`${shared} bg-emerald-100 text-emerald-700`}>
          ✓
        </span>
      );
    case 'failed':
      return (
        <span {...label} className={`${shared} bg-red-100 text-red-700`}>
          ✕
        </span>
      );
    case 'running':
      return (
        <span {...label} className={`${shared} text-sky-600`}>
          <Spinner />
        </span>
      );
    default:
      return <span {...label} className={`${shared} border-2 border-slate-300`} />;
  }
}

export const stepStatusWords = (status: StepStatus) => WORDS[status];
