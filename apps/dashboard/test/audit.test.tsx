import { AuditRecord } from '@storefleet/contracts';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Pages } from '../src/App.tsx';
import { Layout } from '../src/components/Layout.tsx';
import { AuditPage } from '../src/pages/AuditPage.tsx';
import { adminSession, apiError, at, mockApi, renderWithProviders, session } from './support.tsx';

const STORE_ID = '00000000-0000-4000-8000-00000000c0de';

const entry = (id: number, overrides: Partial<AuditRecord> = {}): AuditRecord =>
  AuditRecord.parse({
    id,
    actor: 'alice@example.com',
    actorId: '00000000-0000-4000-8000-0000000a11ce',
    ip: '203.0.113.7',
    userAgent: 'curl/8',
    action: 'store.create',
    target: STORE_ID,
    outcome: 'success',
    statusCode: 202,
    reason: null,
    createdAt: at(id),
    ...overrides,
  });

const denied = entry(3, {
  actor: 'bob@example.com',
  ip: '198.51.100.2',
  action: 'store.delete',
  outcome: 'denied',
  statusCode: 404,
  reason: 'NOT_FOUND',
});

/** Answers GET /api/audit with `answer` and remembers the query of each request. */
function auditApi(answer: (query: URLSearchParams) => unknown) {
  const queries: URLSearchParams[] = [];
  const api = mockApi({
    'GET /api/audit': ({ url }) => {
      queries.push(url.searchParams);
      return answer(url.searchParams);
    },
  });
  return { ...api, queries };
}

const rowOf = (text: string) => {
  const row = within(screen.getByRole('table', { name: 'Audit trail' }))
    .getByText(text)
    .closest('tr');
  if (!row) throw new Error(`no row with ${text}`);
  return row;
};

describe('the audit page', () => {
  it('shows an admin the trail, newest first, with time, actor, IP, action, target, outcome and reason', async () => {
    const api = auditApi(() => ({ items: [denied, entry(1)], nextCursor: null }));
    renderWithProviders(<AuditPage />, { as: adminSession, path: '/audit' });
    expect(screen.getByRole('status')).toHaveTextContent('Loading the audit trail');

    const table = await screen.findByRole('table', { name: 'Audit trail' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.getAttribute('data-audit-id'))).toEqual(['3', '1']);
    const row = rowOf('bob@example.com');
    expect(within(row).getByText('198.51.100.2')).toBeInTheDocument();
    expect(within(row).getByText('store.delete')).toBeInTheDocument();
    expect(within(row).getByText(STORE_ID)).toBeInTheDocument();
    expect(within(row).getByText('denied · 404')).toBeInTheDocument();
    expect(within(row).getByText('NOT_FOUND')).toBeInTheDocument();
    expect(row.querySelector('time')).toHaveAttribute('dateTime', at(3));
    expect(within(rowOf('alice@example.com')).getByText('success · 202')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Entries (2 shown)' })).toBeInTheDocument();
    expect(api.queries.map(String)).toEqual(['limit=50']);
  });

  it('sends the filters with the request, says when nothing matches, and clears them', async () => {
    const api = auditApi((query) => ({
      items: query.has('actor') ? [] : [denied, entry(1)],
      nextCursor: null,
    }));
    const user = userEvent.setup();
    renderWithProviders(<AuditPage />, { as: adminSession, path: '/audit' });
    await screen.findByRole('table', { name: 'Audit trail' });

    const form = screen.getByRole('form', { name: 'Filter the audit trail' });
    await user.type(within(form).getByRole('textbox', { name: 'Actor' }), ' carol@example.com ');
    await user.type(within(form).getByRole('combobox', { name: 'Action' }), 'token.revoke');
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Outcome' }), 'denied');
    // Enter in a field sends the form, as a button press does.
    await user.type(within(form).getByRole('textbox', { name: 'Target' }), `${STORE_ID}{Enter}`);

    expect(await screen.findByText('No entries match these filters')).toBeInTheDocument();
    const filtered = api.queries.at(-1);
    expect(Object.fromEntries(filtered ?? [])).toEqual({
      limit: '50',
      actor: 'carol@example.com',
      action: 'token.revoke',
      outcome: 'denied',
      target: STORE_ID,
    });

    await user.click(within(form).getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByRole('table', { name: 'Audit trail' })).toBeInTheDocument();
    expect(String(api.queries.at(-1))).toBe('limit=50');
    expect(within(form).getByRole('textbox', { name: 'Actor' })).toHaveValue('');
    expect(within(form).queryByRole('button', { name: 'Clear filters' })).not.toBeInTheDocument();
  });

  it('loads the next page with the cursor the API gave, keeping the filters', async () => {
    const api = auditApi((query) =>
      query.get('cursor') === 'page-2'
        ? { items: [entry(1, { actor: 'older@example.com' })], nextCursor: null }
        : { items: [denied, entry(2)], nextCursor: 'page-2' },
    );
    const user = userEvent.setup();
    renderWithProviders(<AuditPage />, { as: adminSession, path: '/audit' });
    await screen.findByRole('table', { name: 'Audit trail' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Outcome' }), 'success');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(api.queries.at(-1)?.get('outcome')).toBe('success'));

    await user.click(await screen.findByRole('button', { name: 'Load more entries' }));
    expect(await screen.findByText('older@example.com')).toBeInTheDocument();
    expect(Object.fromEntries(api.queries.at(-1) ?? [])).toEqual({
      limit: '50',
      outcome: 'success',
      cursor: 'page-2',
    });
    expect(screen.getByText('bob@example.com')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Entries (3 shown)' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more entries' })).not.toBeInTheDocument();
  });

  it('tells a merchant who opens /audit that it is for admins only, without asking the API, and hides its link', async () => {
    const api = mockApi({});
    renderWithProviders(
      <Layout session={session}>
        <Pages />
      </Layout>,
      { path: '/audit' },
    );
    expect(screen.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeInTheDocument();
    expect(screen.getByText('Admins only')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Audit' })).not.toBeInTheDocument();
    await waitFor(() => expect(api.calls.some((call) => call.path === '/api/platform')).toBe(true));
    expect(api.calls.some((call) => call.path === '/api/audit')).toBe(false);
  });

  it('shows an admin the Audit link, and the admins-only message when the API refuses anyway', async () => {
    auditApi(() => apiError(403, 'FORBIDDEN', 'Only platform admins can do this.'));
    renderWithProviders(
      <Layout session={adminSession}>
        <Pages />
      </Layout>,
      { as: adminSession, path: '/audit' },
    );
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Audit' })).toHaveAttribute('aria-current', 'page');
    expect(await screen.findByText('Admins only')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Filter the audit trail' })).not.toBeInTheDocument();
  });

  it('says why the trail could not be loaded, and loads it on Try again', async () => {
    let answer: unknown = apiError(
      500,
      'INTERNAL',
      'Something went wrong on our side; the error has been logged.',
    );
    auditApi(() => answer);
    const user = userEvent.setup();
    renderWithProviders(<AuditPage />, { as: adminSession, path: '/audit' });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the audit trail: Something went wrong on our side',
    );
    answer = { items: [], nextCursor: null };
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Nothing has been recorded yet')).toBeInTheDocument();
  });
});
