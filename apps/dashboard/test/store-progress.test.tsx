import { act, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Layout } from '../src/components/Layout.tsx';
import { StoreProgress } from '../src/components/progress/StoreProgress.tsx';
import { headline, progressSteps } from '../src/lib/progress.ts';
import { connectLiveUpdates, reconnectDelayMs } from '../src/live/events.ts';
import { LiveUpdates } from '../src/live/LiveUpdates.tsx';
import { StoresPage } from '../src/pages/StoresPage.tsx';
import {
  at,
  condition,
  FakeEventSource,
  makeStore,
  mockApi,
  platformInfo,
  readyStore,
  renderWithProviders,
  session,
  storeList,
} from './support.tsx';

const installing = () =>
  makeStore({
    name: 'Step Shop',
    state: 'Provisioning',
    conditions: [
      condition('NamespaceReady', 'True', 'NamespaceCreated', 'Done: create the namespace.', 2),
      condition('SecretsReady', 'True', 'SecretsWritten', 'Done: write the store secrets.', 3),
      condition('ReleaseDeployed', 'Unknown', 'InProgress', 'Working: install the Helm release.', 3),
      condition('DatabaseReady', 'Unknown', 'Pending', 'Waiting for provisioning to start.'),
      condition('AppReady', 'Unknown', 'Pending', 'Waiting for provisioning to start.'),
      condition('StoreConfigured', 'Unknown', 'Pending', 'Waiting for provisioning to start.'),
    ],
    stepTimings: {
      provision: {
        namespace: { startedAt: at(1), finishedAt: at(2), durationMs: 400 },
        secrets: { startedAt: at(2), finishedAt: at(3), durationMs: 1_200 },
        release: { startedAt: at(3), finishedAt: null, durationMs: null },
      },
    },
  });

function stepItem(label: string): HTMLElement {
  const item = screen.getByText(label, { selector: 'span' }).closest('li');
  if (!item) throw new Error(`no step ${label}`);
  return item;
}

