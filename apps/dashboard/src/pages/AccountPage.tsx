import { AccountSummary } from '../components/account/AccountSummary.tsx';
import { ApiTokensPanel } from '../components/account/ApiTokensPanel.tsx';
import { PageHeading } from '../components/PageHeading.tsx';

export function AccountPage() {
  return (
    <>
      <PageHeading>Your account</PageHeading>
      <div className="space-y-6">
        <AccountSummary />
        <ApiTokensPanel />
      </div>
    </>
  );
}
