// Admins upgrade every Ready store to the store chart this orchestrator ships, a few at a time; the
// run stops at the first store that does not come back Ready.
import type { FleetUpgrade } from '@storefleet/contracts';
import { type ReactNode, useState } from 'react';
import { useFleetUpgrades, useStartFleetUpgrade } from '../../api/queries.ts';
import { formatDateTime } from '../../lib/format.ts';
import { Empty, LoadError, Loading } from '../states.tsx';
import { Button, inputClass, Notice, Panel } from '../ui.tsx';

const STATE_TONE = { running: 'info', succeeded: 'success', halted: 'error' } as const;

function Run({ run }: { run: FleetUpgrade }) {
  const done = run.upgradedIds.length;
  const total = run.storeIds.length;
  return (
    <li className="space-y-1">
      <Notice tone={STATE_TONE[run.state]} role={run.state === 'running' ? 'status' : 'note'}>
        <p className="font-medium">
          {run.state === 'running' ? 'Running' : run.state === 'succeeded' ? 'Succeeded' : 'Halted'}: {done}{' '}
          of {total} stores upgraded
        </p>
        <p>{run.message}</p>
      </Notice>
      <div
        className="h-1.5 overflow-hidden rounded bg-slate-200"
        role="progressbar"
        aria-label="Stores upgraded"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
      >
        <div
          className="h-full bg-indigo-600"
          style={{ width: `${total === 0 ? 0 : (done / total) * 100}%` }}
        />
      </div>
      <p className="text-xs text-slate-500">
        Started {formatDateTime(run.createdAt)} by {run.createdBy}, {run.concurrency} at a time
      </p>
    </li>
  );
}

export function FleetUpgrades() {
  const runs = useFleetUpgrades();
  const start = useStartFleetUpgrade();
  const [concurrency, setConcurrency] = useState(2);
  const running = runs.data?.items.some((run) => run.state === 'running') ?? false;

  let body: ReactNode;
  if (runs.isPending) body = <Loading what="fleet upgrades" />;
  else if (runs.isError)
    body = <LoadError what="fleet upgrades" error={runs.error} onRetry={() => runs.refetch()} />;
  else if (runs.data.items.length === 0) body = <Empty title="No fleet upgrade yet" />;
  else
    body = (
      <ul className="space-y-4">
        {runs.data.items.slice(0, 5).map((run) => (
          <Run key={run.id} run={run} />
        ))}
      </ul>
    );

  return (
    <Panel title="Fleet upgrades">
      <form
        className="mb-4 flex flex-wrap items-end gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          start.mutate(concurrency);
        }}
      >
        <label className="text-sm text-slate-700">
          Stores at a time
          <input
            type="number"
            min={1}
            max={20}
            value={concurrency}
            onChange={(event) => setConcurrency(Number(event.target.value))}
            className={`${inputClass} mt-1 w-24`}
          />
        </label>
        <Button type="submit" variant="primary" busy={start.isPending} disabled={running}>
          Upgrade all Ready stores
        </Button>
      </form>
      {start.isError ? (
        <Notice tone="error" role="alert" className="mb-4">
          {start.error.message}
        </Notice>
      ) : null}
      {body}
    </Panel>
  );
}
