import type { CaughtMail, MailSend, StoreMail } from '@storefleet/contracts';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MailPanel } from '../src/components/detail/MailPanel.tsx';
import { MailboxPage } from '../src/pages/MailboxPage.tsx';
import { apiError, makeStore, mockApi, renderWithProviders } from './support.tsx';

const store = makeStore({ state: 'Ready', engine: 'medusa' });
const base = `/api/stores/${store.id}/mail`;

function send(overrides: Partial<MailSend> = {}): MailSend {
  return {
    id: 'noti_1',
    to: 'ada@example.com',
    kind: 'order-confirmation',
    status: 'sent',
    error: null,
    subject: 'Order #7 confirmed',
    orderNumber: 7,
    createdAt: '2026-12-07T06:00:00.000Z',
    ...overrides,
  };
}

function storeMail(overrides: Partial<StoreMail> = {}): StoreMail {
  return {
    configured: true,
    from: '"Harbour" <orders@harbour.localhost>',
    settings: { merchantEmail: 'admin@harbour.store.invalid', senderName: 'Harbour' },
    sends: [],
    ...overrides,
  };
}

describe('the E-mail panel', () => {
  it('shows the sender, the last sends with a failure and its reason, and saves new settings', async () => {
    let mail = storeMail({
      sends: [
        send({
          id: 'noti_2',
          kind: 'order-notice',
          to: 'admin@harbour.store.invalid',
          status: 'failed',
          error: 'connect ECONNREFUSED 10.250.0.1:1025',
        }),
        send(),
      ],
    });
    const api = mockApi({
      [`GET ${base}`]: () => mail,
      [`PUT ${base}/settings`]: ({ body }) => {
        const { merchantEmail, senderName } = body as { merchantEmail: string; senderName: string };
        mail = { ...mail, settings: { merchantEmail, senderName } };
        return mail.settings;
      },
    });
    renderWithProviders(<MailPanel store={store} />);
    expect(await screen.findByText(/sent as "Harbour" <orders@harbour.localhost>/)).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Last e-mails sent' });
    expect(within(table).getByText('New-order notice #7')).toBeInTheDocument();
    expect(within(table).getByText('Failed')).toBeInTheDocument();
    expect(within(table).getByText('connect ECONNREFUSED 10.250.0.1:1025')).toBeInTheDocument();
    expect(within(table).getByText('Order confirmation #7')).toBeInTheDocument();

    const address = screen.getByLabelText('New-order notices go to');
    await userEvent.clear(address);
    await userEvent.type(address, 'orders@harbour.example');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByDisplayValue('orders@harbour.example');
    expect(api.calls.find((call) => call.method === 'PUT')?.body).toEqual({
      merchantEmail: 'orders@harbour.example',
      senderName: 'Harbour',
    });
  });

  it('sends a test e-mail and says how it went, failure included', async () => {
    let outcome = send({ id: 'noti_3', kind: 'test', orderNumber: null, to: 'admin@harbour.store.invalid' });
    mockApi({
      [`GET ${base}`]: () => storeMail(),
      [`POST ${base}/test`]: () => outcome,
    });
    renderWithProviders(<MailPanel store={store} />);
    const button = await screen.findByRole('button', { name: 'Send a test e-mail' });
    await userEvent.click(button);
    expect(await screen.findByText('Sent to admin@harbour.store.invalid.')).toBeInTheDocument();
    outcome = { ...outcome, status: 'failed', error: '550 mailbox unavailable' };
    await userEvent.click(button);
    expect(await screen.findByText('Not sent: 550 mailbox unavailable')).toBeInTheDocument();
  });

  it('says plainly when the platform has no relay or cannot read the engine', async () => {
    mockApi({ [`GET ${base}`]: () => storeMail({ configured: false, from: null }) });
    const { unmount } = renderWithProviders(<MailPanel store={store} />);
    expect(await screen.findByText(/no SMTP relay/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send a test e-mail' })).toBeDisabled();
    unmount();

    mockApi({
      [`GET ${base}`]: () =>
        apiError(409, 'MAIL_UNSUPPORTED', 'WooCommerce stores send their e-mail through the relay.'),
    });
    renderWithProviders(<MailPanel store={store} />);
    expect(
      await screen.findByText('WooCommerce stores send their e-mail through the relay.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('the Mailbox page', () => {
  it("lists the catcher's messages and shows the chosen one's text", async () => {
    const caught: CaughtMail = {
      id: 'abc123',
      from: '"Harbour" <orders@harbour.localhost>',
      to: ['ada@example.com'],
      subject: 'Order #7 confirmed — Harbour',
      receivedAt: '2026-12-07T06:00:00.000Z',
    };
    mockApi({
      'GET /api/mailbox': () => ({ items: [caught] }),
      'GET /api/mailbox/abc123': () => ({ ...caught, text: 'Fleet T-Shirt × 1', html: null }),
    });
    renderWithProviders(<MailboxPage />);
    await userEvent.click(await screen.findByRole('button', { name: /Order #7 confirmed/ }));
    expect(await screen.findByText('Fleet T-Shirt × 1')).toBeInTheDocument();
    expect(screen.getByRole('article', { name: 'Order #7 confirmed — Harbour' })).toBeInTheDocument();
  });
});
