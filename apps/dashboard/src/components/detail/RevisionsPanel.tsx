// Helm revisions of the store's release, with the two release actions: upgrade (to the shipped
// chart, with the replicas changed) and roll back to an earlier revision.
import { type ReleaseRevision, refusal, type Store, StoreValues } from '@storefleet/contracts';
import { type FormEvent, useId, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useRollbackStore, useStoreHistory, useUpgradeStore } from '../../api/queries.ts';
import { formatDateTime } from '../../lib/format.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Empty, LoadError, Loading } from '../states.tsx';
import { Button, inputClass, Notice, Panel } from '../ui.tsx';

/** What the lifecycle table allows: a deployed store that is Ready, or Failed after deploying. */
const canChangeRelease = (store: Store) => refusal(store, 'upgrade') === null;

function UpgradeForm({ store }: { store: Store }) {
  const inputId = useId();
  const errorId = useId();
  const [replicas, setReplicas] = useState(String(store.values.replicas ?? 1));
  const [invalid, setInvalid] = useState<string>();
  const upgrade = useUpgradeStore();
  const enabled = canChangeRelease(store);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = StoreValues.safeParse({ replicas: Number(replicas) });
    if (replicas.trim() === '' || !parsed.success) {
      setInvalid('Replicas must be a whole number from 1 to 5.');
      return;
    }
    setInvalid(undefined);
    upgrade.mutate({ id: store.id, replicas: parsed.data.replicas ?? 1 });
  };

  const error = invalid ?? (upgrade.error ? errorMessage(upgrade.error) : undefined);
  return (
    <form onSubmit={submit} noValidate aria-label="Upgrade the release" className="space-y-2">
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor={inputId} className="mb-1 block text-sm font-medium text-slate-700">
            App replicas
          </label>
          <input
            id={inputId}
            type="number"
            inputMode="numeric"
            min={1}
            max={5}
            value={replicas}
            onChange={(event) => setReplicas(event.target.value)}
            aria-invalid={invalid ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            className={`${inputClass} w-24`}
          />
        </div>
        <Button type="submit" variant="primary" busy={upgrade.isPending} disabled={!enabled}>
          Upgrade
        </Button>
      </div>
      {error ? (
        <p id={errorId} role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {!enabled ? (
        <p className="text-xs text-slate-500">Upgrades and rollbacks are possible once the store is Ready.</p>
      ) : null}
    </form>
  );
}

function RevisionRow({
  item,
  store,
  onRollback,
}: {
  item: ReleaseRevision;
  store: Store;
  onRollback: () => void;
}) {
  const current = item.revision === store.revision;
  return (
    <tr className="border-t border-slate-100 align-top">
      <td className="py-2 pr-3 font-medium tabular-nums">
        {item.revision}
        {current ? <span className="ml-1 text-xs font-normal text-emerald-700">(current)</span> : null}
      </td>
      <td className="py-2 pr-3">{item.status}</td>
      <td className="hidden whitespace-nowrap py-2 pr-3 sm:table-cell">{item.chart}</td>
      <td className="py-2 pr-3 text-slate-600">
        <span className="block">{item.description}</span>
        <span className="text-xs text-slate-500">{formatDateTime(item.updated)}</span>
      </td>
      <td className="py-2 text-right">
        {!current ? (
          <Button
            size="sm"
            disabled={!canChangeRelease(store)}
            onClick={onRollback}
            aria-label={`Roll back to revision ${item.revision}`}
          >
            Roll back
          </Button>
        ) : null}
      </td>
    </tr>
  );
}

export function RevisionsPanel({ store }: { store: Store }) {
  const history = useStoreHistory(store.id, store.revision !== null && store.state !== 'Deleted');
  const rollback = useRollbackStore();
  const [target, setTarget] = useState<number>();

  let body: React.ReactNode;
  if (store.revision === null)
    body = <Empty title="Not deployed yet">The release appears once it is installed.</Empty>;
  else if (history.isPending) body = <Loading what="revisions" />;
  else if (history.isError)
    body = <LoadError what="revisions" error={history.error} onRetry={() => history.refetch()} />;
  else
    body = (
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Helm revisions of {store.release}</caption>
        <thead>
          <tr className="text-xs uppercase text-slate-500">
            <th scope="col" className="pb-1 pr-3">
              Rev.
            </th>
            <th scope="col" className="pb-1 pr-3">
              Status
            </th>
            <th scope="col" className="hidden pb-1 pr-3 sm:table-cell">
              Chart
            </th>
            <th scope="col" className="pb-1 pr-3">
              Description
            </th>
            <th scope="col" className="pb-1">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {[...history.data.items].reverse().map((item) => (
            <RevisionRow
              key={item.revision}
              item={item}
              store={store}
              onRollback={() => setTarget(item.revision)}
            />
          ))}
        </tbody>
      </table>
    );

  return (
    <Panel title="Helm release">
      <div className="space-y-4">
        <p className="text-sm text-slate-600">
          Release <code>{store.release}</code>
          {store.chartVersion ? <> · chart {store.chartVersion}</> : null}
          {store.revision !== null ? <> · revision {store.revision}</> : null}
        </p>
        <UpgradeForm store={store} />
        {body}
        {rollback.error && target === undefined ? (
          <Notice tone="error" role="alert">
            {errorMessage(rollback.error)}
          </Notice>
        ) : null}
      </div>
      {target !== undefined ? (
        <ConfirmDialog
          title={`Roll back to revision ${target}?`}
          confirmLabel="Roll back"
          busy={rollback.isPending}
          error={rollback.error ? errorMessage(rollback.error) : undefined}
          onCancel={() => {
            setTarget(undefined);
            rollback.reset();
          }}
          onConfirm={() =>
            rollback.mutate({ id: store.id, revision: target }, { onSuccess: () => setTarget(undefined) })
          }
        >
          The release goes back to the chart and values of revision {target}; Helm records it as a new
          revision.
        </ConfirmDialog>
      ) : null}
    </Panel>
  );
}
