import type { Store } from '@storefleet/contracts';
import { ExternalLink } from '../ui.tsx';

/** States in which the store's release is deployed and its URLs mean something. */
const SERVING = new Set<Store['state']>(['Ready', 'Upgrading', 'RollingBack']);

export function StoreLinks({ store }: { store: Store }) {
  if (!SERVING.has(store.state)) return <span className="text-slate-400">—</span>;
  return (
    <span className="flex flex-wrap gap-x-3 gap-y-1 text-sm">
      <ExternalLink href={store.urls.storefront} label={`Storefront of ${store.name}`}>
        Storefront
      </ExternalLink>
      <ExternalLink href={store.urls.admin} label={`Admin of ${store.name}`}>
        Admin
      </ExternalLink>
    </span>
  );
}
