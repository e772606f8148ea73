// Names a new personal API token. The name's rules are the API's: a refusal is shown at the field, in
// its own words.
import type { CreatedApiToken } from '@storefleet/contracts';
import { type FormEvent, useId, useRef, useState } from 'react';
import { errorMessage, inputIssue } from '../../api/client.ts';
import { useCreateApiToken } from '../../api/queries.ts';
import { Button, inputClass, Notice } from '../ui.tsx';

export function CreateTokenForm({ onCreated }: { onCreated: (created: CreatedApiToken) => void }) {
  const nameId = useId();
  const nameErrorId = useId();
  const nameRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const create = useCreateApiToken();
  const nameError = inputIssue(create.error, 'body.name');
  const formError = create.error && !nameError ? errorMessage(create.error) : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(name.trim(), {
      onSuccess: (created) => {
        setName('');
        onCreated(created);
        // The answer holds the secret; only the panel that shows it may keep it.
        create.reset();
      },
      onError: (error) => {
        if (inputIssue(error, 'body.name')) nameRef.current?.focus();
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Create an API token" className="space-y-2">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <div className="flex-1">
          <label htmlFor={nameId} className="mb-1 block text-sm font-medium text-slate-700">
            Token name
          </label>
          <input
            ref={nameRef}
            id={nameId}
            name="name"
            type="text"
            autoComplete="off"
            placeholder="CI deploys"
            value={name}
            onChange={(event) => {
              setName(event.target.value);
              if (create.isError) create.reset();
            }}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? nameErrorId : undefined}
            className={inputClass}
          />
          {nameError ? (
            <p id={nameErrorId} className="mt-1 text-sm text-red-700">
              {nameError}
            </p>
          ) : null}
        </div>
        <Button type="submit" variant="primary" busy={create.isPending} className="sm:mt-6">
          Create token
        </Button>
      </div>
      {formError ? (
        <Notice tone="error" role="alert">
          {formError}
        </Notice>
      ) : null}
    </form>
  );
}
