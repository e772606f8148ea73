// A waiting store's place in the provisioning queue: asked every few seconds while the store waits,
// since other stores starting move it forward without any event about it.
import { QueuePosition, type Store } from '@storefleet/contracts';
import { useQuery } from '@tanstack/react-query';
import { request } from './client.ts';

export const QUEUE_POLL_MS = 3_000;

export function useQueuePosition(store: Store) {
  return useQuery({
    queryKey: ['store', store.id, 'queue'],
    queryFn: () => request(`/api/stores/${encodeURIComponent(store.id)}/queue`, QueuePosition),
    enabled: store.state === 'Queued',
    refetchInterval: QUEUE_POLL_MS,
  });
}
