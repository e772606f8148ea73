// The store's mail settings (merchant address, sender name) and the SMTP environment the chart sets.
// Pure: what is read and validated here is stored by store-mail-settings.ts.

export interface MailSettings {
  merchant_email: string;
  sender_name: string;
}

/** The key in the Medusa store's metadata that holds MailSettings. */
export const SETTINGS_KEY = 'storefleet_mail';

const EMAIL = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

export const isEmail = (value: string): boolean => value.length <= 254 && EMAIL.test(value);

/** Stored settings over the defaults, each field only when it is still valid. */
export function resolveSettings(stored: unknown, defaults: MailSettings): MailSettings {
  const saved = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
  const email = typeof saved.merchant_email === 'string' ? saved.merchant_email : '';
  const name = typeof saved.sender_name === 'string' ? saved.sender_name : '';
  return {
    merchant_email: isEmail(email) ? email : defaults.merchant_email,
    sender_name: senderNameProblem(name) ? defaults.sender_name : name,
  };
}

function senderNameProblem(name: string): string | undefined {
  if (name.trim().length < 1 || name.length > 100) return 'sender_name must be 1 to 100 characters';
  // It becomes the display name of the From header.
  if (/[\r\n<>"]/.test(name)) return 'sender_name must not contain line breaks, angle brackets or quotes';
  return undefined;
}

/** A settings change from the admin API, or the reason it is refused. */
export function parseSettingsInput(
  body: unknown,
): { ok: true; value: Partial<MailSettings> } | { ok: false; message: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, message: 'the body must be a JSON object' };
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((key) => key !== 'merchant_email' && key !== 'sender_name');
  if (unknown.length) return { ok: false, message: `unknown settings: ${unknown.join(', ')}` };
  const value: Partial<MailSettings> = {};
  if (input.merchant_email !== undefined) {
    const email = typeof input.merchant_email === 'string' ? input.merchant_email.trim() : '';
    if (!isEmail(email)) return { ok: false, message: 'merchant_email must be a valid e-mail address' };
    value.merchant_email = email;
  }
  if (input.sender_name !== undefined) {
    if (typeof input.sender_name !== 'string') return { ok: false, message: 'sender_name must be a string' };
    const name = input.sender_name.trim();
    const problem = senderNameProblem(name);
    if (problem) return { ok: false, message: problem };
    value.sender_name = name;
  }
  return { ok: true, value };
}

/** `"Sender" <address>`; the name has no quotes or line breaks (senderNameProblem). */
export function fromHeader(senderName: string, address: string): string {
  return `"${senderName.replace(/["\r\n\\]/g, '')}" <${address}>`;
}

export interface SmtpEnv {
  host: string;
  port: number;
  encryption: 'tls' | 'ssl' | 'none';
  user: string;
  password: string;
  /** The store's sender address, e.g. orders@<store host>. */
  from: string;
}

/** The SMTP settings of the chart's `smtp` values, or undefined when the store sends no mail. */
export function smtpEnv(env: NodeJS.ProcessEnv = process.env): SmtpEnv | undefined {
  const host = env.SMTP_HOST?.trim();
  if (!host) return undefined;
  const encryption = (env.SMTP_ENCRYPTION?.trim() || 'tls').toLowerCase();
  if (encryption !== 'tls' && encryption !== 'ssl' && encryption !== 'none')
    throw new Error(`SMTP_ENCRYPTION must be tls, ssl or none, not "${encryption}"`);
  const port = Number(env.SMTP_PORT?.trim() || (encryption === 'ssl' ? 465 : 587));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`SMTP_PORT must be a port number, not "${env.SMTP_PORT}"`);
  return {
    host,
    port,
    encryption,
    user: env.SMTP_USER?.trim() ?? '',
    password: env.SMTP_PASSWORD ?? '',
    from: env.MAIL_FROM?.trim() || defaultFrom(env),
  };
}

// The chart always sets MAIL_FROM; without it, orders@ the store's first origin.
function defaultFrom(env: NodeJS.ProcessEnv): string {
  const origin = env.STORE_CORS?.split(',')[0]?.trim();
  try {
    if (origin) return `orders@${new URL(origin).hostname}`;
  } catch {
    // not a URL: fall through
  }
  return 'orders@localhost';
}
