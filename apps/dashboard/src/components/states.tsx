// What a page shows while it waits, when it failed, and when there is nothing to show.
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client.ts';
import { Button, Notice, Spinner } from './ui.tsx';

export function Loading({ what }: { what: string }) {
  return (
    <div role="status" className="flex items-center gap-2 py-6 text-sm text-slate-600">
      <Spinner />
      Loading {what}…
    </div>
  );
}

export function LoadError({ what, error, onRetry }: { what: string; error: unknown; onRetry?: () => void }) {
  return (
    <Notice tone="error" role="alert" className="flex flex-wrap items-center justify-between gap-2">
      <span>
        Could not load {what}: {errorMessage(error)}
      </span>
      {onRetry ? (
        <Button size="sm" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </Notice>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-md border border-dashed border-slate-300 px-4 py-8 text-center">
      <p className="font-medium text-slate-800">{title}</p>
      {children ? <div className="mt-1 text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}
