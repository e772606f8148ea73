import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CredentialsPanel } from '../src/components/detail/CredentialsPanel.tsx';
import { makeStore, mockApi, renderWithProviders } from './support.tsx';

const ready = {
  provision: {
    secrets: {
      startedAt: '2026-11-29T00:00:00.000Z',
      finishedAt: '2026-11-29T00:00:01.000Z',
      durationMs: 1000,
    },
  },
};
const credentials = {
  username: 'storeadmin',
  password: 'pw-123',
  email: 'admin@shop.store.invalid',
  adminUrl: 'http://shop.localhost/app/',
};

describe('the admin login panel', () => {
  it('shows the e-mail and password a Medusa admin signs in with, and no username', async () => {
    const store = makeStore({ engine: 'medusa', state: 'Ready', stepTimings: ready });
    const api = mockApi({ [`POST /api/stores/${store.id}/credentials`]: () => credentials });
    renderWithProviders(<CredentialsPanel store={store} />);
    await userEvent.click(screen.getByRole('button', { name: 'Reveal admin login' }));
    expect(await screen.findByText('pw-123')).toBeInTheDocument();
    expect(screen.getByText('admin@shop.store.invalid')).toBeInTheDocument();
    expect(screen.queryByText('Username')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: /shop\.localhost\/app/ })).toHaveAttribute(
      'href',
      credentials.adminUrl,
    );
    expect(api.calls.filter((call) => call.path.endsWith('/credentials'))).toHaveLength(1);
  });

  it('shows the WordPress username too', async () => {
    const store = makeStore({ state: 'Ready', stepTimings: ready });
    mockApi({ [`POST /api/stores/${store.id}/credentials`]: () => credentials });
    renderWithProviders(<CredentialsPanel store={store} />);
    await userEvent.click(screen.getByRole('button', { name: 'Reveal admin login' }));
    expect(await screen.findByText('storeadmin')).toBeInTheDocument();
  });
});
