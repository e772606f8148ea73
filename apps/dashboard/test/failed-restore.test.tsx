// A failed restore says where the store's data and app stand, as the lifecycle table records for the
// step that failed, and offers what makes sense: restore the same backup again, start the app on the
// data it has, or delete.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { StoreProgress } from '../src/components/progress/StoreProgress.tsx';
import { StoreActions } from '../src/components/stores/StoreActions.tsx';
import { makeStore, mockApi, renderWithProviders } from './support.tsx';

const failedAt = (step: string) =>
  makeStore({
    name: 'Acme Shoes',
    state: 'Failed',
    revision: 1,
    operation: 'restore',
    failure: {
      operation: 'restore',
      step,
      reason: 'RestoreFailed',
      message: `Step "${step}" failed: pg_restore: error: could not read from input file`,
      retryable: false,
    },
  });

describe('a failed restore', () => {
  it('says the data is unchanged and the app stopped when the database could not be replaced', () => {
    renderWithProviders(<StoreProgress store={failedAt('data-restore')} />);
    expect(screen.getByTestId('left-behind')).toHaveTextContent(
      'The store’s data is as it was before: the backup was not applied. The app is stopped.',
    );
  });

  it('says the database holds the backup when the app would not start on it', () => {
    renderWithProviders(<StoreProgress store={failedAt('app-start')} />);
    expect(screen.getByTestId('left-behind')).toHaveTextContent('The database now holds the backup’s data.');
  });

  it('offers the same backup again, the app on the data it has, and delete; each asks the API', async () => {
    const store = failedAt('data-restore');
    const api = mockApi({
      [`POST /api/stores/${store.id}/retry`]: () => ({ status: 202, body: { ...store, state: 'Restoring' } }),
      [`POST /api/stores/${store.id}/wake`]: () => ({ status: 202, body: { ...store, state: 'Waking' } }),
    });
    renderWithProviders(<StoreActions store={store} />);
    await userEvent.click(screen.getByRole('button', { name: 'Restore the same backup again (Acme Shoes)' }));
    await userEvent.click(
      screen.getByRole('button', { name: 'Start the app on the data it has (Acme Shoes)' }),
    );
    expect(screen.getByRole('button', { name: 'Delete Acme Shoes' })).toBeInTheDocument();
    expect(api.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      `POST /api/stores/${store.id}/retry`,
      `POST /api/stores/${store.id}/wake`,
    ]);
  });

  it('offers no wake after a failed upgrade: its table entry has no such remedy', () => {
    const store = makeStore({
      name: 'Upgrade Shop',
      state: 'Failed',
      revision: 1,
      failure: { operation: 'upgrade', step: 'upgrade', reason: 'HelmFailed', message: 'x', retryable: true },
    });
    renderWithProviders(<StoreActions store={store} />);
    expect(screen.getByRole('button', { name: 'Retry Upgrade Shop' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Wake up|Start the app/ })).not.toBeInTheDocument();
  });
});
