// A small typed client of the mail catcher's HTTP API (Mailpit's /api/v1; its JSON names are Go's
// field names: ID, From.Address, …), for the tests and the orchestrator's mail page.
import { request } from './http.ts';

export interface MailAddress {
  name: string;
  address: string;
}

export interface MailSummary {
  id: string;
  from: MailAddress | null;
  to: MailAddress[];
  subject: string;
  /** When the catcher received it (ISO 8601). */
  created: string;
}

export interface MailMessage {
  id: string;
  from: MailAddress | null;
  to: MailAddress[];
  subject: string;
  text: string;
  html: string;
}

export interface MailCatcherClient {
  /** The newest messages first, at most `limit` (default 50). */
  messages(limit?: number): Promise<MailSummary[]>;
  /** One message, parsed; fails when there is none with that id. */
  message(id: string): Promise<MailMessage>;
  deleteAll(): Promise<void>;
}

interface RawAddress {
  Name?: string;
  Address?: string;
}

interface RawSummary {
  ID: string;
  From: RawAddress | null;
  To: RawAddress[] | null;
  Subject: string;
  Created: string;
}

interface RawMessage {
  ID: string;
  From: RawAddress | null;
  To: RawAddress[] | null;
  Subject: string;
  Text: string;
  HTML: string;
}

const address = (raw: RawAddress): MailAddress => ({ name: raw.Name ?? '', address: raw.Address ?? '' });
const addresses = (raw: RawAddress[] | null) => (raw ?? []).map(address);

export function mailCatcherClient(apiUrl: string): MailCatcherClient {
  const base = apiUrl.replace(/\/+$/, '');
  async function call(method: string, path: string): Promise<string> {
    const response = await request(`${base}${path}`, { method });
    if (response.status < 200 || response.status >= 300) {
      throw new Error(
        `the mail catcher answered ${method} ${path} with ${response.status}: ${response.body.slice(0, 200)}`,
      );
    }
    return response.body;
  }
  return {
    async messages(limit = 50) {
      const body = JSON.parse(await call('GET', `/api/v1/messages?limit=${limit}`)) as {
        messages: RawSummary[] | null;
      };
      return (body.messages ?? []).map((m) => ({
        id: m.ID,
        from: m.From ? address(m.From) : null,
        to: addresses(m.To),
        subject: m.Subject,
        created: m.Created,
      }));
    },
    async message(id) {
      const m = JSON.parse(await call('GET', `/api/v1/message/${encodeURIComponent(id)}`)) as RawMessage;
      return {
        id: m.ID,
        from: m.From ? address(m.From) : null,
        to: addresses(m.To),
        subject: m.Subject,
        text: m.Text,
        html: m.HTML,
      };
    },
    async deleteAll() {
      await call('DELETE', '/api/v1/messages');
    },
  };
}
