import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { StoresPage } from '../src/pages/StoresPage.tsx';
import { apiError, makeStore, mockApi, readyStore, renderWithProviders, storeList } from './support.tsx';

function rowOf(name: string): HTMLElement {
  const row = screen.getByRole('link', { name }).closest('tr');
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

describe('the stores list', () => {
  it('shows each store with its engine, status, links, created time and provisioning duration', async () => {
    const ready = readyStore({ name: 'Acme Shoes' });
    const provisioning = makeStore({ name: 'Bolt Bikes', engine: 'medusa', state: 'Provisioning' });
    const failed = makeStore({
      name: 'Cold Brew',
      state: 'Failed',
      failure: {
        operation: 'provision',
        step: 'release',
        reason: 'QuotaExceeded',
        message: 'Step "release" failed: the namespace quota allows 2 pods.',
        retryable: false,
      },
    });
    mockApi({ 'GET /api/stores': () => storeList([ready, provisioning, failed]) });
    renderWithProviders(<StoresPage />);

    const acme = await screen.findByRole('link', { name: 'Acme Shoes' });
    expect(acme).toHaveAttribute('href', `/stores/${ready.id}`);
    const readyRow = rowOf('Acme Shoes');
    expect(within(readyRow).getByText('WooCommerce')).toBeInTheDocument();
    expect(within(readyRow).getByText('Ready')).toHaveAttribute('data-state', 'Ready');
    expect(within(readyRow).getByRole('link', { name: 'Storefront of Acme Shoes' })).toHaveAttribute(
      'href',
      'http://acme-shoes.localhost',
    );
    expect(within(readyRow).getByRole('link', { name: 'Admin of Acme Shoes' })).toBeInTheDocument();
    expect(within(readyRow).getByText('1 min 12 s')).toBeInTheDocument();
    expect(within(readyRow).getByRole('time')).toHaveAttribute('datetime', ready.createdAt);
    expect(within(readyRow).queryByRole('button', { name: /retry/i })).not.toBeInTheDocument();

    const bikes = rowOf('Bolt Bikes');
    expect(within(bikes).getByText('Medusa')).toBeInTheDocument();
    expect(within(bikes).getByText('Provisioning', { selector: '[data-state]' })).toBeInTheDocument();
    expect(within(bikes).queryByRole('link', { name: /storefront/i })).not.toBeInTheDocument();
    expect(within(bikes).getByText(/so far/)).toBeInTheDocument();

    const cold = rowOf('Cold Brew');
    expect(within(cold).getByText('Failed', { selector: '[data-state]' })).toBeInTheDocument();
    expect(within(cold).getByText(/the namespace quota allows 2 pods/)).toBeInTheDocument();
    expect(within(cold).getByRole('button', { name: 'Retry Cold Brew' })).toBeInTheDocument();
  });

  it('says so when there are no stores, and hides deleted ones unless asked', async () => {
    const gone = makeStore({ name: 'Gone Shop', state: 'Deleted', deletedAt: new Date().toISOString() });
    mockApi({ 'GET /api/stores': () => storeList([gone]) });
    renderWithProviders(<StoresPage />);
    expect(await screen.findByText('No stores yet')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Gone Shop' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('checkbox', { name: /show deleted stores/i }));
    expect(screen.getByRole('link', { name: 'Gone Shop' })).toBeInTheDocument();
  });

  it('shows a loading state, then the error in words with a way to try again', async () => {
    let fail = true;
    mockApi({
      'GET /api/stores': () =>
        fail
          ? apiError(500, 'INTERNAL', 'Something went wrong on our side; the error has been logged.')
          : storeList([]),
    });
    renderWithProviders(<StoresPage />);
    expect(screen.getByText('Loading stores…')).toHaveAttribute('role', 'status');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load stores: Something went wrong on our side');
    fail = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No stores yet')).toBeInTheDocument();
  });

  it('deletes a store only after confirmation, also while it is provisioning', async () => {
    const store = makeStore({ name: 'Busy Shop', state: 'Provisioning' });
    const api = mockApi({
      'GET /api/stores': () => storeList([store]),
      [`DELETE /api/stores/${store.id}`]: () => ({
        status: 202,
        body: { ...store, state: 'Deleting', updatedAt: new Date().toISOString() },
      }),
    });
    renderWithProviders(<StoresPage />);
    const user = userEvent.setup();
    const remove = await screen.findByRole('button', { name: 'Delete Busy Shop' });

    await user.click(remove);
    const dialog = screen.getByRole('alertdialog', { name: 'Delete “Busy Shop”?' });
    expect(dialog).toHaveTextContent('Provisioning stops, and everything created so far is removed.');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(api.calls.some((call) => call.method === 'DELETE')).toBe(false);

    await user.click(remove);
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete store' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    expect(api.calls.filter((call) => call.method === 'DELETE')).toHaveLength(1);
    expect(
      within(rowOf('Busy Shop')).getByText('Deleting', { selector: '[data-state]' }),
    ).toBeInTheDocument();
    expect(within(rowOf('Busy Shop')).queryByRole('button', { name: /delete/i })).not.toBeInTheDocument();
  });

  it('retries a failed store and shows the API refusal in words when there is one', async () => {
    const store = makeStore({
      name: 'Again Shop',
      state: 'Failed',
      failure: {
        operation: 'rollback',
        step: 'rollback',
        reason: 'X',
        message: 'rollback failed',
        retryable: true,
      },
    });
    mockApi({
      'GET /api/stores': () => storeList([store]),
      [`POST /api/stores/${store.id}/retry`]: () =>
        apiError(409, 'STORE_CHANGED', 'The store changed while retrying; reload it and try again.'),
    });
    renderWithProviders(<StoresPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Retry Again Shop' }));
    expect(
      await screen.findByText('The store changed while retrying; reload it and try again.'),
    ).toBeInTheDocument();
  });
});
