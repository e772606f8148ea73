import type { Store } from '@storefleet/contracts';
import { ExternalLink } from '../ui.tsx';

/** States in which the store's release is deployed and its URLs mean something. */
const SERVING = new Set<Store['state']>(['Ready', 'Upgrading', 'RollingBack', 'BackingUp']);

export function StoreLinks({ store }: { store: Store }) {
  if (store.state === 'Asleep') {
    // The platform answers an asleep store's address with its "this store is asleep" page.
    return (
      <span className="flex flex-wrap items-baseline gap-x-2 gap-y-1 text-sm">
        <ExternalLink
          href={store.urls.storefront}
          label={`Storefront of ${store.name} (shows the asleep page)`}
        >
          Storefront
        </ExternalLink>
        <span className="text-xs text-slate-500">shows the asleep page</span>
      </span>
    );
  }
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
