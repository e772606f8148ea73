// The store admin's login, fetched only when asked for (every reveal is audited) and kept only in
// this component's state, never in the query cache.
import { refusal, type Store, type StoreCredentials } from '@storefleet/contracts';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage } from '../../api/client.ts';
import { useEngine } from '../../api/engines.ts';
import { CopyButton } from '../CopyButton.tsx';
import { Button, ExternalLink, Notice, Panel } from '../ui.tsx';

function Field({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  return (
    <div className="flex flex-wrap items-center gap-2 py-1.5">
      <dt className="w-24 shrink-0 text-sm text-slate-500">{label}</dt>
      <dd className="flex min-w-0 flex-1 items-center gap-2">
        <code
          className={`min-w-0 break-all rounded bg-slate-100 px-1.5 py-0.5 text-sm ${secret ? 'font-semibold' : ''}`}
        >
          {value}
        </code>
        <CopyButton value={value} what={label.toLowerCase()} />
      </dd>
    </div>
  );
}

export function CredentialsPanel({ store }: { store: Store }) {
  const [credentials, setCredentials] = useState<StoreCredentials>();
  const reveal = useMutation({
    mutationFn: () => api.revealCredentials(store.id),
    gcTime: 0,
  });
  const show = () =>
    reveal.mutate(undefined, {
      onSuccess: (revealed) => {
        setCredentials(revealed);
        // The answer holds the password; only this component's state may keep it.
        reveal.reset();
      },
    });
  const available = refusal(store, 'credentials') === null;
  const engine = useEngine(store.engine);

  return (
    <Panel
      title="Admin login"
      actions={
        credentials ? (
          <Button size="sm" onClick={() => setCredentials(undefined)}>
            Hide
          </Button>
        ) : null
      }
    >
      {credentials ? (
        <dl>
          {/* The engine says what its admin signs in with (Medusa: the e-mail address). */}
          {engine?.login === 'email' ? null : <Field label="Username" value={credentials.username} />}
          <Field label="Email" value={credentials.email} />
          <Field label="Password" value={credentials.password} secret />
          <p className="pt-2 text-sm">
            Sign in at <ExternalLink href={credentials.adminUrl}>{credentials.adminUrl}</ExternalLink>
          </p>
        </dl>
      ) : (
        <div className="space-y-2">
          <p className="text-sm text-slate-600">
            {available
              ? 'The admin password is shown only when you ask for it; each reveal is recorded.'
              : 'The credentials exist once the store secrets are written.'}
          </p>
          <Button variant="primary" busy={reveal.isPending} disabled={!available} onClick={show}>
            Reveal admin login
          </Button>
          {reveal.error ? (
            <Notice tone="error" role="alert">
              {errorMessage(reveal.error)}
            </Notice>
          ) : null}
        </div>
      )}
    </Panel>
  );
}
