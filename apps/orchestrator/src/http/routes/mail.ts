// Routes for a store's e-mail (its sender, the merchant's address, its last sends, a test e-mail) and
// for the local mail catcher's messages.
import {
  CaughtMailList,
  CaughtMailMessage,
  CaughtMailParams,
  MailSend,
  MailSettings,
  SendTestMailRequest,
  StoreIdParams,
  StoreMail,
  UpdateMailSettingsRequest,
} from '@storefleet/contracts';
import type { FastifyRequest } from 'fastify';
import { AppError, notFound } from '../../errors.ts';
import { MailboxUnavailableError } from '../../mail/mailpit-mailbox.ts';
import { requireActor } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';

const STORE_MAIL_ERRORS = {
  409: ['MAIL_UNSUPPORTED', 'STORE_NOT_READY'],
  502: ['STORE_UNREACHABLE'],
  503: ['STORE_UNREACHABLE'],
} as const;

export function mailRoutes({ app, services }: HttpContext): void {
  const { queries, mail, mailbox } = services;
  const visible = (request: FastifyRequest<{ Params: { id: string } }>) =>
    queries.getFor(request.params.id, requireActor(request));

  app.get(
    '/api/stores/:id/mail',
    {
      schema: {
        summary:
          "The store's e-mail: its sender, the merchant's address, and its last sends with their outcome",
        tags: ['mail'],
        params: StoreIdParams,
        response: {
          200: StoreMail,
          ...errorResponses({ access: 'user', params: true, cluster: true, codes: { ...STORE_MAIL_ERRORS } }),
        },
      },
    },
    async (request) => mail.status(await visible(request)),
  );

  app.put(
    '/api/stores/:id/mail/settings',
    {
      config: { auditAction: 'store.mail_settings' },
      schema: {
        summary: "Set where the store's new-order notices go and the sender name its e-mail shows",
        tags: ['mail'],
        params: StoreIdParams,
        body: UpdateMailSettingsRequest,
        response: {
          200: MailSettings,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            cluster: true,
            codes: { ...STORE_MAIL_ERRORS },
          }),
        },
      },
    },
    async (request) => mail.updateSettings(await visible(request), request.body),
  );

  app.post(
    '/api/stores/:id/mail/test',
    {
      config: { auditAction: 'store.mail_test' },
      schema: {
        summary:
          'Send a test e-mail from the store (to the merchant unless `to` is given); a failed send answers 200 with its reason',
        tags: ['mail'],
        params: StoreIdParams,
        body: SendTestMailRequest,
        response: {
          200: MailSend,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            cluster: true,
            codes: { ...STORE_MAIL_ERRORS, 409: [...STORE_MAIL_ERRORS[409], 'MAIL_NOT_CONFIGURED'] },
          }),
        },
      },
    },
    async (request) => mail.sendTest(await visible(request), request.body.to),
  );

  const readMailbox = async <T>(read: () => Promise<T>): Promise<T> => {
    if (!mailbox) {
      throw new AppError(
        'MAILBOX_UNAVAILABLE',
        'This platform has no mail catcher: its stores send through a real SMTP relay (MAIL_CATCHER_URL is not set).',
        'not_found',
      );
    }
    try {
      return await read();
    } catch (error) {
      if (error instanceof MailboxUnavailableError)
        throw new AppError('MAILBOX_UNAVAILABLE', error.message, 'unavailable');
      throw error;
    }
  };

  app.get(
    '/api/mailbox',
    {
      schema: {
        summary:
          "The local mail catcher's newest messages: all of them for an admin, a merchant's own stores' and account's otherwise",
        tags: ['mail'],
        response: {
          200: CaughtMailList,
          ...errorResponses({
            access: 'user',
            codes: { 404: ['MAILBOX_UNAVAILABLE'], 503: ['MAILBOX_UNAVAILABLE'] },
          }),
        },
      },
    },
    async (request) => {
      const mine = await mail.mailboxFilter(requireActor(request));
      const items = await readMailbox(() => mailbox?.list(100) ?? Promise.resolve([]));
      return { items: items.filter(mine) };
    },
  );

  app.get(
    '/api/mailbox/:mailId',
    {
      schema: {
        summary: 'One message of the local mail catcher',
        tags: ['mail'],
        params: CaughtMailParams,
        response: {
          200: CaughtMailMessage,
          ...errorResponses({
            access: 'user',
            params: true,
            codes: { 404: ['MAILBOX_UNAVAILABLE'], 503: ['MAILBOX_UNAVAILABLE'] },
          }),
        },
      },
    },
    async (request) => {
      const mine = await mail.mailboxFilter(requireActor(request));
      const message = await readMailbox(
        () => mailbox?.message(request.params.mailId) ?? Promise.resolve(undefined),
      );
      if (!message || !mine(message)) throw notFound('Message');
      return message;
    },
  );
}
