import type { QueuePosition } from '@storefleet/contracts';
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { queueWords } from '../src/components/progress/QueueNotice.tsx';
import { StoreProgress } from '../src/components/progress/StoreProgress.tsx';
import { makeStore, mockApi, renderWithProviders } from './support.tsx';

const position = (overrides: Partial<QueuePosition>): QueuePosition => ({
  waiting: true,
  position: 3,
  running: 2,
  slots: 2,
  expectedWaitSeconds: 80,
  ...overrides,
});

describe("a queued store's place in line", () => {
  it('shows the position and the expected wait on the store page, moving up as it is asked again', async () => {
    const store = makeStore({ state: 'Queued' });
    let answer = position({});
    const api = mockApi({ [`GET /api/stores/${store.id}/queue`]: () => answer });
    renderWithProviders(<StoreProgress store={store} />);
    expect(
      await screen.findByText('3rd in line; 2 of 2 set-up slots busy. It starts in about 1 min 20 s.'),
    ).toBeInTheDocument();
    answer = position({ position: 1, expectedWaitSeconds: 40 });
    expect(
      await screen.findByText('1st in line; 2 of 2 set-up slots busy. It starts in about 40 s.', undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
    expect(api.calls.filter((call) => call.path.endsWith('/queue')).length).toBeGreaterThan(1);
  });

  it('asks nothing for a store that is not queued', async () => {
    const store = makeStore({ state: 'Ready' });
    const api = mockApi({});
    renderWithProviders(<StoreProgress store={store} />);
    await screen.findAllByRole('listitem');
    expect(api.calls.filter((call) => call.path.endsWith('/queue'))).toEqual([]);
  });

  it('words the cases where no wait can be told, or none is left', () => {
    expect(queueWords(position({ expectedWaitSeconds: null }))).toBe(
      '3rd in line; 2 of 2 set-up slots busy. No store has finished yet, so the wait cannot be told.',
    );
    expect(queueWords(position({ position: 1, running: 1, expectedWaitSeconds: 0 }))).toBe(
      '1st in line; 1 of 2 set-up slots busy. It starts in a moment.',
    );
    expect(queueWords(position({ position: 12 }))).toMatch(/^12th in line/);
    expect(queueWords(position({ position: 22 }))).toMatch(/^22nd in line/);
    expect(queueWords(position({ waiting: false, position: null }))).toBe('Starting now.');
  });
});
