import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../src/App.tsx';
import { setCsrfToken } from '../src/api/client.ts';
import { apiError, engineInfo, FakeEventSource, makeStore, mockApi, session, storeList } from './support.tsx';

const platform = {
  environment: 'local',
  cluster: { configured: true, simulated: true, description: 'Local control plane: pods are simulated.' },
  engines: [
    engineInfo('woocommerce', { available: true, pods: 'simulated' }),
    engineInfo('medusa', { available: true, pods: 'simulated' }),
  ],
  mail: { configured: false, catcher: false },
};

describe('signing in', () => {
  it('shows the sign-in page to a visitor, the API refusal in its words, then the stores once signed in', async () => {
    setCsrfToken(null);
    vi.stubGlobal('EventSource', FakeEventSource);
    const store = makeStore({ name: 'Mine' });
    let signedIn = false;
    const api = mockApi({
      'GET /api/platform': () => platform,
      'GET /api/auth/session': () =>
        signedIn
          ? session
          : apiError(401, 'AUTHENTICATION_REQUIRED', 'Sign in, or send a personal API token.'),
      'POST /api/auth/signin': ({ body }) => {
        if ((body as { password: string }).password !== 'correct horse battery') {
          return apiError(401, 'INVALID_CREDENTIALS', 'The e-mail address or the password is wrong.');
        }
        signedIn = true;
        return session;
      },
      'GET /api/stores': () => storeList([store]),
      [`DELETE /api/stores/${store.id}`]: () => ({ status: 202, body: { ...store, state: 'Deleting' } }),
    });
    window.history.replaceState(null, '', '/');
    render(<App />);

    const form = await screen.findByRole('form', { name: 'Sign in' });
    expect(screen.getByRole('note', { name: 'Cluster notice' })).toHaveTextContent('Simulated cluster');
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText('E-mail address'), 'not-an-address');
    await user.type(within(form).getByLabelText('Password'), 'short');
    await user.click(within(form).getByRole('button', { name: 'Sign in' }));
    expect(within(form).getByLabelText('E-mail address')).toHaveAccessibleDescription(
      'Enter a valid e-mail address.',
    );
    expect(within(form).getByLabelText('Password')).toHaveAccessibleDescription(
      'The password needs at least 10 characters.',
    );

    await user.clear(within(form).getByLabelText('E-mail address'));
    await user.type(within(form).getByLabelText('E-mail address'), 'merchant@example.com');
    await user.clear(within(form).getByLabelText('Password'));
    await user.type(within(form).getByLabelText('Password'), 'wrong password');
    await user.click(within(form).getByRole('button', { name: 'Sign in' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'The e-mail address or the password is wrong.',
    );

    await user.clear(within(form).getByLabelText('Password'));
    await user.type(within(form).getByLabelText('Password'), 'correct horse battery');
    await user.click(within(form).getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('link', { name: 'Mine' })).toBeInTheDocument();
    expect(screen.getByText('merchant@example.com')).toBeInTheDocument();
    expect(FakeEventSource.latest().url).toBe('/api/events');

    // Changes made with the session cookie carry the session's CSRF token.
    await user.click(screen.getByRole('button', { name: 'Delete Mine' }));
    await user.click(screen.getByRole('button', { name: 'Delete store' }));
    await waitFor(() => expect(api.calls.some((call) => call.method === 'DELETE')).toBe(true));
    const remove = api.calls.find((call) => call.method === 'DELETE');
    expect(remove?.headers['x-csrf-token']).toBe('csrf-123');
  });
});
