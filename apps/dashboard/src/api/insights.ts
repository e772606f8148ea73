// Store insights: one store's series and the fleet summary, refreshed about as often as the
// orchestrator samples (and kept while a new range loads, so the charts do not blink).
import type { InsightRange, Store } from '@storefleet/contracts';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from './client.ts';

/** How often insights are read again: the sampling interval, within 15 s..60 s. */
export function refreshMs(sampleIntervalSeconds: number | null | undefined): number {
  return Math.min(60_000, Math.max(15_000, (sampleIntervalSeconds ?? 60) * 1000));
}

export function useStoreInsights(store: Store, range: InsightRange) {
  return useQuery({
    queryKey: ['store', store.id, 'insights', range],
    queryFn: () => api.storeInsights(store.id, range),
    enabled: store.state !== 'Deleted',
    placeholderData: keepPreviousData,
    refetchInterval: (query) => refreshMs(query.state.data?.sampleIntervalSeconds),
  });
}

export function useFleetInsights(range: InsightRange) {
  return useQuery({
    queryKey: ['insights', range],
    queryFn: () => api.fleetInsights(range),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => refreshMs(query.state.data?.sampleIntervalSeconds),
  });
}
