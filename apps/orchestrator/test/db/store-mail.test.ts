// A store's e-mail as the platform keeps track of it, on both database engines, with a stand-in for
// the store's admin API: failed order e-mail becomes one activity entry each, once; a moment whose
// sends are still under way is looked at again; test e-mail and settings are recorded; the store's
// refusals become API errors a person can act on.
import type { MailSend, StoreMail } from '@storefleet/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreMailApi } from '../../src/app/store-mail.ts';
import { StoreMailService } from '../../src/app/store-mail.ts';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import { newStore, type Store } from '../../src/domain/store.ts';
import { AppError } from '../../src/errors.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';

const T0 = new Date('2026-12-07T06:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000).toISOString();

function send(id: string, seconds: number, overrides: Partial<MailSend> = {}): MailSend {
  return {
    id,
    to: 'ada@example.com',
    kind: 'order-confirmation',
    status: 'sent',
    error: null,
    subject: 'Order #1 confirmed',
    orderNumber: 1,
    createdAt: at(seconds),
    ...overrides,
  };
}

class StandInStore implements StoreMailApi {
  sends: MailSend[] = [];
  refuse: { status: number; message: string } | undefined;
  settings = { merchantEmail: 'admin@harbour.store.invalid', senderName: 'Harbour' };

  async read(): Promise<StoreMail> {
    this.check();
    return { configured: true, from: null, settings: this.settings, sends: [...this.sends].reverse() };
  }
  async updateSettings(_access: unknown, request: { merchantEmail?: string; senderName?: string }) {
    this.check();
    this.settings = { ...this.settings, ...request };
    return this.settings;
  }
  async sendTest(_access: unknown, to: string | undefined): Promise<MailSend> {
    this.check();
    return send('noti_test', 99, {
      kind: 'test',
      to: to ?? this.settings.merchantEmail,
      orderNumber: null,
      status: to?.startsWith('bounce') ? 'failed' : 'sent',
      error: to?.startsWith('bounce') ? '550 5.1.1 no such user' : null,
    });
  }
  private check() {
    if (this.refuse) throw Object.assign(new Error(this.refuse.message), { refusal: this.refuse });
  }
}

describe.each(ENGINES)("a store's e-mail on %s", (engine) => {
  let test: TestDatabase;
  let store: Store;
  let api: StandInStore;
  let mail: StoreMailService;
  let unsupported: string | undefined;

  const entries = async () =>
    (await new ActivityRepository(test.database.db).list({ storeId: store.id, limit: 50 }))
      .filter((entry) => entry.type.startsWith('mail.'))
      .reverse();

  beforeEach(async () => {
    test = await createTestDatabase(engine);
    store = {
      ...newStore({
        id: '00000000-0000-4000-8000-000000000001',
        name: 'Harbour',
        slug: 'harbour',
        engine: 'medusa',
        ownerId: 'owner-1',
        resourcePrefix: 'store-',
        now: T0,
      }),
      state: 'Ready',
    };
    await new StoresRepository(test.database.db).insert(store);
    api = new StandInStore();
    unsupported = undefined;
    mail = new StoreMailService({
      db: test.database.db,
      cluster: {
        inspection: {
          adminCredentials: async () => ({
            username: 'a',
            password: 'p',
            email: 'admin@harbour.store.invalid',
          }),
        } as never,
      },
      apiFor: () => (unsupported ? { unsupported } : api),
      baseDomain: 'localhost',
      fromPattern: 'orders@{host}',
      failureOf: (error) => (error as { refusal?: { status: number; message: string } }).refusal,
      now: () => T0,
    });
  });

  afterEach(async () => {
    await test.close();
  });

  it('notes each failed order e-mail once, with the reason, and waits for a moment whose sends are under way', async () => {
    api.sends = [
      send('noti_a', 10),
      send('noti_b', 10, {
        kind: 'order-notice',
        to: 'admin@harbour.store.invalid',
        status: 'failed',
        error: 'connect ECONNREFUSED 10.250.0.1:1025',
      }),
      send('noti_c', 20, { status: 'failed', error: '421 try later' }),
      send('noti_d', 20, { kind: 'order-notice', status: 'pending' }),
      send('noti_t', 15, { kind: 'test', status: 'failed', error: 'ignored: the test send noted it' }),
    ];
    expect(await mail.noteFailures(store)).toBe(1);
    let noted = await entries();
    expect(noted.map((entry) => entry.message)).toEqual([
      'The new-order notice of order #1 to admin@harbour.store.invalid was not sent: connect ECONNREFUSED 10.250.0.1:1025',
    ]);
    expect(noted[0]?.details).toMatchObject({
      sendId: 'noti_b',
      kind: 'order-notice',
      reason: 'connect ECONNREFUSED 10.250.0.1:1025',
    });

    // The moment at 20 s is settled now: its failure is noted, and nothing earlier a second time.
    api.sends[3] = { ...(api.sends[3] as MailSend), status: 'sent' };
    expect(await mail.noteFailures(store)).toBe(1);
    expect(await mail.noteFailures(store)).toBe(0);
    noted = await entries();
    expect(noted.map((entry) => entry.details.sendId)).toEqual(['noti_b', 'noti_c']);
    expect(noted[1]?.message).toBe(
      'The order confirmation of order #1 to ada@example.com was not sent: 421 try later',
    );
  });

  it('ignores sends from before the store existed (a store made from a backup keeps its old ones)', async () => {
    api.sends = [send('noti_old', -3600, { status: 'failed', error: 'old' })];
    expect(await mail.noteFailures(store)).toBe(0);
    expect(await entries()).toEqual([]);
  });

  it('records test e-mail and new settings in the activity', async () => {
    expect(await mail.sendTest(store, undefined)).toMatchObject({
      status: 'sent',
      to: 'admin@harbour.store.invalid',
    });
    expect(await mail.sendTest(store, 'bounce@example.com')).toMatchObject({
      status: 'failed',
      error: '550 5.1.1 no such user',
    });
    await mail.updateSettings(store, { merchantEmail: 'orders@harbour.example', senderName: 'Harbour' });
    expect((await entries()).map((entry) => [entry.type, entry.message])).toEqual([
      ['mail.test_sent', 'Test e-mail sent to admin@harbour.store.invalid.'],
      ['mail.failed', 'The test e-mail to bounce@example.com was not sent: 550 5.1.1 no such user'],
      ['mail.settings_changed', 'New-order notices go to orders@harbour.example; mail is sent as "Harbour".'],
    ]);
  });

  it('answers with codes a person can act on when the store cannot say, and asks nothing of a store that is not Ready', async () => {
    const refusal = async (call: () => Promise<unknown>) => {
      const error = await call().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(AppError);
      const { code, kind, message } = error as AppError;
      return { code, kind, message };
    };
    api.refuse = { status: 409, message: 'This platform has no SMTP relay.' };
    expect(await refusal(() => mail.sendTest(store, undefined))).toEqual({
      code: 'MAIL_NOT_CONFIGURED',
      kind: 'conflict',
      message: 'This platform has no SMTP relay.',
    });
    api.refuse = { status: 400, message: 'merchant_email: enter a valid e-mail address' };
    expect(
      await refusal(() => mail.updateSettings(store, { merchantEmail: 'a@b.example', senderName: 'x' })),
    ).toMatchObject({
      code: 'INVALID_INPUT',
      kind: 'validation',
    });
    api.refuse = { status: 0, message: 'connect ECONNREFUSED 127.0.0.1:8081' };
    expect(await refusal(() => mail.status(store))).toMatchObject({
      code: 'STORE_UNREACHABLE',
      kind: 'unavailable',
    });
    api.refuse = undefined;
    expect(await refusal(() => mail.status({ ...store, state: 'Asleep' }))).toMatchObject({
      code: 'STORE_NOT_READY',
      kind: 'conflict',
    });
    unsupported = 'WooCommerce stores send through the relay.';
    expect(await refusal(() => mail.status(store))).toEqual({
      code: 'MAIL_UNSUPPORTED',
      kind: 'conflict',
      message: 'WooCommerce stores send through the relay.',
    });
    expect(await mail.noteFailures(store)).toBe(0);
  });

  it("shows a merchant only their stores' mail and their own in the mail catcher; an admin all of it", async () => {
    const mine = await mail.mailboxFilter({
      userId: 'owner-1',
      email: 'Merchant@Example.com',
      role: 'merchant',
      via: 'token',
    });
    const caught = (from: string, to: string[]) => ({ id: 'x', from, to, subject: 's', receivedAt: at(0) });
    expect(mine(caught('"Harbour" <orders@harbour.localhost>', ['ada@example.com']))).toBe(true);
    expect(mine(caught('orders@other.localhost', ['merchant@example.com']))).toBe(true);
    expect(mine(caught('"Other" <orders@other.localhost>', ['ada@example.com']))).toBe(false);
    const all = await mail.mailboxFilter({
      userId: 'admin-1',
      email: 'admin@example.com',
      role: 'admin',
      via: 'token',
    });
    expect(all(caught('"Other" <orders@other.localhost>', ['ada@example.com']))).toBe(true);
  });
});
