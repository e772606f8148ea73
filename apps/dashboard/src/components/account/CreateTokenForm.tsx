// Names a new personal API token. The name's rules are the API's: a refusal is shown at the field, in
// its own words.
import type { CreatedApiToken } from '@storefleet/contracts';
import { type FormEvent, useRef, useState } from 'react';
import { errorMessage, inputIssue } from '../../api/client.ts';
import { useCreateApiToken } from '../../api/queries.ts';
import { TextField } from '../TextField.tsx';
import { Button, Notice } from '../ui.tsx';

export function CreateTokenForm({ onCreated }: { onCreated: (created: CreatedApiToken) => void }) {
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
        <TextField
          label="Token name"
          inputRef={nameRef}
          name="name"
          placeholder="CI deploys"
          value={name}
          onChange={(value) => {
            setName(value);
            if (create.isError) create.reset();
          }}
          error={nameError}
        />
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
