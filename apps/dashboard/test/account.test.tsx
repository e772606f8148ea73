import { ApiToken } from '@storefleet/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Pages } from '../src/App.tsx';
import { Layout } from '../src/components/Layout.tsx';
import { AccountPage } from '../src/pages/AccountPage.tsx';
import { apiError, at, mockApi, renderWithProviders, session, storeList } from './support.tsx';

const SECRET = 'sf_9f8e7dTHE-SECRET-VALUE-0123456789abcdef';

const token = (overrides: Partial<ApiToken> & { id: string; name: string }): ApiToken =>
  ApiToken.parse({ prefix: 'sf_a1b2c3', createdAt: at(0), lastUsedAt: null, revokedAt: null, ...overrides });

const laptop = token({
  id: '00000000-0000-4000-8000-0000000000a1',
  name: 'laptop',
  lastUsedAt: at(3600),
});

/** A token API that remembers what was created and revoked, as the orchestrator does. */
function tokenApi(create?: (name: string) => { status: number; body: unknown } | undefined) {
  let tokens = [laptop];
  return mockApi({
    'GET /api/tokens': () => ({ items: tokens }),
    'POST /api/tokens': ({ body }) => {
      const name = (body as { name: string }).name;
      const refusal = create?.(name);
      if (refusal) return refusal;
      const created = token({ id: '00000000-0000-4000-8000-0000000000b2', name, prefix: SECRET.slice(0, 9) });
      tokens = [created, ...tokens];
      return { status: 201, body: { token: SECRET, apiToken: created } };
    },
    [`DELETE /api/tokens/${laptop.id}`]: () => {
      tokens = tokens.map((item) => (item.id === laptop.id ? { ...item, revokedAt: at(7200) } : item));
      return { status: 204, body: null };
    },
    'GET /api/stores': () => storeList([]),
  });
}

/** Everything the app keeps: the query and mutation caches and the browser's storage. */
const kept = (client: QueryClient) =>
  JSON.stringify([
    client
      .getQueryCache()
      .getAll()
      .map((query) => query.state.data),
    client
      .getMutationCache()
      .getAll()
      .map((mutation) => mutation.state),
    { ...localStorage },
    { ...sessionStorage },
  ]);

async function createToken(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.type(screen.getByRole('textbox', { name: 'Token name' }), name);
  await user.click(screen.getByRole('button', { name: 'Create token' }));
}

const secretPanel = () => screen.queryByRole('region', { name: /Copy your new token/ });

