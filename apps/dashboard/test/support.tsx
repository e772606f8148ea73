// Test helpers: valid stores (checked against the contract), a fake API behind fetch, a fake
// EventSource, and rendering inside the app's providers.
import {
  Backup,
  type BackupList,
  CONDITION_TYPES,
  type Condition,
  type ConditionType,
  type EngineAvailability,
  type PlatformInfo,
  type SessionInfo,
  Store,
  type StoreList,
} from '@storefleet/contracts';
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import { createQueryClient } from '../src/App.tsx';
import { sessionKey } from '../src/api/session.ts';
import { type LiveStatus, LiveStatusContext } from '../src/live/status.ts';
import { Router } from '../src/router/router.tsx';

const T0 = Date.parse('2025-01-01T10:00:00.000Z');
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

let counter = 0;

export function condition(
  type: ConditionType,
  status: Condition['status'],
  reason: string,
  message: string,
  seconds = 0,
): Condition {
  return { type, status, reason, message, lastTransitionTime: at(seconds) };
}

export const pendingConditions = () =>
  CONDITION_TYPES.map((type) => condition(type, 'Unknown', 'Pending', 'Waiting for provisioning to start.'));

export const doneConditions = () =>
  CONDITION_TYPES.map((type, index) => condition(type, 'True', 'Done', `Done: ${type}.`, 10 + index));

export function makeStore(overrides: Partial<Store> = {}): Store {
  counter++;
  const name = overrides.name ?? `Shop ${counter}`;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return Store.parse({
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    slug,
    name,
    engine: 'woocommerce',
    ownerId: 'local',
    state: 'Queued',
    generation: 1,
    observedGeneration: 0,
    conditions: pendingConditions(),
    failure: null,
    attempts: 0,
    operation: null,
    stepTimings: {},
    namespace: `store-${slug}`,
    release: `store-${slug}`,
    revision: null,
    chartVersion: null,
    values: {},
    urls: { storefront: `http://${slug}.localhost`, admin: `http://${slug}.localhost/wp-admin` },
    provisioningSeconds: null,
    createdAt: at(0),
    updatedAt: at(1),
    readyAt: null,
    deletedAt: null,
    ...overrides,
  });
}

export function readyStore(overrides: Partial<Store> = {}): Store {
  return makeStore({
    state: 'Ready',
    observedGeneration: 1,
    conditions: doneConditions(),
    operation: 'provision',
    stepTimings: {
      provision: {
        namespace: { startedAt: at(1), finishedAt: at(2), durationMs: 400 },
        secrets: { startedAt: at(2), finishedAt: at(3), durationMs: 300 },
        release: { startedAt: at(3), finishedAt: at(40), durationMs: 37_000 },
        ready: { startedAt: at(40), finishedAt: at(72), durationMs: 32_000 },
      },
    },
    revision: 1,
    chartVersion: '0.1.0',
    provisioningSeconds: 72,
    readyAt: at(72),
    updatedAt: at(72),
    ...overrides,
  });
}

export const storeList = (items: Store[]): StoreList => ({ items, nextCursor: null });

/** GET /api/platform of a real cluster that runs every engine. */
export const platformInfo = (): PlatformInfo => ({
  environment: 'local',
  cluster: { configured: true, simulated: false, description: 'Kubernetes v1.34.4' },
  engines: [engineInfo('woocommerce'), engineInfo('medusa')],
  mail: { configured: true, catcher: false },
});

/** An engine as GET /api/platform describes it: available, on real pods, unless told otherwise. */
export function engineInfo(
  engine: 'woocommerce' | 'medusa',
  availability: Partial<Pick<EngineAvailability, 'available' | 'pods' | 'reason'>> = {},
): EngineAvailability {
  const descriptor =
    engine === 'medusa'
      ? {
          displayName: 'Medusa',
          login: 'email' as const,
          adminPath: '/app/',
          backupParts: ['database' as const],
        }
      : {
          displayName: 'WooCommerce',
          login: 'username' as const,
          adminPath: '/wp-admin/',
          backupParts: ['database' as const, 'files' as const],
        };
  return { engine, ...descriptor, available: true, pods: 'real', reason: null, ...availability };
}

