// Filters of the audit trail. Each one matches exactly, as the API does; they apply when the form is
// sent, so typing does not fire a request per key.
import { AuditOutcome } from '@storefleet/contracts';
import { type FormEvent, useId, useState } from 'react';
import type { AuditFilters } from '../../api/client.ts';
import { TextField } from '../TextField.tsx';
import { Button, inputClass } from '../ui.tsx';

/** Suggestions only: a call without an action name of its own is recorded as "METHOD /route". */
const KNOWN_ACTIONS = [
  'auth.signup',
  'auth.signin',
  'auth.signout',
  'token.create',
  'token.revoke',
  'store.create',
  'store.delete',
  'store.retry',
  'store.upgrade',
  'store.rollback',
  'store.credentials_reveal',
  'fleet.upgrade',
];

type Draft = { actor: string; action: string; outcome: string; target: string };

const toDraft = (filters: AuditFilters): Draft => ({
  actor: filters.actor ?? '',
  action: filters.action ?? '',
  outcome: filters.outcome ?? '',
  target: filters.target ?? '',
});

function toFilters(draft: Draft): AuditFilters {
  const outcome = AuditOutcome.safeParse(draft.outcome);
  return {
    ...(draft.actor.trim() ? { actor: draft.actor.trim() } : {}),
    ...(draft.action.trim() ? { action: draft.action.trim() } : {}),
    ...(outcome.success ? { outcome: outcome.data } : {}),
    ...(draft.target.trim() ? { target: draft.target.trim() } : {}),
  };
}

export function AuditFilterForm({
  applied,
  onApply,
}: {
  applied: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}) {
  const outcomeId = useId();
  const actionsId = useId();
  const [draft, setDraft] = useState(() => toDraft(applied));
  const set = (field: keyof Draft) => (value: string) => setDraft({ ...draft, [field]: value });
  const filtered = Object.keys(applied).length > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(toFilters(draft));
  };
  const clear = () => {
    setDraft(toDraft({}));
    onApply({});
  };

  return (
    <form
      onSubmit={submit}
      aria-label="Filter the audit trail"
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <TextField
          spellCheck={false}
          label="Actor"
          value={draft.actor}
          onChange={set('actor')}
          placeholder="someone@example.com"
        />
        <TextField
          spellCheck={false}
          label="Action"
          value={draft.action}
          onChange={set('action')}
          placeholder="store.create"
          list={actionsId}
        />
        <div>
          <label htmlFor={outcomeId} className="mb-1 block text-sm font-medium text-slate-700">
            Outcome
          </label>
          <select
            id={outcomeId}
            value={draft.outcome}
            onChange={(event) => set('outcome')(event.target.value)}
            className={inputClass}
          >
            <option value="">Any outcome</option>
            {AuditOutcome.options.map((outcome) => (
              <option key={outcome} value={outcome}>
                {outcome}
              </option>
            ))}
          </select>
        </div>
        <TextField
          spellCheck={false}
          label="Target"
          value={draft.target}
          onChange={set('target')}
          placeholder="a store or token id"
        />
      </div>
      <datalist id={actionsId}>
        {KNOWN_ACTIONS.map((action) => (
          <option key={action} value={action} />
        ))}
      </datalist>
      <div className="mt-3 flex flex-wrap gap-2">
        <Button type="submit" variant="primary">
          Apply filters
        </Button>
        {filtered ? <Button onClick={clear}>Clear filters</Button> : null}
      </div>
    </form>
  );
}
