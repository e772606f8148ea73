// A store's e-mail as its owner sees it: the sender, the merchant's address and sender name, the last
// sends with their outcome, and a test e-mail. The store itself sends and keeps the record (its own
// database); the platform reads it through the store's admin API and notes failures in the activity.
import type {
  CaughtMail,
  MailSend,
  MailSettings,
  StoreMail,
  UpdateMailSettingsRequest,
} from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import { type AdminCredentials, type Cluster, ClusterError, storeTarget } from '../cluster/port.ts';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { Schema } from '../db/schema.ts';
import { type Actor, ownerScope } from '../domain/actor.ts';
import type { Store } from '../domain/store.ts';
import { AppError, conflict } from '../errors.ts';
import { senderAddress } from '../mail/mail-config.ts';
import { clusterFailure } from './store-queries.ts';

/** How the platform reaches one store's admin API. */
export interface MailStoreAccess {
  storeId: string;
  host: string;
  credentials(signal: AbortSignal): Promise<AdminCredentials>;
}

/** An engine's e-mail, through the store's own admin API. */
export interface StoreMailApi {
  read(access: MailStoreAccess, limit: number, signal: AbortSignal): Promise<StoreMail>;
  updateSettings(
    access: MailStoreAccess,
    settings: UpdateMailSettingsRequest,
    signal: AbortSignal,
  ): Promise<MailSettings>;
  sendTest(access: MailStoreAccess, to: string | undefined, signal: AbortSignal): Promise<MailSend>;
}

/** Failures of the store's API, as the adapter reports them. */
export interface MailApiFailure {
  /** The store's HTTP status, or 0 when it did not answer. */
  status: number;
  message: string;
}

export interface StoreMailOptions {
  db: Kysely<Schema>;
  cluster: Pick<Cluster, 'inspection'>;
  /** The API for this store, or why the platform cannot reach its mail. */
  apiFor: (store: Store) => StoreMailApi | { unsupported: string };
  baseDomain: string;
  /** The relay's sender pattern (MAIL_FROM); undefined without a relay. */
  fromPattern: string | undefined;
  /** Turns whatever the adapter threw into what it means, or undefined for a bug. */
  failureOf: (error: unknown) => MailApiFailure | undefined;
  now?: () => Date;
}

const SENDS_SHOWN = 20;
const SENDS_SYNCED = 50;
const ASK_TIMEOUT_MS = 60_000;

export class StoreMailService {
  private readonly options: StoreMailOptions;
  private readonly activity: ActivityRepository;
  private readonly now: () => Date;

  constructor(options: StoreMailOptions) {
    this.options = options;
    this.activity = new ActivityRepository(options.db);
    this.now = options.now ?? (() => new Date());
  }

  async status(store: Store): Promise<StoreMail> {
    return this.ask(store, (api, access, signal) => api.read(access, SENDS_SHOWN, signal));
  }

  async updateSettings(store: Store, request: UpdateMailSettingsRequest): Promise<MailSettings> {
    const settings = await this.ask(store, (api, access, signal) =>
      api.updateSettings(access, request, signal),
    );
    await this.activity.append(
      {
        storeId: store.id,
        type: 'mail.settings_changed',
        message: `New-order notices go to ${settings.merchantEmail}; mail is sent as "${settings.senderName}".`,
        details: { ...settings },
      },
      this.now(),
    );
    return settings;
  }

  async sendTest(store: Store, to: string | undefined): Promise<MailSend> {
    const send = await this.ask(store, (api, access, signal) => api.sendTest(access, to, signal));
    await this.activity.append(
      send.status === 'failed'
        ? {
            storeId: store.id,
            type: 'mail.failed',
            message: `The test e-mail to ${send.to} was not sent: ${send.error ?? 'no reason given'}`,
            details: { sendId: send.id, kind: send.kind, to: send.to, reason: send.error },
          }
        : {
            storeId: store.id,
            type: 'mail.test_sent',
            message: `Test e-mail sent to ${send.to}.`,
            details: { sendId: send.id, to: send.to },
          },
      this.now(),
    );
    return send;
  }

