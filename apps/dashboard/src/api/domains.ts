// A store's custom domains: the API calls and their queries. Domains change without an event (DNS,
// certificates), so the list is polled while one is on its way and refreshed after every action.
import { Domain, DomainList, type Store } from '@storefleet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { request } from './client.ts';

const path = (storeId: string, rest = '') => `/api/stores/${encodeURIComponent(storeId)}/domains${rest}`;
const one = (storeId: string, domainId: string, rest = '') =>
  path(storeId, `/${encodeURIComponent(domainId)}${rest}`);

export const domainsApi = {
  list: (storeId: string) => request(path(storeId), DomainList),
  add: (storeId: string, hostname: string) =>
    request(path(storeId), Domain, { method: 'POST', body: { hostname } }),
  verify: (storeId: string, domainId: string) =>
    request(one(storeId, domainId, '/verify'), Domain, { method: 'POST' }),
  makePrimary: (storeId: string, domainId: string) =>
    request(one(storeId, domainId, '/primary'), Domain, { method: 'POST' }),
  remove: (storeId: string, domainId: string) =>
    request(one(storeId, domainId), z.null(), { method: 'DELETE' }),
};

const key = (storeId: string) => ['store', storeId, 'domains'] as const;
export const DOMAINS_POLL_MS = 3_000;
const SETTLED = new Set(['Active', 'Failed']);

export function useDomains(store: Store) {
  return useQuery({
    queryKey: key(store.id),
    queryFn: () => domainsApi.list(store.id),
    enabled: store.state !== 'Deleted',
    refetchInterval: (query) =>
      query.state.data?.items.some((domain) => !SETTLED.has(domain.state)) ? DOMAINS_POLL_MS : false,
  });
}

type Action = 'add' | 'verify' | 'primary' | 'remove';

/** One mutation per action; each refreshes the list (and the store: a primary domain changes its URLs). */
export function useDomainAction(storeId: string, action: Action) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (argument: string): Promise<unknown> => {
      switch (action) {
        case 'add':
          return domainsApi.add(storeId, argument);
        case 'verify':
          return domainsApi.verify(storeId, argument);
        case 'primary':
          return domainsApi.makePrimary(storeId, argument);
        case 'remove':
          return domainsApi.remove(storeId, argument);
      }
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: key(storeId) });
      void client.invalidateQueries({ queryKey: ['store', storeId] });
    },
  });
}
