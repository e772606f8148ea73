// The insight panels load with their chart library on first use, so the rest of the dashboard
// does not wait for it.
import type { Store } from '@storefleet/contracts';
import { lazy, Suspense } from 'react';
import { Loading } from '../states.tsx';

const StorePanel = lazy(() =>
  import('./StoreInsightsPanel.tsx').then((m) => ({ default: m.StoreInsightsPanel })),
);
const FleetPanel = lazy(() =>
  import('./FleetInsightsPanel.tsx').then((m) => ({ default: m.FleetInsightsPanel })),
);

export function StoreInsights({ store }: { store: Store }) {
  return (
    <Suspense fallback={<Loading what="insights" />}>
      <StorePanel store={store} />
    </Suspense>
  );
}

export function FleetInsights() {
  return (
    <Suspense fallback={<Loading what="fleet insights" />}>
      <FleetPanel />
    </Suspense>
  );
}
