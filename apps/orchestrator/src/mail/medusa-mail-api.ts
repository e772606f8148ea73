// A Medusa store's e-mail through its admin API (routes of our Medusa app, images/medusa): the admin
// signs in with the credentials the orchestrator generated; the token is kept until the store refuses it.
import type { MailSend, MailSettings, StoreMail, UpdateMailSettingsRequest } from '@storefleet/contracts';
import { z } from 'zod';
import type { MailStoreAccess, StoreMailApi } from '../app/store-mail.ts';
import type { AdminAnswer, StoreAdminHttp } from './store-admin-http.ts';

const MAIL_PATH = '/admin/storefleet/mail';
const SIGN_IN_PATH = '/auth/user/emailpass';
const READ_TIMEOUT_MS = 15_000;
/** A test send waits for the SMTP conversation, whose own timeouts in the store are 10 s each. */
const SEND_TIMEOUT_MS = 45_000;

const MedusaSend = z.object({
  id: z.string(),
  to: z.string(),
  kind: z.enum(['order-confirmation', 'order-notice', 'test']),
  status: z.enum(['pending', 'success', 'failure']),
  error: z.string().nullable(),
  subject: z.string().nullable(),
  order_display_id: z.number().int().nullable(),
  created_at: z.string(),
});
const MedusaSettings = z.object({ merchant_email: z.string(), sender_name: z.string() });
const MedusaMail = z.object({
  configured: z.boolean(),
  from: z.string().nullable(),
  settings: MedusaSettings,
  sends: z.array(MedusaSend),
});

/** What the store's API answered when it was not what was asked. */
export class MailApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const STATUS = { pending: 'pending', success: 'sent', failure: 'failed' } as const;

function toSend(send: z.infer<typeof MedusaSend>): MailSend {
  return {
    id: send.id,
    to: send.to,
    kind: send.kind,
    status: STATUS[send.status],
    error: send.error,
    subject: send.subject,
    orderNumber: send.order_display_id,
    createdAt: new Date(send.created_at).toISOString(),
  };
}

const toSettings = (settings: z.infer<typeof MedusaSettings>): MailSettings => ({
  merchantEmail: settings.merchant_email,
  senderName: settings.sender_name,
});

function parsed<T>(schema: z.ZodType<T>, answer: AdminAnswer, what: string): T {
  if (answer.status >= 200 && answer.status < 300) {
    const result = schema.safeParse(answer.body);
    if (result.success) return result.data;
    throw new MailApiError(
      502,
      `The store's answer to ${what} was not understood; is its image older than the platform?`,
    );
  }
  const message = (answer.body as { message?: unknown } | null)?.message;
  throw new MailApiError(
    answer.status,
    typeof message === 'string' ? message : `The store answered ${answer.status} to ${what}.`,
  );
}

export class MedusaMailApi implements StoreMailApi {
  private readonly http: StoreAdminHttp;
  private readonly tokens = new Map<string, string>();

  constructor(http: StoreAdminHttp) {
    this.http = http;
  }

  async read(access: MailStoreAccess, limit: number, signal: AbortSignal): Promise<StoreMail> {
    const answer = await this.signedIn(access, signal, (token) =>
      this.http.send(access.host, 'GET', `${MAIL_PATH}?limit=${limit}`, {
        token,
        signal,
        timeoutMs: READ_TIMEOUT_MS,
      }),
    );
    const mail = parsed(MedusaMail, answer, 'the mail status');
    return { ...mail, settings: toSettings(mail.settings), sends: mail.sends.map(toSend) };
  }

  async updateSettings(
    access: MailStoreAccess,
    settings: UpdateMailSettingsRequest,
    signal: AbortSignal,
  ): Promise<MailSettings> {
    const body = {
      ...(settings.merchantEmail === undefined ? {} : { merchant_email: settings.merchantEmail }),
      ...(settings.senderName === undefined ? {} : { sender_name: settings.senderName }),
    };
    const answer = await this.signedIn(access, signal, (token) =>
      this.http.send(access.host, 'POST', `${MAIL_PATH}/settings`, {
        body,
        token,
        signal,
        timeoutMs: READ_TIMEOUT_MS,
      }),
    );
    return toSettings(
      parsed(z.object({ settings: MedusaSettings }), answer, 'the new mail settings').settings,
    );
  }

  async sendTest(access: MailStoreAccess, to: string | undefined, signal: AbortSignal): Promise<MailSend> {
    const answer = await this.signedIn(access, signal, (token) =>
      this.http.send(access.host, 'POST', `${MAIL_PATH}/test`, {
        body: to === undefined ? {} : { to },
        token,
        signal,
        timeoutMs: SEND_TIMEOUT_MS,
      }),
    );
    return toSend(parsed(z.object({ send: MedusaSend }), answer, 'the test e-mail').send);
  }

  /** Runs `call` with a token; a refused token (expired, or the store restored) is replaced once. */
  private async signedIn(
    access: MailStoreAccess,
    signal: AbortSignal,
    call: (token: string) => Promise<AdminAnswer>,
  ): Promise<AdminAnswer> {
    const known = this.tokens.get(access.storeId);
    if (known) {
      const answer = await call(known);
      if (answer.status !== 401) return answer;
      this.tokens.delete(access.storeId);
    }
    const token = await this.signIn(access, signal);
    this.tokens.set(access.storeId, token);
    return call(token);
  }

  private async signIn(access: MailStoreAccess, signal: AbortSignal): Promise<string> {
    const credentials = await access.credentials(signal);
    const answer = await this.http.send(access.host, 'POST', SIGN_IN_PATH, {
      body: { email: credentials.email, password: credentials.password },
      signal,
      timeoutMs: READ_TIMEOUT_MS,
    });
    if (answer.status === 401) {
      throw new MailApiError(
        502,
        "The store refused its admin's sign-in: was its admin password changed in the store?",
      );
    }
    return parsed(z.object({ token: z.string().min(1) }), answer, 'the admin sign-in').token;
  }
}
