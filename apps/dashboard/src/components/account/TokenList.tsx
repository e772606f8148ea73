// The user's personal API tokens, revoked ones included, with revocation after a confirmation.
import type { ApiToken } from '@storefleet/contracts';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useApiTokens, useRevokeApiToken } from '../../api/queries.ts';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Empty, LoadError, Loading } from '../states.tsx';
import { Button } from '../ui.tsx';

function When({ iso, now }: { iso: string; now: number }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}

function TokenRow({ token, now, onRevoke }: { token: ApiToken; now: number; onRevoke: () => void }) {
  const revoked = token.revokedAt !== null;
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-3">
      <div className="min-w-0">
        <p className={`break-words font-medium ${revoked ? 'text-slate-500' : 'text-slate-900'}`}>
          {token.name}
          {revoked ? (
            <span className="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold text-slate-600">
              Revoked
            </span>
          ) : null}
        </p>
        <p className="text-xs text-slate-500">
          <code>{token.prefix}…</code> · created <When iso={token.createdAt} now={now} /> ·{' '}
          {token.lastUsedAt ? (
            <>
              last used <When iso={token.lastUsedAt} now={now} />
            </>
          ) : (
            'never used'
          )}
          {token.revokedAt ? (
            <>
              {' '}
              · revoked <When iso={token.revokedAt} now={now} />
            </>
          ) : null}
        </p>
      </div>
      {!revoked ? (
        <Button size="sm" variant="dangerOutline" onClick={onRevoke} aria-label={`Revoke ${token.name}`}>
          Revoke
        </Button>
      ) : null}
    </li>
  );
}

export function TokenList() {
  const tokens = useApiTokens();
  const revoke = useRevokeApiToken();
  const [revoking, setRevoking] = useState<ApiToken>();
  const now = useNow(30_000);

  if (tokens.isPending) return <Loading what="your API tokens" />;
  if (tokens.isError)
    return <LoadError what="your API tokens" error={tokens.error} onRetry={() => tokens.refetch()} />;
  if (tokens.data.items.length === 0)
    return <Empty title="No API tokens yet">Create one above to call the API from a script.</Empty>;

  return (
    <>
      <ul aria-label="Your API tokens" className="divide-y divide-slate-100">
        {tokens.data.items.map((token) => (
          <TokenRow
            key={token.id}
            token={token}
            now={now}
            onRevoke={() => {
              revoke.reset();
              setRevoking(token);
            }}
          />
        ))}
      </ul>
      {revoking ? (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke token"
          busy={revoke.isPending}
          error={revoke.error ? errorMessage(revoke.error) : undefined}
          onCancel={() => setRevoking(undefined)}
          onConfirm={() => revoke.mutate(revoking.id, { onSuccess: () => setRevoking(undefined) })}
        >
          Anything that calls the API with this token is refused from now on. This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </>
  );
}
