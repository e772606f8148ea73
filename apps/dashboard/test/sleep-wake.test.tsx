import type { Store } from '@storefleet/contracts';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ProgressSummary } from '../src/components/progress/ProgressSummary.tsx';
import { StoreProgress } from '../src/components/progress/StoreProgress.tsx';
import { StatusBadge } from '../src/components/StatusBadge.tsx';
import { StoreDetailPage } from '../src/pages/StoreDetailPage.tsx';
import { StoresPage } from '../src/pages/StoresPage.tsx';
import {
  apiError,
  at,
  backupList,
  condition,
  doneConditions,
  makeStore,
  mockApi,
  readyStore,
  renderWithProviders,
  storeList,
} from './support.tsx';
import { storePageApi } from './support-detail.tsx';

const asleep = (overrides: Partial<Store> = {}) =>
  readyStore({
    name: 'Acme Shoes',
    state: 'Asleep',
    generation: 2,
    observedGeneration: 2,
    updatedAt: at(500),
    ...overrides,
  });

const badge = () => screen.getByRole('heading', { level: 1 }).parentElement?.querySelector('[data-state]');

describe('putting a store to sleep and waking it up', () => {
  it('puts a Ready store to sleep only after a confirmation that shoppers will see the asleep page', async () => {
    const store = readyStore({ name: 'Acme Shoes' });
    let answer: unknown = apiError(
      409,
      'STORE_BUSY',
      'Acme Shoes is being backed up; try again once it is Ready.',
    );
    const api = storePageApi(
      () => store,
      () => backupList([]),
      { [`POST /api/stores/${store.id}/sleep`]: () => answer },
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Put Acme Shoes to sleep' }));
    expect(screen.queryByRole('button', { name: 'Wake up Acme Shoes' })).not.toBeInTheDocument();
    const dialog = screen.getByRole('alertdialog', { name: 'Put “Acme Shoes” to sleep?' });
    expect(dialog).toHaveTextContent('shoppers who open its address see a page saying the store is asleep');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Put to sleep' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Acme Shoes is being backed up; try again once it is Ready.',
    );

    answer = { status: 202, body: { ...store, state: 'Sleeping', generation: 2, updatedAt: at(400) } };
    await userEvent.click(within(dialog).getByRole('button', { name: 'Put to sleep' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    const posts = api.calls.filter((call) => call.path === `/api/stores/${store.id}/sleep`);
    expect(posts).toHaveLength(2);
    expect(posts[1]).toMatchObject({ method: 'POST', body: undefined });
    expect(badge()).toHaveTextContent('Going to sleep');
    // Going to sleep: neither asleep nor Ready.
    expect(screen.queryByRole('button', { name: 'Put Acme Shoes to sleep' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Wake up Acme Shoes' })).not.toBeInTheDocument();
  });

  it('says an asleep store shows the asleep page, wakes it up, and shows a refusal in the API words', async () => {
    const store = asleep();
    let answer: unknown = apiError(
      409,
      'STORE_NOT_ASLEEP',
      'Acme Shoes is not asleep; only an asleep store can be woken.',
    );
    const api = storePageApi(
      () => store,
      () => backupList([]),
      { [`POST /api/stores/${store.id}/wake`]: () => answer },
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);
    const wake = await screen.findByRole('button', { name: 'Wake up Acme Shoes' });
    expect(badge()).toHaveTextContent('Asleep');
    expect(screen.getByText(/This store is asleep/)).toHaveTextContent(
      'shows a platform page saying the store is asleep, with a button to wake it up',
    );
    expect(
      screen.getByRole('link', { name: 'Storefront of Acme Shoes (shows the asleep page)' }),
    ).toHaveAttribute('href', store.urls.storefront);
    expect(screen.queryByRole('link', { name: 'Admin of Acme Shoes' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Put Acme Shoes to sleep' })).not.toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Back up now' })).toBeDisabled();

    await userEvent.click(wake);
    expect(await screen.findByText(/only an asleep store can be woken/)).toHaveAttribute('role', 'alert');

    answer = { status: 202, body: { ...store, state: 'Waking', generation: 3, updatedAt: at(600) } };
    await userEvent.click(wake);
    await waitFor(() => expect(badge()).toHaveTextContent('Waking up'));
    const posts = api.calls.filter((call) => call.path === `/api/stores/${store.id}/wake`);
    expect(posts).toHaveLength(2);
    expect(posts[1]).toMatchObject({ method: 'POST', body: undefined });
    expect(screen.queryByText(/only an asleep store can be woken/)).not.toBeInTheDocument();
  });

  it('offers the actions in the store list too: wake for asleep stores and failed wakes, sleep for Ready ones', async () => {
    const failure = (operation: 'wake' | 'provision') => ({
      operation,
      step: operation === 'wake' ? 'ready' : 'release',
      reason: 'Timeout',
      message: `The ${operation} timed out.`,
      retryable: true,
    });
    mockApi({
      'GET /api/stores': () =>
        storeList([
          readyStore({ name: 'Ready Shop' }),
          asleep({ name: 'Sleepy Shop' }),
          makeStore({ name: 'Groggy Shop', state: 'Failed', failure: failure('wake') }),
          makeStore({ name: 'Broken Shop', state: 'Failed', failure: failure('provision') }),
        ]),
    });
    renderWithProviders(<StoresPage />);
    const row = async (name: string) =>
      (await screen.findByRole('link', { name })).closest('tr') as HTMLElement;

    const ready = await row('Ready Shop');
    expect(within(ready).getByRole('button', { name: 'Put Ready Shop to sleep' })).toBeInTheDocument();
    expect(within(ready).queryByRole('button', { name: /^Wake up/ })).not.toBeInTheDocument();

    const sleepy = await row('Sleepy Shop');
    expect(within(sleepy).getByText('Asleep', { selector: '[data-state]' })).toBeInTheDocument();
    expect(within(sleepy).getByRole('button', { name: 'Wake up Sleepy Shop' })).toBeInTheDocument();
    expect(within(sleepy).queryByRole('button', { name: /to sleep$/ })).not.toBeInTheDocument();
    expect(within(sleepy).getByText('shows the asleep page')).toBeInTheDocument();
    expect(within(sleepy).getByTestId('progress-line')).toHaveTextContent(
      'Asleep: its address shows the asleep page until it is woken up',
    );

    const groggy = await row('Groggy Shop');
    expect(within(groggy).getByRole('button', { name: 'Wake up Groggy Shop' })).toBeInTheDocument();
    expect(within(groggy).getByRole('button', { name: 'Retry Groggy Shop' })).toBeInTheDocument();

    const broken = await row('Broken Shop');
    expect(within(broken).queryByRole('button', { name: /^Wake up/ })).not.toBeInTheDocument();
    expect(within(broken).queryByRole('button', { name: /to sleep$/ })).not.toBeInTheDocument();
  });
});

describe('the new states and operations', () => {
  it('names each new state in words on its badge', () => {
    const states = ['BackingUp', 'Restoring', 'Sleeping', 'Asleep', 'Waking'] as const;
    renderWithProviders(
      <div>
        {states.map((state) => (
          <StatusBadge key={state} state={state} />
        ))}
      </div>,
    );
    expect(states.map((state) => document.querySelector(`[data-state="${state}"]`)?.textContent)).toEqual([
      'Backing up',
      'Restoring',
      'Going to sleep',
      'Asleep',
      'Waking up',
    ]);
  });

  it("shows a restore's steps from the contract, and which part of the restore runs now", () => {
    vi.useFakeTimers({ now: Date.parse(at(130)), toFake: ['Date'] });
    const store = readyStore({
      name: 'Acme Shoes',
      state: 'Restoring',
      conditions: [
        ...doneConditions().filter(
          (c) => !['Restored', 'DatabaseReady', 'AppReady', 'StoreConfigured'].includes(c.type),
        ),
        condition('Restored', 'Unknown', 'InProgress', 'Restoring the data: loading the database dump.', 110),
        condition('DatabaseReady', 'Unknown', 'Pending', 'Waiting for the restore.', 100),
        condition('AppReady', 'Unknown', 'Pending', 'Waiting for the restore.', 100),
        condition('StoreConfigured', 'Unknown', 'Pending', 'Waiting for the restore.', 100),
      ],
      stepTimings: {
        restore: {
          'app-stop': { startedAt: at(100), finishedAt: at(110), durationMs: 10_000 },
          'data-restore': { startedAt: at(110), finishedAt: null, durationMs: null },
        },
      },
    });
    renderWithProviders(
      <>
        <StoreProgress store={store} />
        <ProgressSummary store={store} />
      </>,
    );
    const steps = within(screen.getByRole('list', { name: 'Steps of Acme Shoes' })).getAllByRole('listitem');
    expect(steps.map((step) => [step.dataset.step, step.dataset.status])).toEqual([
      ['Restored', 'running'],
      ['DatabaseReady', 'pending'],
      ['AppReady', 'pending'],
      ['StoreConfigured', 'pending'],
    ]);
    // The Restore row runs from the first restore step's start: 30 s so far.
    expect(steps[0]).toHaveTextContent('Restore');
    expect(steps[0]).toHaveTextContent('30 s so far');
    expect(steps[0]).toHaveTextContent('Restoring the data: loading the database dump.');
    expect(screen.getByTestId('progress-line')).toHaveTextContent('Restoring the data');
    expect(screen.getByRole('progressbar', { name: 'Progress of Acme Shoes' })).toHaveAttribute(
      'aria-valuemax',
      '4',
    );
  });

  it('says what a backup, a sleep and a wake are doing now', () => {
    const backingUp = readyStore({
      name: 'Backup Shop',
      state: 'BackingUp',
      conditions: [
        ...doneConditions().filter((c) => c.type !== 'BackedUp'),
        condition('BackedUp', 'Unknown', 'InProgress', 'Dumping the database.', 100),
      ],
      stepTimings: { backup: { backup: { startedAt: at(100), finishedAt: null, durationMs: null } } },
    });
    const waking = readyStore({
      name: 'Wake Shop',
      state: 'Waking',
      stepTimings: { wake: { 'scale-up': { startedAt: at(100), finishedAt: null, durationMs: null } } },
    });
    const sleeping = readyStore({
      name: 'Sleep Shop',
      state: 'Sleeping',
      conditions: [
        ...doneConditions().filter((c) => c.type !== 'Asleep'),
        condition('Asleep', 'Unknown', 'InProgress', 'Scaling down.', 100),
      ],
    });
    renderWithProviders(
      <div>
        {[backingUp, waking, sleeping].map((store) => (
          <div key={store.id} data-testid={store.name}>
            <ProgressSummary store={store} />
          </div>
        ))}
      </div>,
    );
    const line = (name: string) => within(screen.getByTestId(name)).getByTestId('progress-line');
    expect(line('Backup Shop')).toHaveTextContent('Backing up the database and files');
    expect(
      within(screen.getByTestId('Backup Shop')).getByRole('progressbar', { name: 'Progress of Backup Shop' }),
    ).toHaveAttribute('aria-valuemax', '1');
    expect(line('Wake Shop')).toHaveTextContent('Scaling the workloads up');
    expect(line('Sleep Shop')).toHaveTextContent('Scaling the workloads down');
  });
});
