// Domain records to API shapes (packages/contracts). Dates become ISO strings; nothing secret leaves.
import type { ActivityEntry, Store as ApiStore } from '@storefleet/contracts';
import type { ActivityRecord } from '../db/activity-repository.ts';
import { provisioningSeconds, type Store } from '../domain/store.ts';
import { storeUrls } from '../domain/urls.ts';

export interface PresentationSettings {
  baseDomain: string;
  scheme: 'http' | 'https';
  port?: number;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentStore(store: Store, settings: PresentationSettings): ApiStore {
  return {
    id: store.id,
    slug: store.slug,
    name: store.name,
    engine: store.engine,
    ownerId: store.ownerId,
    state: store.state,
    generation: store.generation,
    observedGeneration: store.observedGeneration,
    conditions: store.conditions,
    failure: store.failure,
    attempts: store.attempts,
    operation: store.operation,
    stepTimings: store.stepTimings,
    namespace: store.namespace,
    release: store.release,
    revision: store.revision,
    chartVersion: store.chartVersion,
    values: store.values,
    urls: storeUrls(
      store.slug,
      store.engine,
      settings.baseDomain,
      settings.scheme,
      settings.port,
      store.values.domains?.primary,
    ),
    provisioningSeconds: provisioningSeconds(store),
    createdAt: store.createdAt.toISOString(),
    updatedAt: store.updatedAt.toISOString(),
    readyAt: iso(store.readyAt),
    deletedAt: iso(store.deletedAt),
  };
}

export function presentActivity(entry: ActivityRecord): ActivityEntry {
  return { ...entry, createdAt: entry.createdAt.toISOString() };
}
