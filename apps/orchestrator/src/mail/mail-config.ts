// The platform's SMTP relay, from the environment: every store sends its order e-mail through it.
import { z } from 'zod';

/** `tls`: STARTTLS after connecting; `ssl`: TLS from the first byte (port 465); `none`: plain. */
export const SMTP_ENCRYPTIONS = ['tls', 'ssl', 'none'] as const;
export type SmtpEncryption = (typeof SMTP_ENCRYPTIONS)[number];

const hostPattern = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export const MAIL_ENV = {
  /** The SMTP relay stores send through; unset: stores send no e-mail. */
  SMTP_HOST: z
    .string()
    .regex(hostPattern, 'expected a host name or IP address, such as "smtp.example.com"')
    .optional(),
  SMTP_PORT: z
    .string()
    .regex(/^\d+$/, 'expected a port from 1 to 65535')
    .transform(Number)
    .pipe(z.number().int().min(1).max(65535))
    .default(587),
  SMTP_ENCRYPTION: z
    .enum(SMTP_ENCRYPTIONS, { message: 'expected "tls" (STARTTLS), "ssl" (TLS from the start) or "none"' })
    .default('tls'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  /** The sender address of each store; `{host}` is the store's host and `{slug}` its name in URLs. */
  MAIL_FROM: z
    .string()
    .regex(/^[^\s<>"@]+@[^\s<>"@]+$/, 'expected an address such as "orders@{host}"')
    .default('orders@{host}'),
  /** The local mail catcher's HTTP API (Mailpit): the dashboard shows its messages. */
  MAIL_CATCHER_URL: z.url({ message: 'expected a URL such as "http://127.0.0.1:8025"' }).optional(),
} as const;

export interface SmtpRelay {
  host: string;
  port: number;
  encryption: SmtpEncryption;
  user: string | undefined;
  /** Only ever written into the store's own Secret. */
  password: string | undefined;
  fromPattern: string;
}

interface MailEnv {
  SMTP_HOST?: string | undefined;
  SMTP_PORT: number;
  SMTP_ENCRYPTION: SmtpEncryption;
  SMTP_USER?: string | undefined;
  SMTP_PASSWORD?: string | undefined;
  MAIL_FROM: string;
}

export function smtpRelay(env: MailEnv): SmtpRelay | undefined {
  if (!env.SMTP_HOST) return undefined;
  return {
    host: env.SMTP_HOST,
    port: env.SMTP_PORT,
    encryption: env.SMTP_ENCRYPTION,
    user: env.SMTP_USER,
    password: env.SMTP_PASSWORD,
    fromPattern: env.MAIL_FROM,
  };
}

/** The store's sender address: the pattern with its host and slug filled in. */
export function senderAddress(pattern: string, store: { host: string; slug: string }): string {
  return pattern.replaceAll('{host}', store.host).replaceAll('{slug}', store.slug);
}
