// Name and engine of a new store. The contract's own rules are checked before sending; everything
// else (address rules, reserved names, names taken, limits) is the API's to say, in its own words.
import {
  CreateStoreRequest,
  type Engine,
  type EngineAvailability,
  type ErrorCode,
  STORE_NAME_MAX_LENGTH,
} from '@storefleet/contracts';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiRequestError, errorMessage, inputIssue } from '../../api/client.ts';
import { useCreateStore, usePlatform } from '../../api/queries.ts';
import { Link } from '../../router/router.tsx';
import { TextField } from '../TextField.tsx';
import { Button, inputClass, Notice } from '../ui.tsx';

/** API error codes that are about the name the person typed. */
const NAME_ERRORS: ReadonlySet<ApiRequestError['code']> = new Set<ErrorCode>([
  'INVALID_STORE_NAME',
  'STORE_NAME_TAKEN',
]);

function localNameError(name: string, engine: Engine): string | undefined {
  const result = CreateStoreRequest.safeParse({ name, engine });
  if (result.success) return undefined;
  const issue = result.error.issues.find((i) => i.path[0] === 'name');
  if (!issue) return undefined;
  return issue.code === 'too_big'
    ? `Store name must be at most ${STORE_NAME_MAX_LENGTH} characters.`
    : `Store ${issue.message}.`;
}

/** Splits an API error into what belongs under the name field and what belongs to the whole form. */
function placeError(error: unknown): { name?: string; form?: string } {
  if (!(error instanceof ApiRequestError)) return { form: errorMessage(error) };
  if (NAME_ERRORS.has(error.code)) return { name: error.message };
  const nameIssue = inputIssue(error, 'body.name');
  if (nameIssue) return { name: `Store name ${nameIssue}` };
  return { form: error.message };
}

/** A backup a new store starts from: the store is provisioned with its engine, then restored from it. */
export interface BackupSource {
  id: string;
  engine: Engine;
  /** Which backup, in words: "the backup of Acme Shoes from 29 Nov 2026, 03:00:00". */
  description: string;
}

/**
 * `engines`: the engines offered (default: those GET /api/platform lists, with what this cluster can run).
 * `fromBackup`: the form makes a store from that backup (its engine is fixed); `onCancel` closes it.
 */
export function CreateStoreForm({
  engines: given,
  fromBackup,
  onCancel,
}: {
  engines?: readonly EngineAvailability[];
  fromBackup?: BackupSource;
  onCancel?: () => void;
}) {
  const platform = usePlatform();
  const engines = given ?? platform.data?.engines ?? [];
  const names = new Map(engines.map((e) => [e.engine, e.displayName]));
  const engineId = useId();
  const engineNoteId = useId();
  const [name, setName] = useState('');
  const unavailable = new Map(engines.filter((e) => !e.available).map((e) => [e.engine, e.reason]));
  const [chosen, setEngine] = useState<Engine>();
  const engine =
    fromBackup?.engine ?? chosen ?? engines.find((e) => e.available)?.engine ?? engines[0]?.engine ?? '';
  const [nameError, setNameError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [created, setCreated] = useState<{ id: string; text: string }>();
  const nameRef = useRef<HTMLInputElement>(null);
  const create = useCreateStore();
  const title = fromBackup ? 'New store from a backup' : 'Create a store';

  // Opened from a backup's row: the name is the one thing left to type.
  useEffect(() => {
    if (fromBackup) nameRef.current?.focus();
  }, [fromBackup]);

  const showNameError = (message: string) => {
    setNameError(message);
    nameRef.current?.focus();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    setCreated(undefined);
    const local = localNameError(name, engine);
    if (local) return showNameError(local);
    setNameError(undefined);
    create.mutate(
      { name: name.trim(), engine, ...(fromBackup ? { fromBackup: fromBackup.id } : {}) },
      {
        onSuccess: (store) => {
          setName('');
          setCreated({
            id: store.id,
            text: fromBackup
              ? `“${store.name}” is on its way: it is provisioned, then restored from the backup.`
              : `“${store.name}” is on its way: follow its progress below.`,
          });
        },
        onError: (error) => {
          const placed = placeError(error);
          if (placed.name) showNameError(placed.name);
          if (placed.form) setFormError(placed.form);
        },
      },
    );
  };

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={title}
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      {fromBackup ? (
        <>
          <h3 className="text-base font-semibold text-slate-900">{title}</h3>
          <p className="mb-3 text-sm text-slate-600">
            The new store starts with the data of {fromBackup.description}; the store the backup was made of
            is not changed.
          </p>
        </>
      ) : (
        <h2 className="mb-3 text-base font-semibold text-slate-900">{title}</h2>
      )}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <TextField
          label="Store name"
          inputRef={nameRef}
          name="name"
          placeholder="Acme Shoes"
          value={name}
          onChange={(value) => {
            setName(value);
            if (nameError) setNameError(localNameError(value, engine));
          }}
          error={nameError}
        />
        <div className="sm:w-44">
          <label htmlFor={engineId} className="mb-1 block text-sm font-medium text-slate-700">
            Engine
          </label>
          <select
            id={engineId}
            name="engine"
            value={engine}
            onChange={(event) => setEngine(event.target.value as Engine)}
            // A backup is restored into a store of its own engine.
            disabled={Boolean(fromBackup)}
            className={inputClass}
            {...(unavailable.size > 0 ? { 'aria-describedby': engineNoteId } : {})}
          >
            {/* A backup's engine is offered even before the platform's list has loaded. */}
            {engine && !names.has(engine) ? <option value={engine}>{engine}</option> : null}
            {engines.map(({ engine: value, displayName }) => (
              <option key={value} value={value} disabled={unavailable.has(value)}>
                {displayName}
                {unavailable.has(value) ? ' (unavailable)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="flex gap-2 sm:mt-6">
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create store
          </Button>
          {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
        </div>
      </div>
      {unavailable.size > 0 ? (
        <ul id={engineNoteId} className="mt-2 text-xs text-slate-600">
          {[...unavailable].map(([value, reason]) => (
            <li key={value}>
              {names.get(value) ?? value} is unavailable here: {reason ?? 'this cluster cannot run it.'}
            </li>
          ))}
        </ul>
      ) : null}
      {formError ? (
        <Notice tone="error" role="alert" className="mt-3">
          {formError}
        </Notice>
      ) : null}
      <p role="status" className="mt-2 text-sm text-emerald-800 empty:hidden">
        {created ? (
          <>
            {created.text}
            {fromBackup ? (
              <>
                {' '}
                <Link to={`/stores/${created.id}`} className="font-medium text-indigo-700 underline">
                  Open the new store
                </Link>
              </>
            ) : null}
          </>
        ) : null}
      </p>
    </form>
  );
}