describe('the progress view', () => {
  it('shows every step from the conditions, with timings, and what is running now', () => {
    vi.useFakeTimers({ now: Date.parse(at(15)), toFake: ['Date'] });
    renderWithProviders(<StoreProgress store={installing()} />);
    const steps = within(screen.getByRole('list', { name: 'Steps of Step Shop' })).getAllByRole('listitem');
    expect(steps.map((step) => step.dataset.status)).toEqual([
      'done',
      'done',
      'running',
      'pending',
      'pending',
      'pending',
    ]);
    expect(within(stepItem('Namespace')).getByRole('img', { name: 'done' })).toBeInTheDocument();
    expect(within(stepItem('Namespace')).getByText('400 ms')).toBeInTheDocument();
    expect(within(stepItem('Secrets')).getByText('1.2 s')).toBeInTheDocument();
    expect(within(stepItem('Helm release')).getByText('12 s so far')).toBeInTheDocument();
    expect(
      within(stepItem('Helm release')).getByText('Working: install the Helm release.'),
    ).toBeInTheDocument();
    expect(within(stepItem('Setup job')).getByRole('img', { name: 'not started' })).toBeInTheDocument();
  });

  it('says why a store failed, in words, at the failed step and overall', () => {
    const store = makeStore({
      name: 'Quota Shop',
      state: 'Failed',
      conditions: [
        condition('NamespaceReady', 'True', 'NamespaceCreated', 'Done.', 2),
        condition('SecretsReady', 'True', 'SecretsWritten', 'Done.', 3),
        condition('ReleaseDeployed', 'False', 'QuotaExceeded', 'pods "db-0" is forbidden: exceeded quota', 9),
        condition('DatabaseReady', 'Unknown', 'Pending', 'Waiting.'),
        condition('AppReady', 'Unknown', 'Pending', 'Waiting.'),
        condition('StoreConfigured', 'Unknown', 'Pending', 'Waiting.'),
      ],
      failure: {
        operation: 'provision',
        step: 'release',
        reason: 'QuotaExceeded',
        message: 'Step "release" failed: pods "db-0" is forbidden: exceeded quota',
        retryable: false,
      },
      stepTimings: { provision: { release: { startedAt: at(3), finishedAt: null, durationMs: null } } },
    });
    renderWithProviders(<StoreProgress store={store} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('The provision failed at step “release”.');
    expect(alert).toHaveTextContent('Step "release" failed: pods "db-0" is forbidden: exceeded quota');
    expect(alert).toHaveTextContent('Retrying will not help until the cause is fixed');
    const release = stepItem('Helm release');
    expect(release.dataset.status).toBe('failed');
    expect(release).toHaveTextContent('pods "db-0" is forbidden: exceeded quota (QuotaExceeded)');
    expect(stepItem('Database').dataset.status).toBe('pending');
  });

  it('picks the line to show by step order, not by the latest change, so it does not flicker', () => {
    const waiting = (appChangedLast: boolean) =>
      makeStore({
        state: 'Provisioning',
        conditions: [
          condition('NamespaceReady', 'True', 'NamespaceCreated', 'Done.', 1),
          condition('SecretsReady', 'True', 'SecretsWritten', 'Done.', 2),
          condition('ReleaseDeployed', 'True', 'InstallSucceeded', 'Done.', 3),
          condition(
            'DatabaseReady',
            'Unknown',
            'InProgress',
            'Waiting for the database.',
            appChangedLast ? 4 : 6,
          ),
          condition('AppReady', 'Unknown', 'InProgress', 'Waiting for the app.', appChangedLast ? 6 : 4),
          condition('StoreConfigured', 'Unknown', 'InProgress', 'Waiting for setup.', 5),
        ],
        stepTimings: { provision: { ready: { startedAt: at(4), finishedAt: null, durationMs: null } } },
      });
    expect(headline(waiting(true)).text).toBe('Waiting for the database');
    expect(headline(waiting(false)).text).toBe('Waiting for the database');

    const store = waiting(true);
    const dbReady = {
      ...store,
      conditions: store.conditions.map((c) =>
        c.type === 'DatabaseReady' ? { ...c, status: 'True' as const, lastTransitionTime: at(20) } : c,
      ),
    };
    expect(headline(dbReady).text).toBe('Waiting for the app');
    // The database step finished when its own condition turned true, 16 s into the shared step.
    const db = progressSteps(dbReady).find((step) => step.type === 'DatabaseReady');
    expect(db).toMatchObject({ status: 'done', startedAt: at(4), finishedAt: at(20) });
  });

  it('moves a store along as events arrive, without refetching, and shows when the stream is down', async () => {
    FakeEventSource.instances = [];
    const store = makeStore({ name: 'Live Shop', state: 'Queued' });
    const api = mockApi({
      'GET /api/stores': () => storeList([store]),
      'GET /api/platform': platformInfo,
    });
    vi.stubGlobal('EventSource', FakeEventSource);
    renderWithProviders(
      <LiveUpdates>
        <Layout session={session}>
          <StoresPage />
        </Layout>
      </LiveUpdates>,
    );
    const row = (await screen.findByRole('link', { name: 'Live Shop' })).closest('tr')!;
    const source = FakeEventSource.latest();
    expect(source.url).toBe('/api/events');
    act(() => source.open());
    expect(screen.getByText('Live')).toBeInTheDocument();
    const listCalls = () => api.calls.filter((call) => call.path === '/api/stores').length;
    const before = listCalls();

    // The query cache tells React about changes on its next tick.
    act(() => source.emit('store', { ...installing(), id: store.id, name: 'Live Shop', updatedAt: at(5) }));
    expect(await within(row).findByText('Provisioning', { selector: '[data-state]' })).toBeInTheDocument();
    expect(within(row).getByTestId('progress-line')).toHaveTextContent('Installing the Helm release');
    expect(within(row).getByRole('progressbar', { name: 'Progress of Live Shop' })).toHaveAttribute(
      'aria-valuenow',
      '2',
    );

    // An older version arriving late does not undo the newer one.
    act(() => source.emit('store', { ...store, updatedAt: at(2) }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(within(row).getByText('Provisioning', { selector: '[data-state]' })).toBeInTheDocument();

    act(() => source.emit('store', readyStore({ id: store.id, name: 'Live Shop', updatedAt: at(80) })));
    expect(await within(row).findByText('Ready', { selector: '[data-state]' })).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: 'Storefront of Live Shop' })).toBeInTheDocument();
    expect(listCalls()).toBe(before);

    act(() => source.fail());
    expect(source.closed).toBe(true);
    expect(screen.getByText(/Reconnecting/)).toBeInTheDocument();
  });

  it('reconnects with a growing, jittered delay and catches up once it is back', () => {
    vi.useFakeTimers();
    FakeEventSource.instances = [];
    const statuses: string[] = [];
    const client = { invalidateQueries: vi.fn(), getQueryData: vi.fn(), setQueryData: vi.fn() };
    const stop = connectLiveUpdates(client as never, {
      onStatus: (status) => statuses.push(status),
      EventSource: FakeEventSource as never,
      random: () => 1,
    });
    FakeEventSource.latest().open();
    expect(client.invalidateQueries).not.toHaveBeenCalled();

    FakeEventSource.latest().fail();
    expect(FakeEventSource.instances).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(FakeEventSource.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.instances).toHaveLength(2);
    FakeEventSource.latest().fail();
    vi.advanceTimersByTime(1_999);
    expect(FakeEventSource.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.instances).toHaveLength(3);

    FakeEventSource.latest().open();
    expect(client.invalidateQueries).toHaveBeenCalledTimes(1);
    expect(statuses).toEqual(['connecting', 'live', 'down', 'down', 'live']);
    stop();
    expect(FakeEventSource.latest().closed).toBe(true);

    expect([1, 2, 3, 6, 10].map((n) => reconnectDelayMs(n, () => 1))).toEqual([
      1_000, 2_000, 4_000, 30_000, 30_000,
    ]);
    expect(reconnectDelayMs(1, () => 0)).toBe(500);
  });
});