describe('the account page', () => {
  it('shows who is signed in, their store usage and their limits', async () => {
    tokenApi();
    renderWithProviders(<AccountPage />, { path: '/account' });
    const summary = screen.getByRole('region', { name: 'Signed in' });
    expect(within(summary).getByText('merchant@example.com')).toBeInTheDocument();
    expect(within(summary).getByText('Merchant')).toBeInTheDocument();
    expect(within(summary).getByText('Your stores').nextElementSibling).toHaveTextContent('2 of at most 5');
    expect(within(summary).getByText('Your backups').nextElementSibling).toHaveTextContent(
      '1.5 GiB of at most 5 GiB',
    );
    expect(within(summary).getByText('Changes').nextElementSibling).toHaveTextContent('At most 60 per 60 s');
    expect(summary).toHaveTextContent('at most 100 stores in all');
    const list = await screen.findByRole('list', { name: 'Your API tokens' });
    expect(within(list).getByText('laptop')).toBeInTheDocument();
    expect(within(list).getByText('sf_a1b2c3…')).toBeInTheDocument();
    expect(within(list).getByText(/last used/)).toBeInTheDocument();
  });

  it("shows a new token's secret once, with a copy button, and forgets it when it is dismissed", async () => {
    const api = tokenApi();
    const user = userEvent.setup();
    const { client } = renderWithProviders(<AccountPage />, { path: '/account' });
    await screen.findByText('laptop');
    await createToken(user, '  CI deploys ');

    const panel = await screen.findByRole('region', { name: 'Copy your new token “CI deploys” now' });
    expect(within(panel).getByText(SECRET)).toBeInTheDocument();
    expect(panel).toHaveTextContent('You will not see it again');
    expect(panel.querySelector('h3')).toHaveFocus();
    expect(api.calls.find((call) => call.method === 'POST')).toMatchObject({
      path: '/api/tokens',
      body: { name: 'CI deploys' },
    });
    expect(screen.getByRole('textbox', { name: 'Token name' })).toHaveValue('');
    // The list is asked again and shows the new token by its prefix only.
    const list = screen.getByRole('list', { name: 'Your API tokens' });
    expect(await within(list).findByText('CI deploys')).toBeInTheDocument();
    expect(list).not.toHaveTextContent(SECRET);

    await user.click(within(panel).getByRole('button', { name: 'Copy the new token' }));
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(within(panel).getByRole('button', { name: 'Copy the new token' })).toHaveTextContent('Copied');

    // Only the panel holds it: nothing the app caches or stores has it.
    await waitFor(() => expect(kept(client)).not.toContain(SECRET));

    await user.click(within(panel).getByRole('button', { name: 'I have copied it' }));
    expect(secretPanel()).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
    expect(kept(client)).not.toContain(SECRET);
  });

  it('forgets the secret when the user leaves the page', async () => {
    vi.spyOn(window, 'scrollTo').mockImplementation(() => {});
    tokenApi();
    const user = userEvent.setup();
    const { client } = renderWithProviders(
      <Layout session={session}>
        <Pages />
      </Layout>,
      { path: '/account' },
    );
    await screen.findByText('laptop');
    await createToken(user, 'CI deploys');
    expect(await screen.findByText(SECRET)).toBeInTheDocument();

    const nav = screen.getByRole('navigation', { name: 'Main' });
    await user.click(within(nav).getByRole('link', { name: 'Stores' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Stores' })).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
    await waitFor(() => expect(kept(client)).not.toContain(SECRET));

    await user.click(screen.getByRole('link', { name: 'merchant@example.com' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Your account' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'merchant@example.com' })).toHaveAttribute(
      'aria-current',
      'page',
    );
    expect(await screen.findByText('CI deploys')).toBeInTheDocument();
    expect(secretPanel()).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it('revokes a token only once the dialog is confirmed', async () => {
    const api = tokenApi();
    const user = userEvent.setup();
    renderWithProviders(<AccountPage />, { path: '/account' });
    const revoke = await screen.findByRole('button', { name: 'Revoke laptop' });

    await user.click(revoke);
    const dialog = screen.getByRole('alertdialog', { name: 'Revoke “laptop”?' });
    expect(dialog).toHaveTextContent('refused from now on');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(revoke).toHaveFocus();
    expect(api.calls.some((call) => call.method === 'DELETE')).toBe(false);

    await user.click(revoke);
    await user.click(screen.getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    expect(api.calls.filter((call) => call.method === 'DELETE').map((call) => call.path)).toEqual([
      `/api/tokens/${laptop.id}`,
    ]);
    const list = screen.getByRole('list', { name: 'Your API tokens' });
    expect(await within(list).findByText('Revoked')).toBeInTheDocument();
    expect(within(list).getByText(/revoked/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Revoke laptop' })).not.toBeInTheDocument();
  });

  it("shows the API's own message at the name field, and other refusals for the whole form", async () => {
    const tooSmall = 'Give the token a name, so that you can tell it apart later.';
    let refusal: { status: number; body: unknown } = apiError(
      400,
      'INVALID_INPUT',
      `Invalid request: body.name: ${tooSmall}`,
      { issues: [{ where: 'body.name', message: tooSmall }] },
    );
    const api = tokenApi(() => refusal);
    const user = userEvent.setup();
    renderWithProviders(<AccountPage />, { path: '/account' });
    await screen.findByText('laptop');
    const name = screen.getByRole('textbox', { name: 'Token name' });

    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(name).toHaveAccessibleDescription(tooSmall));
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveFocus();
    expect(api.calls.find((call) => call.method === 'POST')?.body).toEqual({ name: '' });
    expect(secretPanel()).not.toBeInTheDocument();

    // Typing clears the refusal; the API has the final word again on the next try.
    await user.type(name, 'x');
    expect(name).not.toHaveAttribute('aria-invalid');

    refusal = apiError(429, 'RATE_LIMITED', 'Too many requests; try again in 30 s (at most 60 per 60 s).');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many requests; try again in 30 s');
    expect(name).not.toHaveAttribute('aria-invalid');
    expect(secretPanel()).not.toBeInTheDocument();
  });
});
