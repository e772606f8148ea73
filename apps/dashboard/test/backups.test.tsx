import type { Backup, BackupSchedule } from '@storefleet/contracts';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setCsrfToken } from '../src/api/client.ts';
import { formatDateTime } from '../src/lib/format.ts';
import { StoreDetailPage } from '../src/pages/StoreDetailPage.tsx';
import {
  apiError,
  at,
  backupList,
  condition,
  makeBackup,
  makeStore,
  readyStore,
  renderWithProviders,
} from './support.tsx';
import { storePageApi } from './support-detail.tsx';

const when = (backup: Backup) => formatDateTime(backup.createdAt);

const backupsTable = () => screen.findByRole('table', { name: 'Backups' });

/** The table row of a backup (found by its time). */
function rowOf(backup: Backup): HTMLElement {
  const row = screen.getByText(when(backup), { selector: 'time' }).closest('tr');
  if (!row) throw new Error(`no row for the backup of ${when(backup)}`);
  return row;
}

const postsTo = <T extends { method: string; path: string }>(calls: T[], path: string) =>
  calls.filter((call) => call.method !== 'GET' && call.path === path);

beforeEach(() => setCsrfToken('csrf-123'));
afterEach(() => setCsrfToken(null));

describe('the backups of a store', () => {
  it("lists them newest first with trigger, status, size, duration, a failed one's reason, and the quota used", async () => {
    const store = readyStore({ name: 'Acme Shoes' });
    const scheduled = makeBackup(store, { trigger: 'schedule', createdAt: at(7_200) });
    const failed = makeBackup(store, {
      status: 'failed',
      createdAt: at(5_400),
      sizeBytes: null,
      finishedAt: at(5_410),
      durationMs: 9_000,
      failure: 'The database dump failed: pg_dump could not connect to the database (connection refused).',
    });
    const small = makeBackup(store, { sizeBytes: 800, parts: ['database'], durationMs: 1_500 });
    storePageApi(
      () => store,
      () => backupList([scheduled, failed, small]),
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);

    expect(await screen.findByRole('heading', { name: 'Backups' })).toBeInTheDocument();
    const table = await backupsTable();
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.dataset.status)).toEqual(['succeeded', 'failed', 'succeeded']);

    const first = rowOf(scheduled);
    expect(first).toHaveTextContent('Scheduled');
    expect(first).toHaveTextContent('Succeeded');
    expect(first).toHaveTextContent('12.5 MiB');
    expect(first).toHaveTextContent('database + files');
    expect(first).toHaveTextContent('42 s');
    expect(
      within(first).getByRole('button', { name: `Restore the backup of ${when(scheduled)}` }),
    ).toBeEnabled();
    expect(
      within(first).getByRole('button', { name: `New store from the backup of ${when(scheduled)}` }),
    ).toBeInTheDocument();

    const broken = rowOf(failed);
    expect(broken).toHaveTextContent('Manual');
    expect(broken).toHaveTextContent(
      'FailedThe database dump failed: pg_dump could not connect to the database (connection refused).',
    );
    expect(broken).toHaveTextContent('9.0 s');
    // A failed backup cannot be restored, nor a store made from it; it can be deleted.
    expect(within(broken).queryByRole('button', { name: /^Restore/ })).not.toBeInTheDocument();
    expect(within(broken).queryByRole('button', { name: /^New store/ })).not.toBeInTheDocument();
    expect(
      within(broken).getByRole('button', { name: `Delete the backup of ${when(failed)}` }),
    ).toBeInTheDocument();

    expect(rowOf(small)).toHaveTextContent('800 B');
    expect(rowOf(small)).toHaveTextContent('1.5 s');
    expect(screen.getByTestId('backup-usage')).toHaveTextContent(
      'Your backups (of all your stores) take 1.5 GiB of your 5 GiB backup quota.',
    );
  });

  it('"Back up now" posts without a body, shows the pending backup at once, and polls until it is done', async () => {
    const store = readyStore({ name: 'Acme Shoes' });
    const old = makeBackup(store, { createdAt: at(3_600) });
    const pending = makeBackup(store, {
      status: 'pending',
      createdAt: at(9_000),
      sizeBytes: null,
      parts: [],
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    });
    const done = { ...pending, status: 'succeeded' as const, sizeBytes: 3 * 1024 ** 2, durationMs: 4_000 };
    let posted = false;
    let getsSincePost = 0;
    const api = storePageApi(
      () => store,
      () => {
        if (!posted) return backupList([old]);
        getsSincePost++;
        // The first answer after the request still has it pending; a later one has it done.
        return backupList([getsSincePost === 1 ? pending : done, old]);
      },
      {
        [`POST /api/stores/${store.id}/backups`]: () => {
          posted = true;
          return { status: 202, body: pending };
        },
      },
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);
    await backupsTable();

    await userEvent.click(screen.getByRole('button', { name: 'Back up now' }));
    const row = await waitFor(() => rowOf(pending));
    expect(row).toHaveTextContent('Waiting to start');
    const post = postsTo(api.calls, `/api/stores/${store.id}/backups`);
    expect(post).toHaveLength(1);
    expect(post[0]?.method).toBe('POST');
    expect(post[0]?.body).toBeUndefined();
    expect(post[0]?.headers['x-csrf-token']).toBe('csrf-123');
    // No second backup while one is pending.
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeDisabled();

    // Backups have no event: the list is asked again every 2 s while one is pending.
    await waitFor(() => expect(rowOf(pending)).toHaveTextContent('Succeeded'), { timeout: 10_000 });
    expect(rowOf(pending)).toHaveTextContent('3 MiB');
    expect(getsSincePost).toBeGreaterThanOrEqual(2);
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeEnabled();
  });

  it('shows a refusal of "Back up now" in the API\'s words, and offers it only while the store is Ready', async () => {
    const store = readyStore({ name: 'Acme Shoes' });
    let answer = apiError(
      409,
      'STORE_BUSY',
      'Acme Shoes is busy restoring a backup; try again once it is Ready.',
    );
    storePageApi(
      () => store,
      () => backupList([]),
      { [`POST /api/stores/${store.id}/backups`]: () => answer },
    );
    const { unmount } = renderWithProviders(<StoreDetailPage id={store.id} />);
    expect(await screen.findByText('No backups yet')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Back up now' }));
    const panel = screen.getByRole('region', { name: 'Backups' });
    expect(await within(panel).findByRole('alert')).toHaveTextContent(
      'Acme Shoes is busy restoring a backup; try again once it is Ready.',
    );

    answer = apiError(403, 'BACKUP_QUOTA_EXCEEDED', 'Your backups take 5 GiB of your 5 GiB quota.');
    await userEvent.click(screen.getByRole('button', { name: 'Back up now' }));
    expect(await within(panel).findByText('Your backups take 5 GiB of your 5 GiB quota.')).toHaveAttribute(
      'role',
      'alert',
    );
    unmount();

    const restoring = makeStore({ name: 'Busy Shop', state: 'Restoring' });
    storePageApi(
      () => restoring,
      () => backupList([]),
    );
    renderWithProviders(<StoreDetailPage id={restoring.id} />);
    expect(await screen.findByText('No backups yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeDisabled();
    expect(screen.getByText('Backups can be made while the store is Ready.')).toBeInTheDocument();
  });

  it('restores only after a confirmation that the current data is replaced, and posts the backup id', async () => {
    let store = readyStore({ name: 'Acme Shoes' });
    const backup = makeBackup(store);
    let answer: unknown = apiError(
      409,
      'STORE_BUSY',
      'Acme Shoes is being backed up; try again once it is Ready.',
    );
    const api = storePageApi(
      () => store,
      () => backupList([backup]),
      { [`POST /api/stores/${store.id}/restore`]: () => answer },
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);
    await backupsTable();
    const restoreButton = () => screen.getByRole('button', { name: `Restore the backup of ${when(backup)}` });

    await userEvent.click(restoreButton());
    let dialog = screen.getByRole('alertdialog', {
      name: `Restore “Acme Shoes” from the backup of ${when(backup)}?`,
    });
    expect(dialog).toHaveTextContent("The store's current data is replaced by the data of this backup");
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(postsTo(api.calls, `/api/stores/${store.id}/restore`)).toHaveLength(0);

    // Refused: the dialog stays, with the API's words.
    await userEvent.click(restoreButton());
    dialog = screen.getByRole('alertdialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Restore backup' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Acme Shoes is being backed up; try again once it is Ready.',
    );

    // Accepted: the store is Restoring, its progress shows the restore plan.
    const restoring = {
      ...store,
      state: 'Restoring' as const,
      generation: 2,
      updatedAt: at(9_000),
      conditions: store.conditions.map((c) =>
        c.type === 'Restored'
          ? condition('Restored', 'Unknown', 'InProgress', 'Stopping the app.', 9_000)
          : c,
      ),
    };
    answer = { status: 202, body: restoring };
    await userEvent.click(within(dialog).getByRole('button', { name: 'Restore backup' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    store = restoring;
    const posts = postsTo(api.calls, `/api/stores/${store.id}/restore`);
    expect(posts).toHaveLength(2);
    expect(posts[1]).toMatchObject({ method: 'POST', body: { backupId: backup.id } });
    expect(await screen.findByText('Restoring', { selector: '[data-state]' })).toBeInTheDocument();
    const steps = within(screen.getByRole('list', { name: 'Steps of Acme Shoes' })).getAllByRole('listitem');
    expect(steps.map((step) => step.dataset.step)).toEqual([
      'Restored',
      'DatabaseReady',
      'AppReady',
      'StoreConfigured',
    ]);
    // While it restores, the store's data cannot be restored again.
    expect(restoreButton()).toBeDisabled();
  });

  it('deletes a backup after a confirmation and lists the backups again', async () => {
    const store = readyStore({ name: 'Acme Shoes' });
    const keep = makeBackup(store, { createdAt: at(7_200) });
    const drop = makeBackup(store, { createdAt: at(3_600) });
    let items = [keep, drop];
    const api = storePageApi(
      () => store,
      () => backupList(items),
      {
        [`DELETE /api/stores/${store.id}/backups/${drop.id}`]: () => {
          items = [keep];
          return { status: 204, body: null };
        },
      },
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);
    await backupsTable();
    await userEvent.click(screen.getByRole('button', { name: `Delete the backup of ${when(drop)}` }));
    const dialog = screen.getByRole('alertdialog', { name: `Delete the backup of ${when(drop)}?` });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete backup' }));
    await waitFor(() => expect(screen.queryByText(when(drop), { selector: 'time' })).not.toBeInTheDocument());
    expect(rowOf(keep)).toBeInTheDocument();
    expect(api.calls.filter((call) => call.method === 'DELETE')).toHaveLength(1);
  });

  it('saves and removes the schedule, checks the cron locally, and shows why the platform cannot run one', async () => {
    const store = readyStore({ name: 'Acme Shoes' });
    let schedule: BackupSchedule = { cron: null, keep: 7 };
    let unavailable = false;
    const api = storePageApi(
      () => store,
      () => backupList([], { schedule }),
      {
        [`PUT /api/stores/${store.id}/backup-schedule`]: ({ body }) => {
          if (unavailable)
            return apiError(
              400,
              'BACKUP_SCHEDULE_UNAVAILABLE',
              'Scheduled backups need backup storage, which this platform has not configured.',
            );
          schedule = body as BackupSchedule;
          return schedule;
        },
      },
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);
    const form = await screen.findByRole('form', { name: 'Backup schedule' });
    expect(form).toHaveTextContent(
      'No schedule: backups are made only when you ask; the newest 7 backups are kept.',
    );
    expect(within(form).queryByRole('button', { name: 'Remove schedule' })).not.toBeInTheDocument();
    const cron = within(form).getByRole('textbox', { name: 'Schedule (cron, UTC)' });
    const keep = within(form).getByRole('spinbutton', { name: 'Backups kept' });
    const puts = () => api.calls.filter((call) => call.method === 'PUT');

    await userEvent.type(cron, '0 3 * *');
    await userEvent.click(within(form).getByRole('button', { name: 'Save schedule' }));
    expect(cron).toHaveAccessibleDescription('The schedule cron must have five fields, e.g. "0 3 * * *".');
    expect(puts()).toHaveLength(0);

    await userEvent.type(cron, ' 1');
    await userEvent.clear(keep);
    await userEvent.type(keep, '14');
    await userEvent.click(within(form).getByRole('button', { name: 'Save schedule' }));
    expect(await within(form).findByText('Schedule saved.')).toBeInTheDocument();
    expect(puts()[0]?.body).toEqual({ cron: '0 3 * * 1', keep: 14 });
    expect(form).toHaveTextContent(
      'Backed up on the schedule “0 3 * * 1” (UTC); the newest 14 backups are kept.',
    );

    await userEvent.click(within(form).getByRole('button', { name: 'Remove schedule' }));
    expect(await within(form).findByText('Schedule removed.')).toBeInTheDocument();
    expect(puts()[1]?.body).toEqual({ cron: null, keep: 14 });
    expect(cron).toHaveValue('');

    unavailable = true;
    await userEvent.type(cron, '0 3 * * *');
    await userEvent.click(within(form).getByRole('button', { name: 'Save schedule' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'Scheduled backups need backup storage, which this platform has not configured.',
    );
  });

  it('"New store from this backup" opens the create form with the backup\'s engine and sends fromBackup', async () => {
    const store = readyStore({ name: 'Bolt Bikes', engine: 'medusa' });
    const backup = makeBackup(store);
    const api = storePageApi(
      () => store,
      () => backupList([backup]),
      {
        'POST /api/stores': ({ body }) => ({
          status: 202,
          body: makeStore({ ...(body as { name: string; engine: 'medusa' }), state: 'Queued' }),
        }),
      },
    );
    renderWithProviders(<StoreDetailPage id={store.id} />);
    await backupsTable();
    await userEvent.click(
      screen.getByRole('button', { name: `New store from the backup of ${when(backup)}` }),
    );
    const form = screen.getByRole('form', { name: 'New store from a backup' });
    expect(form).toHaveTextContent(`the backup of “Bolt Bikes” from ${when(backup)}`);
    const engine = within(form).getByRole('combobox', { name: 'Engine' });
    expect(engine).toHaveValue('medusa');
    expect(engine).toBeDisabled();
    const name = within(form).getByRole('textbox', { name: 'Store name' });
    expect(name).toHaveFocus();
    await userEvent.type(name, 'Bolt Bikes Copy');
    await userEvent.click(within(form).getByRole('button', { name: 'Create store' }));
    expect(
      await within(form).findByText(/“Bolt Bikes Copy” is on its way: it is provisioned, then restored/),
    ).toBeInTheDocument();
    expect(within(form).getByRole('link', { name: 'Open the new store' })).toBeInTheDocument();
    const post = api.calls.find((call) => call.method === 'POST' && call.path === '/api/stores');
    expect(post?.body).toEqual({ name: 'Bolt Bikes Copy', engine: 'medusa', fromBackup: backup.id });

    await userEvent.click(within(form).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form', { name: 'New store from a backup' })).not.toBeInTheDocument();
  });
});
