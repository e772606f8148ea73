import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CreateStoreForm } from '../src/components/stores/CreateStoreForm.tsx';
import { apiError, engineInfo, makeStore, mockApi, renderWithProviders } from './support.tsx';

/** What the form sent (the engines' list it reads is not its doing). */
const sent = (api: ReturnType<typeof mockApi>) => api.calls.filter((call) => call.method !== 'GET');

const nameInput = () => screen.getByRole('textbox', { name: 'Store name' });
const submit = () => userEvent.click(screen.getByRole('button', { name: 'Create store' }));

describe('the create form', () => {
  it('checks the contract rules before sending: an empty name is refused with a message at the field', async () => {
    const api = mockApi({});
    renderWithProviders(<CreateStoreForm />);
    await userEvent.type(nameInput(), '   ');
    await submit();
    expect(nameInput()).toHaveAttribute('aria-invalid', 'true');
    expect(nameInput()).toHaveAccessibleDescription('Store name must not be empty.');
    expect(nameInput()).toHaveFocus();
    expect(sent(api)).toHaveLength(0);
  });

  it('checks the contract pattern before sending: a name with fewer than three letters or digits', async () => {
    const api = mockApi({});
    renderWithProviders(<CreateStoreForm />);
    await userEvent.type(nameInput(), 'a-b');
    await submit();
    expect(nameInput()).toHaveAccessibleDescription(
      'Store name needs at least three letters or digits (A-Z, 0-9) and no control characters.',
    );
    expect(sent(api)).toHaveLength(0);
  });

  it("shows the API's own message at the name field when the API refuses the name", async () => {
    // A reserved name passes the contract's pattern; only the API knows the reserved words.
    const message = 'Store name "Admin" is reserved (address "admin"); choose another name.';
    const api = mockApi({ 'POST /api/stores': () => apiError(400, 'INVALID_STORE_NAME', message) });
    renderWithProviders(<CreateStoreForm />);
    await userEvent.type(nameInput(), 'Admin');
    await submit();
    await waitFor(() => expect(nameInput()).toHaveAccessibleDescription(message));
    expect(nameInput()).toHaveAttribute('aria-invalid', 'true');
    expect(nameInput()).toHaveFocus();
    expect(sent(api)[0]).toMatchObject({
      method: 'POST',
      path: '/api/stores',
      body: { name: 'Admin', engine: 'woocommerce' },
    });

    // Typing a new name clears the refusal; the API gets the final word again on the next submit.
    await userEvent.type(nameInput(), 'c');
    expect(nameInput()).not.toHaveAttribute('aria-invalid');
  });

  it('shows a taken name at the field, and a platform limit for the whole form', async () => {
    let answer = apiError(
      409,
      'STORE_NAME_TAKEN',
      'A store with the address "acme" already exists; choose another name.',
    );
    mockApi({ 'POST /api/stores': () => answer });
    renderWithProviders(<CreateStoreForm />);
    await userEvent.type(nameInput(), 'Acme');
    await submit();
    await waitFor(() =>
      expect(nameInput()).toHaveAccessibleDescription(
        'A store with the address "acme" already exists; choose another name.',
      ),
    );

    answer = apiError(
      403,
      'STORE_LIMIT_REACHED',
      'The platform already runs 100 of at most 100 stores (MAX_STORES).',
    );
    await submit();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The platform already runs 100 of at most 100 stores',
    );
  });

  it('places a validation issue about the name, reported by the API, at the field', async () => {
    mockApi({
      'POST /api/stores': () =>
        apiError(400, 'INVALID_INPUT', 'Invalid request: body.name: Too big', {
          issues: [{ where: 'body.name', message: 'must be at most 100 characters' }],
        }),
    });
    renderWithProviders(<CreateStoreForm />);
    await userEvent.type(nameInput(), 'Fine name');
    await submit();
    await waitFor(() =>
      expect(nameInput()).toHaveAccessibleDescription('Store name must be at most 100 characters'),
    );
  });

  it('sends the name and engine, then clears the name and says the store is on its way', async () => {
    const api = mockApi({
      'POST /api/stores': ({ body }) => ({
        status: 202,
        body: makeStore({ ...(body as { name: string; engine: 'medusa' }) }),
      }),
    });
    renderWithProviders(<CreateStoreForm />);
    await userEvent.type(nameInput(), '  Medusa Mart ');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Engine' }), 'medusa');
    await submit();
    expect(
      await screen.findByText('“Medusa Mart” is on its way: follow its progress below.'),
    ).toBeInTheDocument();
    expect(sent(api)[0]?.body).toEqual({ name: 'Medusa Mart', engine: 'medusa' });
    expect(nameInput()).toHaveValue('');
    expect(nameInput()).not.toHaveAttribute('aria-invalid');
  });

  it('offers only what the cluster can run: an unavailable engine is disabled, with its reason beside it', async () => {
    const reason =
      'woocommerce cannot run on this cluster: node storefleet-node lacks storefleet/wordpress:7.1.1-wc11.1.2; its image comes from the internet.';
    const api = mockApi({
      'POST /api/stores': ({ body }) => ({ status: 202, body: makeStore({ ...(body as { name: string }) }) }),
    });
    renderWithProviders(
      <CreateStoreForm
        engines={[engineInfo('woocommerce', { available: false, reason }), engineInfo('medusa')]}
      />,
    );
    const select = screen.getByRole('combobox', { name: 'Engine' });
    expect(select).toHaveValue('medusa');
    expect(screen.getByRole('option', { name: 'WooCommerce (unavailable)' })).toBeDisabled();
    expect(select).toHaveAccessibleDescription(`WooCommerce is unavailable here: ${reason}`);
    await userEvent.type(nameInput(), 'Real Shop');
    await submit();
    await waitFor(() => expect(sent(api)[0]?.body).toEqual({ name: 'Real Shop', engine: 'medusa' }));
  });

  it("makes a store from a backup: the engine is the backup's, and the request carries fromBackup", async () => {
    const backupId = '00000000-0000-4000-9000-00000000beef';
    const message = 'Backup 00000000-0000-4000-9000-00000000beef has not succeeded; it cannot be restored.';
    let answer: unknown = apiError(400, 'BACKUP_NOT_RESTORABLE', message);
    const api = mockApi({ 'POST /api/stores': () => answer });
    renderWithProviders(
      <CreateStoreForm
        fromBackup={{ id: backupId, engine: 'medusa', description: 'the backup of “Bolt”' }}
      />,
    );
    const form = screen.getByRole('form', { name: 'New store from a backup' });
    expect(form).toHaveTextContent('The new store starts with the data of the backup of “Bolt”');
    expect(screen.getByRole('combobox', { name: 'Engine' })).toHaveValue('medusa');
    expect(screen.getByRole('combobox', { name: 'Engine' })).toBeDisabled();
    expect(nameInput()).toHaveFocus();
    await userEvent.type(nameInput(), 'Bolt Again');
    await submit();
    expect(await screen.findByRole('alert')).toHaveTextContent(message);

    answer = { status: 202, body: makeStore({ name: 'Bolt Again', engine: 'medusa' }) };
    await submit();
    expect(await screen.findByRole('link', { name: 'Open the new store' })).toBeInTheDocument();
    expect(sent(api).map((call) => call.body)).toEqual([
      { name: 'Bolt Again', engine: 'medusa', fromBackup: backupId },
      { name: 'Bolt Again', engine: 'medusa', fromBackup: backupId },
    ]);
  });
});
