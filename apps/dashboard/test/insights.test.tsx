// Store insights in the dashboard: the store page's charts with their text alternatives (summaries,
// hidden tables, "not reported" instead of zeros, sleep and wake marked), the range picker, the
// platform page's fleet panel, and the two fixes: "Stores running" leaves deleted stores out, and
// an admin's list is "All stores" with an owner column.
import {
  FleetInsights,
  type InsightPoint,
  PlatformMetrics,
  StoreInsights,
  type StoreList as StoreListPage,
} from '@storefleet/contracts';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { createQueryClient } from '../src/App.tsx';
import { applyStore, keys } from '../src/api/queries.ts';
import { PlatformPage } from '../src/pages/PlatformPage.tsx';
import { StoreDetailPage } from '../src/pages/StoreDetailPage.tsx';
import { StoresPage } from '../src/pages/StoresPage.tsx';
import {
  adminSession,
  backupList,
  mockApi,
  platformInfo,
  readyStore,
  renderWithProviders,
  storeList,
} from './support.tsx';
import { storePageApi } from './support-detail.tsx';

const MINUTE = 60_000;
const start = Date.parse('2025-01-01T10:00:00.000Z');

function point(minute: number, values: Partial<InsightPoint> = {}): InsightPoint {
  return {
    at: new Date(start + minute * MINUTE).toISOString(),
    seconds: 60,
    requests: 10,
    clientErrors: 1,
    serverErrors: 0,
    latencyP95Ms: 120,
    cpuMillicores: null,
    cpuLimitMillicores: null,
    memoryBytes: 300 * 2 ** 20,
    memoryLimitBytes: 8 * 2 ** 30,
    diskBytes: null,
    orders: minute === 2 ? 1 : 0,
    revenue: minute === 2 ? 42.5 : 0,
    currency: 'eur',
    ...values,
  };
}

describe('store insights on the store page', () => {
  it('draws traffic, latency, memory against quota and orders, says what was not reported, and marks sleep', async () => {
    const store = readyStore({ name: 'Acme Shoes', engine: 'medusa' });
    const series = StoreInsights.parse({
      storeId: store.id,
      range: '1h',
      stepSeconds: 60,
      sampleIntervalSeconds: 60,
      points: [point(1), point(2), point(3, { requests: 0, clientErrors: 0, memoryBytes: 0 })],
      events: [{ at: new Date(start + 2.5 * MINUTE).toISOString(), kind: 'sleep' }],
      totals: { requests: 20, clientErrors: 2, serverErrors: 0, orders: 1, revenue: 42.5, currency: 'eur' },
    });
    const api = storePageApi(
      () => store,
      () => backupList([]),
      { [`GET /api/stores/${store.id}/insights`]: () => series },
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);
    const panel = (await screen.findByRole('heading', { name: 'Insights' })).closest(
      'section',
    ) as HTMLElement;
    const traffic = await within(panel).findByRole('figure', { name: 'Traffic and errors' });
    expect(traffic).toHaveTextContent('20 requests in the last hour; 2 answered 4xx and 0 answered 5xx.');
    expect(traffic).toHaveTextContent('Went to sleep 1 and woke up 0 times');
    // The hidden table has the numbers, and the sleep.
    const table = within(traffic).getByRole('table', { name: 'Traffic and errors' });
    expect(within(table).getAllByRole('row')).toHaveLength(1 + 3 + 1);
    expect(within(table).getByText('asleep')).toBeInTheDocument();
    const memory = within(panel).getByRole('figure', { name: 'Memory' });
    expect(memory).toHaveTextContent('Now 0 B of a 8 GiB quota (0 % of the quota).');
    expect(within(memory).getAllByText('300 MiB')).toHaveLength(2);
    // Nothing of CPU was reported: words, not a flat zero line.
    const cpu = within(panel).getByRole('figure', { name: 'CPU' });
    expect(cpu).toHaveTextContent('CPU is not reported');
    expect(within(cpu).queryByRole('table')).toBeNull();
    expect(within(panel).getByRole('figure', { name: 'Orders and revenue' })).toHaveTextContent(
      '1 order in the last hour, €42.50 in all.',
    );

    await userEvent.click(within(panel).getByRole('radio', { name: '7d' }));
    await waitFor(() =>
      expect(api.calls.some((c) => c.path.endsWith('/insights') && c.method === 'GET')).toBe(true),
    );
    await waitFor(() =>
      expect(api.fetchMock.mock.calls.some(([url]) => String(url).includes('range=7d'))).toBe(true),
    );
  });
});

