// Query keys, queries and cache updates. The live event stream writes into the same cache
// (see live/events.ts), so a page shows a change the moment the orchestrator makes it.
import type {
  ActivityEntry,
  ActivityList,
  AuditList,
  Backup,
  BackupList,
  SetBackupScheduleRequest,
  Store,
  StoreList,
} from '@storefleet/contracts';
import {
  type InfiniteData,
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useLiveStatus } from '../live/status.ts';
import { type AuditFilters, api } from './client.ts';
import { sessionKey } from './session.ts';

export const keys = {
  stores: ['stores'] as const,
  store: (id: string) => ['store', id] as const,
  storeActivity: (id: string) => ['store', id, 'activity'] as const,
  storeHistory: (id: string) => ['store', id, 'history'] as const,
  storeResources: (id: string) => ['store', id, 'resources'] as const,
  storeBackups: (id: string) => ['store', id, 'backups'] as const,
  activity: ['activity'] as const,
  metrics: ['metrics'] as const,
  platform: ['platform'] as const,
  fleetUpgrades: ['fleet-upgrades'] as const,
  apiTokens: ['api-tokens'] as const,
  audit: (filters: AuditFilters) => ['audit', filters] as const,
};

const PAGE_SIZE = 50;
/** How often queries poll while the event stream is down (and only then). */
export const FALLBACK_POLL_MS = 5_000;

/** Polls only while live updates are unavailable. */
function usePollingFallback(): number | false {
  return useLiveStatus() === 'down' ? FALLBACK_POLL_MS : false;
}

export function useStores() {
  const refetchInterval = usePollingFallback();
  return useInfiniteQuery({
    queryKey: keys.stores,
    queryFn: ({ pageParam, signal }) =>
      api.listStores({ limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }, signal),
    initialPageParam: '',
    getNextPageParam: (last: StoreList) => last.nextCursor ?? undefined,
    refetchInterval,
  });
}

export function useStore(id: string) {
  const refetchInterval = usePollingFallback();
  return useQuery({
    queryKey: keys.store(id),
    queryFn: ({ signal }) => api.getStore(id, signal),
    refetchInterval,
  });
}

export function useStoreActivity(id: string) {
  const refetchInterval = usePollingFallback();
  return useQuery({
    queryKey: keys.storeActivity(id),
    queryFn: () => api.storeActivity(id),
    refetchInterval,
  });
}

export function useStoreHistory(id: string, enabled: boolean) {
  const refetchInterval = usePollingFallback();
  return useQuery({
    queryKey: keys.storeHistory(id),
    queryFn: () => api.storeHistory(id),
    enabled,
    refetchInterval,
  });
}

export function useStoreResources(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.storeResources(id),
    queryFn: () => api.storeResources(id),
    enabled,
    // Pods and events change without the store changing; a slow refresh keeps them current.
    refetchInterval: 15_000,
  });
}

/** How often the backups of a store are fetched while one is being made: they have no event. */
export const BACKUP_POLL_MS = 2_000;

/** True while a backup is under way: the store is BackingUp, or a listed backup is pending or running. */
export const backupsBusy = (store: Store, list: BackupList | undefined) =>
  store.state === 'BackingUp' ||
  Boolean(list?.items.some((backup) => backup.status === 'pending' || backup.status === 'running'));

/** A store's backups, newest first; polled every 2 s while one is under way, refreshed after actions otherwise. */
export function useStoreBackups(store: Store) {
  return useQuery({
    queryKey: keys.storeBackups(store.id),
    queryFn: () => api.storeBackups(store.id),
    enabled: store.state !== 'Deleted',
    refetchInterval: (query) => (backupsBusy(store, query.state.data) ? BACKUP_POLL_MS : false),
  });
}

/** Backups count against the owner's quota, which the session and every backup list show. */
function useBackupsChanged() {
  const client = useQueryClient();
  return (storeId: string) => {
    void client.invalidateQueries({ queryKey: keys.storeBackups(storeId) });
    void client.invalidateQueries({ queryKey: sessionKey });
  };
}

export function useCreateBackup() {
  const client = useQueryClient();
  const changed = useBackupsChanged();
  return useMutation({
    mutationFn: (storeId: string) => api.createBackup(storeId),
    onSuccess: (backup: Backup, storeId) => {
      // Shown at once (and the list polled while it is pending), before the next fetch confirms it.
      client.setQueryData<BackupList>(keys.storeBackups(storeId), (list) =>
        list && !list.items.some((item) => item.id === backup.id)
          ? { ...list, items: [backup, ...list.items] }
          : list,
      );
      changed(storeId);
    },
  });
}

export function useDeleteBackup() {
  const changed = useBackupsChanged();
  return useMutation({
    mutationFn: ({ storeId, backupId }: { storeId: string; backupId: string }) =>
      api.deleteBackup(storeId, backupId),
    onSuccess: (_, { storeId }) => changed(storeId),
  });
}

