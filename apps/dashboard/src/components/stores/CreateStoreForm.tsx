// Name and engine of a new store. The contract's own rules are checked before sending; everything
// else (address rules, reserved names, names taken, limits) is the API's to say, in its own words.
import {
  CreateStoreRequest,
  ENGINES,
  type Engine,
  type EngineAvailability,
  type ErrorCode,
  STORE_NAME_MAX_LENGTH,
} from '@storefleet/contracts';
import { type FormEvent, useId, useRef, useState } from 'react';
import { ApiRequestError, errorMessage, inputIssue } from '../../api/client.ts';
import { useCreateStore } from '../../api/queries.ts';
import { TextField } from '../TextField.tsx';
import { Button, inputClass, Notice } from '../ui.tsx';

export const ENGINE_NAMES: Record<Engine, string> = { woocommerce: 'WooCommerce', medusa: 'Medusa' };

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

/** `engines`: what this cluster can run (GET /api/platform); unknown means every engine is offered. */
export function CreateStoreForm({ engines = [] }: { engines?: readonly EngineAvailability[] }) {
  const engineId = useId();
  const engineNoteId = useId();
  const [name, setName] = useState('');
  const unavailable = new Map(engines.filter((e) => !e.available).map((e) => [e.engine, e.reason]));
  const [chosen, setEngine] = useState<Engine>();
  const engine = chosen ?? ENGINES.find((value) => !unavailable.has(value)) ?? 'woocommerce';
  const [nameError, setNameError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [created, setCreated] = useState<string>();
  const nameRef = useRef<HTMLInputElement>(null);
  const create = useCreateStore();

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
      { name: name.trim(), engine },
      {
        onSuccess: (store) => {
          setName('');
          setCreated(`“${store.name}” is on its way: follow its progress below.`);
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
      aria-label="Create a store"
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h2 className="mb-3 text-base font-semibold text-slate-900">Create a store</h2>
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
            className={inputClass}
            {...(unavailable.size > 0 ? { 'aria-describedby': engineNoteId } : {})}
          >
            {ENGINES.map((value) => (
              <option key={value} value={value} disabled={unavailable.has(value)}>
                {ENGINE_NAMES[value]}
                {unavailable.has(value) ? ' (unavailable)' : ''}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="primary" busy={create.isPending} className="sm:mt-6">
          Create store
        </Button>
      </div>
      {unavailable.size > 0 ? (
        <ul id={engineNoteId} className="mt-2 text-xs text-slate-600">
          {[...unavailable].map(([value, reason]) => (
            <li key={value}>
              {ENGINE_NAMES[value]} is unavailable here: {reason ?? 'this cluster cannot run it.'}
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
        {created}
      </p>
    </form>
  );
}
