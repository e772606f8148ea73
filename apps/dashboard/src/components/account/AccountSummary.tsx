// Who is signed in, and what the platform allows them: the session carries both.
import type { Role } from '@storefleet/contracts';
import { useSignedIn } from '../../api/session.ts';
import { formatBytes } from '../../lib/format.ts';
import { Fact, Panel } from '../ui.tsx';

const ROLE_WORDS: Record<Role, string> = { admin: 'Platform admin', merchant: 'Merchant' };

export function AccountSummary() {
  const { user, usage, limits } = useSignedIn();
  return (
    <Panel title="Signed in">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-5">
        <Fact label="E-mail">{user.email}</Fact>
        <Fact label="Role">{ROLE_WORDS[user.role]}</Fact>
        <Fact label="Your stores">
          <span className="tabular-nums">{usage.stores}</span> of at most{' '}
          <span className="tabular-nums">{limits.maxStoresPerUser}</span>
        </Fact>
        <Fact label="Your backups">
          <span className="tabular-nums">{formatBytes(usage.backupBytes)}</span> of at most{' '}
          <span className="tabular-nums">{formatBytes(limits.backupQuotaBytes)}</span>
        </Fact>
        <Fact label="Changes">
          At most <span className="tabular-nums">{limits.rateLimit.max}</span> per{' '}
          <span className="tabular-nums">{limits.rateLimit.windowSeconds}</span> s
        </Fact>
      </dl>
      <p className="mt-3 text-xs text-slate-500">
        The platform runs at most <span className="tabular-nums">{limits.maxStores}</span> stores in all.
      </p>
    </Panel>
  );
}
