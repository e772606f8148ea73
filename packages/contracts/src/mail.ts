// A store's e-mail: where it sends from, who gets the merchant's notices, what it sent lately, and the
// platform's mail catcher (the local SMTP server that `npm start` runs).
import { z } from 'zod';
import { text } from './text.ts';

const email = () => z.string().regex(z.regexes.email, 'enter a valid e-mail address').max(254);

export const MailSettings = z.object({
  /** Where the store's new-order notices go (the store admin's e-mail unless changed). */
  merchantEmail: z.string(),
  /** The name shoppers see as the sender (the store's name unless changed). */
  senderName: z.string(),
});
export type MailSettings = z.infer<typeof MailSettings>;

/** PUT: both settings, as they should be. */
export const UpdateMailSettingsRequest = z.strictObject({
  merchantEmail: email(),
  senderName: text()
    .trim()
    .min(1, 'the sender name cannot be empty')
    .max(100)
    .regex(/^[^<>"]*$/, 'the sender name cannot hold <, > or "'),
});
export type UpdateMailSettingsRequest = z.infer<typeof UpdateMailSettingsRequest>;

export const MAIL_KINDS = ['order-confirmation', 'order-notice', 'test'] as const;

export const MailSend = z.object({
  id: z.string(),
  to: z.string(),
  /** order-confirmation: to the shopper; order-notice: to the merchant; test: from the dashboard. */
  kind: z.enum(MAIL_KINDS),
  status: z.enum(['pending', 'sent', 'failed']),
  /** The SMTP server's (or the connection's) reason, for a failed send. */
  error: z.string().nullable(),
  subject: z.string().nullable(),
  orderNumber: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
});
export type MailSend = z.infer<typeof MailSend>;

/** GET /api/stores/:id/mail */
export const StoreMail = z.object({
  /** False when the platform has no SMTP relay: the store sends nothing. */
  configured: z.boolean(),
  /** The sender as shoppers see it, e.g. `"Harbour" <orders@harbour.example.com>`. */
  from: z.string().nullable(),
  settings: MailSettings,
  /** Newest first. */
  sends: z.array(MailSend),
});
export type StoreMail = z.infer<typeof StoreMail>;

export const SendTestMailRequest = z.strictObject({
  /** Default: the merchant's notification address. */
  to: email().optional(),
});
export type SendTestMailRequest = z.infer<typeof SendTestMailRequest>;

/** A message the local mail catcher holds. */
export const CaughtMail = z.object({
  id: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  receivedAt: z.iso.datetime(),
});
export type CaughtMail = z.infer<typeof CaughtMail>;

export const CaughtMailList = z.object({ items: z.array(CaughtMail) });
export type CaughtMailList = z.infer<typeof CaughtMailList>;

export const CaughtMailMessage = CaughtMail.extend({ text: z.string(), html: z.string().nullable() });
export type CaughtMailMessage = z.infer<typeof CaughtMailMessage>;

export const CaughtMailParams = z.strictObject({
  mailId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a message id from the mailbox list'),
});
