import { type ReactNode, useState } from 'react';
import { ApiRequestError, type AuditFilters } from '../api/client.ts';
import { useAuditTrail } from '../api/queries.ts';
import { useSignedIn } from '../api/session.ts';
import { AuditFilterForm } from '../components/audit/AuditFilterForm.tsx';
import { AuditTable } from '../components/audit/AuditTable.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { Empty, LoadError, Loading } from '../components/states.tsx';
import { Button } from '../components/ui.tsx';

function AdminsOnly() {
  return (
    <Empty title="Admins only">
      The audit trail is visible to platform admins; ask one if you need to know who did what.
    </Empty>
  );
}

function AuditTrail() {
  const [filters, setFilters] = useState<AuditFilters>({});
  const audit = useAuditTrail(filters);
  const filtered = Object.keys(filters).length > 0;
  // An admin whose role was taken away since signing in.
  if (audit.error instanceof ApiRequestError && audit.error.status === 403) return <AdminsOnly />;

  let body: ReactNode;
  if (audit.isPending) body = <Loading what="the audit trail" />;
  else if (audit.isError)
    body = <LoadError what="the audit trail" error={audit.error} onRetry={() => audit.refetch()} />;
  else {
    const entries = audit.data.pages.flatMap((page) => page.items);
    body = (
      <section aria-labelledby="audit-entries-heading" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="audit-entries-heading" className="text-base font-semibold text-slate-900">
            Entries <span className="font-normal text-slate-500">({entries.length} shown)</span>
          </h2>
          <Button size="sm" busy={audit.isRefetching} onClick={() => audit.refetch()}>
            Refresh
          </Button>
        </div>
        {entries.length === 0 ? (
          <Empty title={filtered ? 'No entries match these filters' : 'Nothing has been recorded yet'} />
        ) : (
          <AuditTable entries={entries} />
        )}
        {audit.hasNextPage ? (
          <Button busy={audit.isFetchingNextPage} onClick={() => audit.fetchNextPage()}>
            Load more entries
          </Button>
        ) : null}
      </section>
    );
  }

  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-600">
        Every change asked of the API, refused and failed ones included, newest first.
      </p>
      <AuditFilterForm applied={filters} onApply={setFilters} />
      {body}
    </div>
  );
}

export function AuditPage() {
  const { user } = useSignedIn();
  return (
    <>
      <PageHeading>Audit trail</PageHeading>
      {user.role === 'admin' ? <AuditTrail /> : <AdminsOnly />}
    </>
  );
}
