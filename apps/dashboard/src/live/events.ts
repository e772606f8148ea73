// Subscribes to GET /api/events and writes every change into the query cache. The connection is
// managed here rather than by EventSource's own retry so that retries back off, and so the UI knows
// when the stream is down (queries then poll) and when it is back (everything is refetched once,
// since events sent in between were missed).
import { ActivityEntry, Store } from '@storefleet/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { applyActivity, applyStore, keys } from '../api/queries.ts';
import { sessionKey } from '../api/session.ts';
import type { LiveStatus } from './status.ts';

export interface LiveOptions {
  url?: string;
  onStatus: (status: LiveStatus) => void;
  /** Injected by tests; the browser's EventSource otherwise. */
  EventSource?: typeof EventSource;
  random?: () => number;
}

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
/** Metrics are recomputed by the server; ask at most this often while stores change. */
const METRICS_THROTTLE_MS = 2_000;

export function reconnectDelayMs(failures: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.5 + random() / 2));
}

export function connectLiveUpdates(client: QueryClient, options: LiveOptions): () => void {
  const Source = options.EventSource ?? globalThis.EventSource;
  const url = options.url ?? '/api/events';
  let source: EventSource | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let metricsTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let everOpened = false;
  let stopped = false;

  const refreshMetricsSoon = () => {
    metricsTimer ??= setTimeout(() => {
      metricsTimer = undefined;
      void client.invalidateQueries({ queryKey: keys.metrics });
    }, METRICS_THROTTLE_MS);
  };

  const onStore = (event: MessageEvent<string>) => {
    const parsed = Store.safeParse(safeJson(event.data));
    if (!parsed.success) return;
    const store = parsed.data;
    const previous = client.getQueryData<Store>(keys.store(store.id));
    applyStore(client, store);
    if (previous && previous.revision !== store.revision) {
      void client.invalidateQueries({ queryKey: keys.storeHistory(store.id) });
    }
    if (previous?.state !== store.state) {
      void client.invalidateQueries({ queryKey: keys.storeResources(store.id) });
      // Backups have no event of their own; a backup or restore ending shows as a change of state.
      void client.invalidateQueries({ queryKey: keys.storeBackups(store.id) });
    }
    // A deleted store no longer counts against the owner's quota; a finished backup counts against theirs.
    if (store.state === 'Deleted' || (previous?.state === 'BackingUp' && store.state !== 'BackingUp'))
      void client.invalidateQueries({ queryKey: sessionKey });
    refreshMetricsSoon();
  };

  const onActivity = (event: MessageEvent<string>) => {
    const parsed = ActivityEntry.safeParse(safeJson(event.data));
    if (parsed.success) applyActivity(client, parsed.data);
  };

  const open = () => {
    if (stopped) return;
    source = new Source(url);
    source.addEventListener('store', onStore);
    source.addEventListener('activity', onActivity);
    source.onopen = () => {
      // After a gap, events were missed: catch up once, then rely on the stream again.
      if (everOpened || failures > 0)
        void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
      everOpened = true;
      failures = 0;
      options.onStatus('live');
    };
    source.onerror = () => {
      source?.close();
      source = undefined;
      failures++;
      options.onStatus('down');
      retryTimer = setTimeout(open, reconnectDelayMs(failures, options.random));
    };
  };

  if (!Source) {
    options.onStatus('down');
    return () => {};
  }
  options.onStatus('connecting');
  open();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(metricsTimer);
    source?.close();
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