export function useSetBackupSchedule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ storeId, schedule }: { storeId: string; schedule: SetBackupScheduleRequest }) =>
      api.setBackupSchedule(storeId, schedule),
    onSuccess: (schedule, { storeId }) => {
      client.setQueryData<BackupList>(keys.storeBackups(storeId), (list) =>
        list ? { ...list, schedule } : list,
      );
      void client.invalidateQueries({ queryKey: keys.storeBackups(storeId) });
    },
  });
}

export function useActivity() {
  const refetchInterval = usePollingFallback();
  return useQuery({ queryKey: keys.activity, queryFn: () => api.activity(), refetchInterval });
}

export function useMetrics() {
  const refetchInterval = usePollingFallback();
  return useQuery({ queryKey: keys.metrics, queryFn: api.metrics, refetchInterval });
}

/** Recent fleet upgrades; refreshed every 2 s while one is running, so its progress shows. */
export function useFleetUpgrades() {
  return useQuery({
    queryKey: keys.fleetUpgrades,
    queryFn: api.fleetUpgrades,
    refetchInterval: (query) =>
      query.state.data?.items.some((run) => run.state === 'running') ? 2000 : false,
  });
}

export function useStartFleetUpgrade() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (concurrency: number) => api.startFleetUpgrade({ concurrency }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.fleetUpgrades }),
  });
}

export function useApiTokens() {
  return useQuery({ queryKey: keys.apiTokens, queryFn: api.apiTokens });
}

/**
 * The answer carries the token's secret, and a mutation keeps its answer in the mutation cache until
 * `gcTime` after no component observes it; 0 drops it at once (the form resets it as soon as it has
 * handed the answer over, and leaving the page unmounts the form).
 */
export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.createApiToken({ name }),
    gcTime: 0,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.apiTokens }),
  });
}

export function useRevokeApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: api.revokeApiToken,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.apiTokens }),
  });
}

/** The audit trail, newest first. Nothing pushes it live, so it is fetched anew each time it is shown. */
export function useAuditTrail(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: keys.audit(filters),
    queryFn: ({ pageParam, signal }) =>
      api.audit({ ...filters, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }, signal),
    initialPageParam: '',
    getNextPageParam: (last: AuditList) => last.nextCursor ?? undefined,
    staleTime: 0,
  });
}

export function usePlatform() {
  return useQuery({ queryKey: keys.platform, queryFn: api.platform, staleTime: 5 * 60_000 });
}

/** Puts a store the API returned (or the event stream pushed) everywhere it is shown; a list keeps its ownerEmail. */
export function applyStore(client: QueryClient, store: Store): void {
  const cached = client.getQueryData<Store>(keys.store(store.id));
  // Events and responses can cross; never let an older version replace a newer one.
  if (cached && cached.updatedAt > store.updatedAt) return;
  client.setQueryData(keys.store(store.id), store);
  client.setQueryData<InfiniteData<StoreList, string>>(keys.stores, (data) => {
    if (!data) return data;
    let found = false;
    const pages = data.pages.map((page) => ({
      ...page,
      items: page.items.map((item) => {
        if (item.id !== store.id) return item;
        found = true;
        return item.updatedAt > store.updatedAt ? item : { ...item, ...store };
      }),
    }));
    if (!found && pages[0]) pages[0] = { ...pages[0], items: [store, ...pages[0].items] };
    return { ...data, pages };
  });
}

/** Most activity entries a live list keeps; older ones are a page reload away. */
const ACTIVITY_KEPT = 100;

export function applyActivity(client: QueryClient, entry: ActivityEntry): void {
  const prepend = (list: ActivityList | undefined) =>
    list && !list.items.some((item) => item.id === entry.id)
      ? { ...list, items: [entry, ...list.items].slice(0, ACTIVITY_KEPT) }
      : list;
  client.setQueryData(keys.activity, prepend);
  if (entry.storeId) client.setQueryData(keys.storeActivity(entry.storeId), prepend);
}

/** A mutation whose answer is the store as it now is. */
function useStoreMutation<V>(mutate: (variables: V) => Promise<Store>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: mutate,
    onSuccess: (store) => {
      applyStore(client, store);
      void client.invalidateQueries({ queryKey: keys.metrics });
      // The session counts the user's stores against their quota.
      void client.invalidateQueries({ queryKey: sessionKey });
    },
  });
}

export const useCreateStore = () => useStoreMutation(api.createStore);
export const useDeleteStore = () => useStoreMutation(api.deleteStore);
export const useRetryStore = () => useStoreMutation(api.retryStore);
export const useUpgradeStore = () =>
  useStoreMutation(({ id, replicas }: { id: string; replicas: number }) =>
    api.upgradeStore(id, { values: { replicas } }),
  );
export const useSleepStore = () => useStoreMutation(api.sleepStore);
export const useWakeStore = () => useStoreMutation(api.wakeStore);
export const useRestoreStore = () =>
  useStoreMutation(({ id, backupId }: { id: string; backupId: string }) =>
    api.restoreStore(id, { backupId }),
  );
export const useRollbackStore = () =>
  useStoreMutation(({ id, revision }: { id: string; revision: number }) =>
    api.rollbackStore(id, { revision }),
  );
