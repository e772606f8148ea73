// The notification provider of the `email` channel: sends each notification's content through the
// SMTP server of the chart's `smtp` values (medusa-config.ts passes them as options).
import type {
  Logger,
  ProviderSendNotificationDTO,
  ProviderSendNotificationResultsDTO,
} from '@medusajs/framework/types';
import { AbstractNotificationProviderService, MedusaError } from '@medusajs/framework/utils';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpEnv } from '../../mail/settings';

// A dead or unreachable relay fails the send within seconds instead of holding the subscriber.
const TIMEOUT_MS = 10_000;

type Options = SmtpEnv & { channels?: string[] };

export default class SmtpNotificationService extends AbstractNotificationProviderService {
  static identifier = 'smtp';

  private readonly transporter: Transporter;
  private readonly from: string;
  private readonly logger: Logger;

  static validateOptions(options: Record<string, unknown>): void {
    if (!options.host || !options.port || !options.from)
      throw new MedusaError(MedusaError.Types.INVALID_DATA, 'the smtp provider needs host, port and from');
  }

  constructor({ logger }: { logger: Logger }, options: Options) {
    super();
    this.logger = logger;
    this.from = options.from;
    this.transporter = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      // ssl: TLS from the first byte; tls: STARTTLS or fail; none: plain, never upgraded.
      secure: options.encryption === 'ssl',
      requireTLS: options.encryption === 'tls',
      ignoreTLS: options.encryption === 'none',
      ...(options.user ? { auth: { user: options.user, pass: options.password } } : {}),
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
  }

  async send(notification: ProviderSendNotificationDTO): Promise<ProviderSendNotificationResultsDTO> {
    const content = notification.content;
    if (!content?.subject || !(content.text || content.html))
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `notification ${notification.template} has no subject or body: the smtp provider sends content only`,
      );
    try {
      const info = await this.transporter.sendMail({
        from: notification.from || this.from,
        to: notification.to,
        subject: content.subject,
        text: content.text,
        html: content.html,
      });
      this.logger.info(`mail: sent ${notification.template} to ${notification.to} (${info.response})`);
      return { id: info.messageId };
    } catch (error) {
      const reason = smtpReason(error);
      this.logger.warn(`mail: ${notification.template} to ${notification.to} failed: ${reason}`);
      throw new Error(reason);
    }
  }
}

// nodemailer's message, with the server's reply when the message does not already quote it.
function smtpReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, response } = error as Error & { code?: string; response?: string };
  let reason = error.message;
  if (response && !reason.includes(response)) reason += ` (server: ${response})`;
  if (code && !reason.includes(code)) reason = `${code}: ${reason}`;
  return reason;
}
