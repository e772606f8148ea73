import type { Domain } from '@storefleet/contracts';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DomainsPanel } from '../src/components/detail/DomainsPanel.tsx';
import { apiError, makeStore, mockApi, renderWithProviders } from './support.tsx';

const store = makeStore({ state: 'Ready', engine: 'medusa' });

function domain(overrides: Partial<Domain> = {}): Domain {
  return {
    id: '7d7c2f5e-7a2b-4a51-9a4b-2d7f4c1e9b10',
    storeId: store.id,
    hostname: 'shop.example.test',
    displayName: 'shop.example.test',
    state: 'PendingDns',
    reason: 'DnsRecordsMissing',
    message: 'Create the DNS records shown for shop.example.test; the platform checks them every 30 s.',
    primary: false,
    records: [
      { type: 'CNAME', name: 'shop.example.test', value: 'acme.localhost', purpose: 'routing' },
      {
        type: 'TXT',
        name: '_storefleet.shop.example.test',
        value: 'storefleet-verification=abc',
        purpose: 'ownership',
      },
    ],
    certificate: null,
    conditions: [
      {
        type: 'CertificateReady',
        status: 'Unknown',
        reason: 'NotRequested',
        message: 'No certificate is asked for before the DNS records are verified.',
        lastTransitionTime: '2026-12-07T06:00:00.000Z',
      },
    ],
    attention: false,
    attentionReason: null,
    createdAt: '2026-12-07T06:00:00.000Z',
    verifiedAt: null,
    activeAt: null,
    ...overrides,
  };
}

const base = `/api/stores/${store.id}/domains`;

describe('the Domains panel', () => {
  it('adds a domain and shows the records to copy with its live state', async () => {
    let items: Domain[] = [];
    const api = mockApi({
      [`GET ${base}`]: () => ({ items }),
      [`POST ${base}`]: ({ body }) => {
        items = [domain({ hostname: (body as { hostname: string }).hostname })];
        return { status: 201, body: items[0] };
      },
    });
    renderWithProviders(<DomainsPanel store={store} />);
    expect(await screen.findByText('No domains yet')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Domain'), 'shop.example.test');
    await userEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    expect(await screen.findByText('Waiting for DNS')).toBeInTheDocument();
    const records = screen.getByRole('table', { name: /DNS records for shop.example.test/ });
    expect(within(records).getByText('storefleet-verification=abc')).toBeInTheDocument();
    expect(within(records).getByText('acme.localhost')).toBeInTheDocument();
    expect(within(records).getAllByRole('button', { name: /^Copy/ })).toHaveLength(2);
    expect(api.calls.find((call) => call.method === 'POST')?.body).toEqual({ hostname: 'shop.example.test' });
  });

  it('says why a domain cannot be added', async () => {
    mockApi({
      [`GET ${base}`]: () => ({ items: [] }),
      [`POST ${base}`]: () =>
        apiError(409, 'DOMAIN_TAKEN', 'shop.example.test is already in use by a store on this platform.'),
    });
    renderWithProviders(<DomainsPanel store={store} />);
    await userEvent.type(await screen.findByLabelText('Domain'), 'shop.example.test');
    await userEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    expect(await screen.findByText(/already in use by a store/)).toBeInTheDocument();
  });

  it('shows the reason of a failed domain, and checks it again on request', async () => {
    const failed = domain({
      state: 'Failed',
      reason: 'CertificateNotIssued',
      message:
        'No certificate for shop.example.test after 600 s: the ACME server could not validate the domain.',
    });
    const api = mockApi({
      [`GET ${base}`]: () => ({ items: [failed] }),
      [`POST ${base}/${failed.id}/verify`]: () => ({ ...failed, state: 'PendingDns' }),
    });
    renderWithProviders(<DomainsPanel store={store} />);
    expect(await screen.findByText(/could not validate the domain/)).toBeInTheDocument();
    expect(screen.getByText('Failed')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Check now' }));
    expect(api.calls.some((call) => call.path.endsWith('/verify') && call.method === 'POST')).toBe(true);
  });

  it('shows an Active domain with its certificate, a badge when it needs attention, and makes it primary', async () => {
    const active = domain({
      state: 'Active',
      reason: 'CertificateIssued',
      message: 'shop.example.test is served with a certificate from Pebble Intermediate CA.',
      attention: true,
      attentionReason: 'CertificateExpiringSoon',
      certificate: {
        ready: true,
        reason: 'CertificateServed',
        message: 'served',
        issuer: 'Pebble Intermediate CA 1a2b3c',
        notAfter: '2026-12-12T06:00:00.000Z',
        checkedAt: '2026-12-07T06:00:00.000Z',
        lastTransitionTime: '2026-12-07T06:00:00.000Z',
      },
    });
    const api = mockApi({
      [`GET ${base}`]: () => ({ items: [active] }),
      [`POST ${base}/${active.id}/primary`]: () => ({ ...active, primary: true }),
    });
    renderWithProviders(<DomainsPanel store={store} />);
    expect(await screen.findByText('Certificate expires soon')).toBeInTheDocument();
    expect(screen.getByText(/Pebble Intermediate CA 1a2b3c/)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Make primary' }));
    expect(api.calls.some((call) => call.path.endsWith('/primary'))).toBe(true);
  });

  it('tells a failing renewal apart from an old certificate: its own badge and the reason in words', async () => {
    const message =
      'The certificate for shop.example.test from Pebble Intermediate CA was due for renewal on 2026-12-02, but the ingress still serves it (valid until 2027-01-01, 25 days left): its renewals are failing.';
    const failing = domain({
      state: 'Active',
      reason: 'CertificateIssued',
      message: 'shop.example.test is served with a certificate from Pebble Intermediate CA.',
      attention: true,
      attentionReason: 'RenewalFailed',
      certificate: {
        ready: true,
        reason: 'RenewalFailed',
        message,
        issuer: 'Pebble Intermediate CA',
        notBefore: '2026-10-03T06:00:00.000Z',
        notAfter: '2027-01-01T06:00:00.000Z',
        checkedAt: '2026-12-07T06:00:00.000Z',
        lastTransitionTime: '2026-12-07T06:00:00.000Z',
      },
    });
    mockApi({ [`GET ${base}`]: () => ({ items: [failing] }) });
    renderWithProviders(<DomainsPanel store={store} />);
    const badge = await screen.findByText('Renewal failing');
    expect(badge).toHaveAttribute('data-attention', 'RenewalFailed');
    expect(screen.getByText(/its renewals are failing/)).toBeInTheDocument();
  });
});
