// Personal API tokens: create one (its secret shown once), list them, revoke them. The secret lives
// only in this panel's state, so it is gone once it is dismissed or the page is left.
import type { CreatedApiToken } from '@storefleet/contracts';
import { useState } from 'react';
import { Panel } from '../ui.tsx';
import { CreateTokenForm } from './CreateTokenForm.tsx';
import { NewTokenSecret } from './NewTokenSecret.tsx';
import { TokenList } from './TokenList.tsx';

export function ApiTokensPanel() {
  const [created, setCreated] = useState<CreatedApiToken>();
  return (
    <Panel title="Personal API tokens">
      <div className="space-y-4">
        <p className="text-sm text-slate-600">
          A token lets a script or CI job call the Storefleet API as you, with your stores and limits: send it
          as <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;token&gt;</code>.
        </p>
        <CreateTokenForm onCreated={setCreated} />
        {created ? <NewTokenSecret created={created} onDone={() => setCreated(undefined)} /> : null}
        <TokenList />
      </div>
    </Panel>
  );
}