let backupCounter = 0;

/** A backup of `store` (checked against the contract): succeeded, manual, unless told otherwise. */
export function makeBackup(store: Store, overrides: Partial<Backup> = {}): Backup {
  backupCounter++;
  return Backup.parse({
    id: `00000000-0000-4000-9000-${String(backupCounter).padStart(12, '0')}`,
    storeId: store.id,
    engine: store.engine,
    status: 'succeeded',
    trigger: 'manual',
    sizeBytes: 12.5 * 1024 ** 2,
    parts: ['database', 'files'],
    failure: null,
    createdAt: at(3_600),
    startedAt: at(3_601),
    finishedAt: at(3_643),
    durationMs: 42_000,
    ...overrides,
  });
}

export const backupList = (items: Backup[], overrides: Partial<BackupList> = {}): BackupList => ({
  items,
  schedule: { cron: null, keep: 7 },
  usage: { bytes: 1536 * 1024 ** 2, quotaBytes: 5 * 1024 ** 3 },
  ...overrides,
});

type Handler = (request: { body: unknown; url: URL }) => { status?: number; body: unknown } | unknown;

/** Answers fetch from `routes` ("METHOD /path" → handler); anything else is a 404 the test will notice. */
export function mockApi(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://dashboard.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({
      method,
      path: url.pathname,
      body,
      headers: (init?.headers ?? {}) as Record<string, string>,
    });
    const route = `${method} ${url.pathname}`;
    // The engines' descriptors are read by many components; a test routes them itself to check them.
    if (route === 'GET /api/platform' && !routes[route]) return Response.json(platformInfo());
    const handler = routes[route];
    if (!handler) {
      return Response.json(
        { error: { code: 'NOT_FOUND', message: `no mock for ${method} ${url.pathname}` } },
        { status: 404 },
      );
    }
    const result = handler({ body, url });
    if (result && typeof result === 'object' && 'status' in result && 'body' in result) {
      const { status, body: payload } = result as { status: number; body: unknown };
      // A 204 has no body at all.
      return status === 204 ? new Response(null, { status }) : Response.json(payload, { status });
    }
    return Response.json(result);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export const apiError = (status: number, code: string, message: string, details?: unknown) => ({
  status,
  body: { error: { code, message, ...(details === undefined ? {} : { details }) } },
});

/** An EventSource the test drives: open it, push events, break it. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readonly url: string;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close() {
    this.closed = true;
  }

  open() {
    this.onopen?.();
  }

  emit(type: string, data: unknown) {
    const event = new MessageEvent(type, { data: JSON.stringify(data) });
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  fail() {
    this.onerror?.();
  }

  static latest(): FakeEventSource {
    const latest = FakeEventSource.instances.at(-1);
    if (!latest) throw new Error('no EventSource was opened');
    return latest;
  }
}

export const session: SessionInfo = {
  user: { id: '00000000-0000-4000-8000-aaaaaaaaaaaa', email: 'merchant@example.com', role: 'merchant' },
  csrfToken: 'csrf-123',
  limits: {
    backupQuotaBytes: 5 * 1024 ** 3,
    maxStores: 100,
    maxStoresPerUser: 5,
    rateLimit: { max: 60, windowSeconds: 60 },
  },
  usage: { stores: 2, backupBytes: 1536 * 1024 ** 2 },
};

export const adminSession: SessionInfo = {
  ...session,
  user: { id: '00000000-0000-4000-8000-bbbbbbbbbbbb', email: 'ops@example.com', role: 'admin' },
};

/** Renders `ui` inside the app's providers, signed in (as `session` unless `as` says who) unless told otherwise. */
export function renderWithProviders(
  ui: ReactNode,
  options: { live?: LiveStatus; path?: string; signedIn?: boolean; as?: SessionInfo } = {},
) {
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  if (options.signedIn !== false) client.setQueryData(sessionKey, options.as ?? session);
  const result = render(
    <QueryClientProvider client={client}>
      <LiveStatusContext value={options.live ?? 'live'}>
        <Router initialPath={options.path ?? '/'}>{ui}</Router>
      </LiveStatusContext>
    </QueryClientProvider>,
  );
  return { ...result, client };
}