describe('the platform page', () => {
  const metrics = PlatformMetrics.parse({
    stores: {
      total: 4,
      byState: {
        Queued: 0,
        Provisioning: 0,
        Ready: 1,
        Failed: 0,
        Upgrading: 0,
        RollingBack: 0,
        Deleting: 0,
        Deleted: 3,
        BackingUp: 0,
        Restoring: 0,
        Sleeping: 0,
        Asleep: 0,
        Waking: 0,
      },
    },
    totals: { created: 4, failed: 0, deleted: 3 },
    provisioning: { samples: 1, averageSeconds: 100, p95Seconds: 100 },
    queue: { pending: 0, running: 0 },
  });
  const fleet = FleetInsights.parse({
    range: '24h',
    stepSeconds: 600,
    sampleIntervalSeconds: 60,
    traffic: [{ at: new Date(start).toISOString(), requests: 50, clientErrors: 5, serverErrors: 1 }],
    top: {
      traffic: [
        {
          storeId: '00000000-0000-4000-8000-000000000101',
          name: 'Busy Shop',
          slug: 'busy-shop',
          state: 'Ready',
          value: 50,
        },
      ],
      memory: [
        {
          storeId: '00000000-0000-4000-8000-000000000101',
          name: 'Busy Shop',
          slug: 'busy-shop',
          state: 'Ready',
          value: 300 * 2 ** 20,
        },
      ],
      orders: [],
    },
    nearQuota: {
      threshold: 0.8,
      stores: [
        {
          storeId: '00000000-0000-4000-8000-000000000102',
          name: 'Full Shop',
          slug: 'full-shop',
          state: 'Ready',
          value: 0.91,
        },
      ],
    },
    idle: {
      enabled: false,
      idleAfterSeconds: 7200,
      stores: [
        {
          storeId: '00000000-0000-4000-8000-000000000103',
          name: 'Quiet Shop',
          slug: 'quiet-shop',
          state: 'Ready',
          value: 9000,
        },
      ],
    },
  });

  it('counts only stores that are not deleted as running, and shows the fleet panel', async () => {
    mockApi({
      'GET /api/metrics': () => metrics,
      'GET /api/insights': () => fleet,
      'GET /api/stores': () => storeList([]),
      'GET /api/activity': () => ({ items: [], nextCursor: null }),
      'GET /api/platform': platformInfo,
    });
    renderWithProviders(<PlatformPage />);
    const running = (await screen.findByText('Stores running')).parentElement as HTMLElement;
    expect(running).toHaveTextContent('1');
    expect(running).toHaveTextContent('1 ready, 0 asleep; 4 created in all');
    const panel = (await screen.findByRole('heading', { name: 'Fleet insights' })).closest(
      'section',
    ) as HTMLElement;
    expect(await within(panel).findByRole('figure', { name: 'Fleet traffic' })).toHaveTextContent(
      '50 requests across the stores',
    );
    expect(within(panel).getByRole('region', { name: 'Most traffic' })).toHaveTextContent(
      'Busy Shop50 requests',
    );
    expect(within(panel).getByRole('region', { name: 'Most memory' })).toHaveTextContent('Busy Shop300 MiB');
    expect(within(panel).getByRole('region', { name: 'Most orders' })).toHaveTextContent(
      'No orders in the last 24 hours.',
    );
    expect(within(panel).getByRole('region', { name: 'Near their quota' })).toHaveTextContent(
      'Full Shop91 %',
    );
    expect(
      within(panel).getByRole('region', { name: /idle sleep would put them to sleep/ }),
    ).toHaveTextContent('Quiet Shopno request for 2 h 30 min');
  });
});

describe("an admin's store list", () => {
  it('is titled "All stores" and says whose each store is', async () => {
    const mine = readyStore({
      name: 'Admin Shop',
      ownerId: adminSession.user.id,
      ownerEmail: adminSession.user.email,
    });
    const theirs = readyStore({
      name: 'Merchant Shop',
      ownerId: 'someone',
      ownerEmail: 'merchant@example.com',
    });
    mockApi({
      'GET /api/stores': () => storeList([mine, theirs]),
      'GET /api/platform': platformInfo,
      'GET /api/auth/session': () => adminSession,
    });
    renderWithProviders(<StoresPage />, { as: adminSession });
    expect(await screen.findByRole('heading', { name: /All stores/ })).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Owner' })).toBeInTheDocument();
    const row = screen.getByText('Merchant Shop').closest('tr') as HTMLElement;
    expect(row).toHaveTextContent('merchant@example.com');
  });

  it('keeps the owner of a store when the event stream pushes a change of it', () => {
    const client = createQueryClient();
    const theirs = readyStore({
      name: 'Pushed Shop',
      ownerId: 'someone',
      ownerEmail: 'merchant@example.com',
    });
    client.setQueryData(keys.stores, { pages: [storeList([theirs])], pageParams: [''] });
    const { ownerEmail: _, ...pushed } = {
      ...theirs,
      state: 'Asleep' as const,
      updatedAt: new Date(Date.parse(theirs.updatedAt) + 1000).toISOString(),
    };
    applyStore(client, pushed);
    const list = client.getQueryData<{ pages: StoreListPage[] }>(keys.stores);
    expect(list?.pages[0]?.items[0]).toMatchObject({ state: 'Asleep', ownerEmail: 'merchant@example.com' });
  });
});
