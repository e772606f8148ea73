// The API a store page asks, mocked: the store itself (as `current()` says it is now), its activity,
// Helm history, resources and backups, the platform and the session; `routes` adds or overrides.
import type { BackupList, Store, StoreInsights } from '@storefleet/contracts';
import { mockApi, platformInfo, session } from './support.tsx';

type Routes = Parameters<typeof mockApi>[0];

/** A store's insights with no sample yet. */
export const emptyInsights = (storeId: string): StoreInsights => ({
  storeId,
  range: '1h',
  stepSeconds: 60,
  sampleIntervalSeconds: 60,
  points: [],
  events: [],
  totals: {
    requests: null,
    clientErrors: null,
    serverErrors: null,
    orders: null,
    revenue: null,
    currency: null,
  },
});

export function storePageApi(current: () => Store, backups: () => BackupList, routes: Routes = {}) {
  const id = current().id;
  return mockApi({
    'GET /api/auth/session': () => session,
    [`GET /api/stores/${id}`]: () => current(),
    [`GET /api/stores/${id}/activity`]: () => ({ items: [], nextCursor: null }),
    [`GET /api/stores/${id}/history`]: () => ({ items: [] }),
    [`GET /api/stores/${id}/resources`]: () => ({ namespace: current().namespace, items: [], events: [] }),
    [`GET /api/stores/${id}/backups`]: () => backups(),
    [`GET /api/stores/${id}/insights`]: () => emptyInsights(id),
    [`GET /api/stores/${id}/domains`]: () => ({ items: [] }),
    'GET /api/platform': platformInfo,
    ...routes,
  });
}
