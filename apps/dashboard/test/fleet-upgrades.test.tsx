import type { FleetUpgrade } from '@storefleet/contracts';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FleetUpgrades } from '../src/components/platform/FleetUpgrades.tsx';
import { apiError, mockApi, renderWithProviders } from './support.tsx';

const run = (overrides: Partial<FleetUpgrade>): FleetUpgrade => ({
  id: '00000000-0000-4000-8000-00000000f1ee',
  state: 'running',
  storeIds: ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'],
  upgradedIds: ['00000000-0000-4000-8000-000000000001'],
  concurrency: 2,
  failedStoreId: null,
  message: '1 of 2 upgraded.',
  createdBy: 'ops@example.com',
  createdAt: '2025-01-01T10:00:00.000Z',
  finishedAt: null,
  ...overrides,
});

describe('fleet upgrades on the platform page', () => {
  it('shows the progress of a run and refreshes it until it is over', async () => {
    let answers = 0;
    mockApi({
      'GET /api/fleet/upgrade': () => {
        answers++;
        return {
          items: [
            answers === 1
              ? run({})
              : run({ state: 'succeeded', upgradedIds: run({}).storeIds, message: 'All 2 stores upgraded.' }),
          ],
        };
      },
    });
    renderWithProviders(<FleetUpgrades />);
    expect(await screen.findByText('Running: 1 of 2 stores upgraded')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Stores upgraded' })).toHaveAttribute(
      'aria-valuenow',
      '1',
    );
    expect(screen.getByRole('button', { name: 'Upgrade all Ready stores' })).toBeDisabled();
    expect(
      // Refetched every 2 s while the run is running.
      await screen.findByText('Succeeded: 2 of 2 stores upgraded', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(screen.getByText('All 2 stores upgraded.')).toBeInTheDocument();
  });

  it('starts a run with the chosen concurrency and shows a refusal in the API words', async () => {
    const api = mockApi({
      'GET /api/fleet/upgrade': () => ({ items: [] }),
      'POST /api/fleet/upgrade': () => apiError(400, 'INVALID_INPUT', 'There is no Ready store to upgrade.'),
    });
    renderWithProviders(<FleetUpgrades />);
    expect(await screen.findByText('No fleet upgrade yet')).toBeInTheDocument();
    const field = screen.getByLabelText('Stores at a time');
    await userEvent.clear(field);
    await userEvent.type(field, '3');
    await userEvent.click(screen.getByRole('button', { name: 'Upgrade all Ready stores' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('There is no Ready store to upgrade.');
    await waitFor(() =>
      expect(api.calls.find((call) => call.method === 'POST')?.body).toEqual({ concurrency: 3 }),
    );
  });
});
