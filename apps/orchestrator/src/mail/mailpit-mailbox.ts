// The local mail catcher (Mailpit, which `npm start` runs) through its HTTP API: the dashboard's
// mailbox page reads the messages the stores sent.
import type { CaughtMail, CaughtMailMessage } from '@storefleet/contracts';
import { z } from 'zod';

const Address = z.object({ Name: z.string(), Address: z.string() });
const Envelope = z.object({
  ID: z.string(),
  From: Address.nullable(),
  To: z.array(Address).nullable(),
  Subject: z.string(),
});
const Summary = Envelope.extend({ Created: z.string() });
const Message = Envelope.extend({ Date: z.string(), Text: z.string(), HTML: z.string() });

export class MailboxUnavailableError extends Error {}

const shown = (address: z.infer<typeof Address> | null): string =>
  !address ? '' : address.Name ? `"${address.Name}" <${address.Address}>` : address.Address;

export class MailpitMailbox {
  private readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/$/, '');
  }

  async list(limit: number): Promise<CaughtMail[]> {
    const body = z
      .object({ messages: z.array(Summary) })
      .parse(await this.get(`/api/v1/messages?limit=${limit}`));
    return body.messages.map((message) => ({
      id: message.ID,
      from: shown(message.From),
      to: (message.To ?? []).map((to) => to.Address),
      subject: message.Subject,
      receivedAt: new Date(message.Created).toISOString(),
    }));
  }

  /** One message, or undefined when the catcher does not hold it. */
  async message(id: string): Promise<CaughtMailMessage | undefined> {
    const body = await this.get(`/api/v1/message/${encodeURIComponent(id)}`);
    if (body === undefined) return undefined;
    const message = Message.parse(body);
    return {
      id: message.ID,
      from: shown(message.From),
      to: (message.To ?? []).map((to) => to.Address),
      subject: message.Subject,
      receivedAt: new Date(message.Date).toISOString(),
      text: message.Text,
      html: message.HTML || null,
    };
  }

  private async get(path: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5000) });
    } catch (error) {
      throw new MailboxUnavailableError(
        `The mail catcher at ${this.url} does not answer (${(error as Error).message}); is it running?`,
      );
    }
    if (response.status === 404) return undefined;
    if (!response.ok) throw new MailboxUnavailableError(`The mail catcher answered ${response.status}.`);
    return response.json();
  }
}