  /**
   * Notes the store's failed order e-mail since the last look as activity entries. Sends are read
   * oldest first, and the mark only moves past a moment whose sends have all finished.
   */
  async noteFailures(store: Store): Promise<number> {
    const api = this.options.apiFor(store);
    if ('unsupported' in api || store.state !== 'Ready') return 0;
    const mail = await api.read(this.access(store), SENDS_SYNCED, AbortSignal.timeout(ASK_TIMEOUT_MS));
    const row = await this.options.db
      .selectFrom('stores')
      .select('mail_checked_until')
      .where('id', '=', store.id)
      .executeTakeFirst();
    const since = new Date(row?.mail_checked_until ?? store.createdAt).getTime();
    const moments = new Map<number, MailSend[]>();
    for (const send of mail.sends) {
      const at = Date.parse(send.createdAt);
      if (at > since) moments.set(at, [...(moments.get(at) ?? []), send]);
    }
    let noted = 0;
    let checkedUntil: number | undefined;
    for (const at of [...moments.keys()].sort((a, b) => a - b)) {
      const sends = moments.get(at) ?? [];
      if (sends.some((send) => send.status === 'pending')) break;
      for (const send of sends) {
        if (send.status !== 'failed' || send.kind === 'test') continue;
        await this.activity.append(
          {
            storeId: store.id,
            type: 'mail.failed',
            message: `${describeSend(send)} to ${send.to} was not sent: ${send.error ?? 'no reason given'}`,
            details: {
              sendId: send.id,
              kind: send.kind,
              to: send.to,
              orderNumber: send.orderNumber,
              reason: send.error,
            },
          },
          this.now(),
        );
        noted += 1;
      }
      checkedUntil = at;
    }
    if (checkedUntil !== undefined) {
      await this.options.db
        .updateTable('stores')
        .set({ mail_checked_until: new Date(checkedUntil) })
        .where('id', '=', store.id)
        .execute();
    }
    return noted;
  }

  /**
   * Which of the mail catcher's messages a user may read: an admin all of them; a merchant those sent
   * to their account's address and those their stores sent.
   */
  async mailboxFilter(actor: Actor): Promise<(mail: CaughtMail) => boolean> {
    const ownerId = ownerScope(actor);
    if (ownerId === undefined) return () => true;
    const { db, baseDomain, fromPattern } = this.options;
    const rows = await db.selectFrom('stores').select('slug').where('owner_id', '=', ownerId).execute();
    const senders = new Set(
      fromPattern === undefined
        ? []
        : rows.map((row) =>
            senderAddress(fromPattern, { host: `${row.slug}.${baseDomain}`, slug: row.slug }).toLowerCase(),
          ),
    );
    const own = actor.email.toLowerCase();
    return (mail) =>
      mail.to.some((to) => to.toLowerCase() === own) || senders.has(bareAddress(mail.from).toLowerCase());
  }

  private access(store: Store): MailStoreAccess {
    const { cluster, baseDomain } = this.options;
    return {
      storeId: store.id,
      host: `${store.slug}.${baseDomain}`,
      credentials: (signal) => cluster.inspection.adminCredentials(storeTarget(store), signal),
    };
  }

  private async ask<T>(
    store: Store,
    call: (api: StoreMailApi, access: MailStoreAccess, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const api = this.options.apiFor(store);
    if ('unsupported' in api) throw conflict('MAIL_UNSUPPORTED', api.unsupported);
    if (store.state !== 'Ready' && store.state !== 'BackingUp') {
      throw conflict(
        'STORE_NOT_READY',
        `The store's e-mail is read from the store itself, which answers once it is Ready; it is ${store.state}.`,
      );
    }
    try {
      return await call(api, this.access(store), AbortSignal.timeout(ASK_TIMEOUT_MS));
    } catch (error) {
      if (error instanceof ClusterError) throw clusterFailure(error);
      const failure = this.options.failureOf(error);
      if (!failure) throw error;
      throw mailError(failure);
    }
  }
}

/** `"Name" <a@b>` → `a@b`. */
const bareAddress = (from: string): string => /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();

function describeSend(send: MailSend): string {
  const order = send.orderNumber === null ? '' : ` of order #${send.orderNumber}`;
  return send.kind === 'order-notice' ? `The new-order notice${order}` : `The order confirmation${order}`;
}

function mailError(failure: MailApiFailure): AppError {
  if (failure.status === 400) return new AppError('INVALID_INPUT', failure.message, 'validation');
  if (failure.status === 409) return conflict('MAIL_NOT_CONFIGURED', failure.message);
  if (failure.status === 0) {
    return new AppError('STORE_UNREACHABLE', `The store did not answer: ${failure.message}`, 'unavailable');
  }
  return new AppError('STORE_UNREACHABLE', failure.message, 'upstream', { status: failure.status });
}
