// Looks at every Ready store's sends every MAIL_SYNC_INTERVAL, so a failed order e-mail shows in the
// store's activity without anyone opening its page.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { StoreMailService } from '../app/store-mail.ts';
import type { Schema } from '../db/schema.ts';
import { fromRow } from '../db/store-rows.ts';

export interface MailMonitorOptions {
  db: Kysely<Schema>;
  mail: StoreMailService;
  intervalMs: number;
  logger: Logger;
}

export class MailMonitor {
  private readonly options: MailMonitorOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(options: MailMonitorOptions) {
    this.options = options;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.check().finally(() => {
        this.running = undefined;
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One look at every Ready store; a store that does not answer is looked at again next time. */
  async check(): Promise<number> {
    const rows = await this.options.db
      .selectFrom('stores')
      .selectAll()
      .where('state', '=', 'Ready')
      .execute();
    let noted = 0;
    for (const store of rows.map(fromRow)) {
      try {
        noted += await this.options.mail.noteFailures(store);
      } catch (error) {
        this.options.logger.debug({ err: error, storeId: store.id }, 'could not read the store’s sends');
      }
    }
    return noted;
  }
}
