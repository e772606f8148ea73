// Audit entries as a table; on a phone-width screen each entry becomes a card with labelled fields.
import type { AuditRecord } from '@storefleet/contracts';
import { formatDateTime } from '../../lib/format.ts';
import { CardCell, CardRow, CardTable } from '../CardTable.tsx';

const COLUMNS = ['Time', 'Actor', 'IP', 'Action', 'Target', 'Outcome', 'Reason'] as const;

const OUTCOME_STYLES: Record<AuditRecord['outcome'], string> = {
  success: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  denied: 'bg-amber-50 text-amber-800 ring-amber-300',
  error: 'bg-red-50 text-red-800 ring-red-300',
};

const none = <span className="text-slate-400">—</span>;

function AuditRow({ entry }: { entry: AuditRecord }) {
  return (
    <CardRow data-audit-id={entry.id}>
      <CardCell label="Time">
        <time dateTime={entry.createdAt} className="whitespace-nowrap tabular-nums">
          {formatDateTime(entry.createdAt)}
        </time>
      </CardCell>
      <CardCell label="Actor">
        <span className="break-all">{entry.actor}</span>
      </CardCell>
      <CardCell label="IP">
        {entry.ip ? <span className="whitespace-nowrap">{entry.ip}</span> : none}
      </CardCell>
      <CardCell label="Action">
        <code className="break-all">{entry.action}</code>
      </CardCell>
      <CardCell label="Target">
        {entry.target ? <code className="break-all text-xs">{entry.target}</code> : none}
      </CardCell>
      <CardCell label="Outcome">
        <span
          className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${OUTCOME_STYLES[entry.outcome]}`}
        >
          {entry.outcome}
          {entry.statusCode !== null ? ` · ${entry.statusCode}` : ''}
        </span>
      </CardCell>
      <CardCell label="Reason">
        {entry.reason ? <code className="break-all">{entry.reason}</code> : none}
      </CardCell>
    </CardRow>
  );
}

export function AuditTable({ entries }: { entries: AuditRecord[] }) {
  return (
    <CardTable caption="Audit trail" columns={COLUMNS}>
      {entries.map((entry) => (
        <AuditRow key={entry.id} entry={entry} />
      ))}
    </CardTable>
  );
}
