// A platform's e-mail: the stores' mail through their admin APIs (engines that have one, on real pods
// reached through INGRESS_URL), the monitor that notes failed sends, and the local mail catcher.
import type { Engine } from '@storefleet/contracts';
import type { Logger } from 'pino';
import { type MailApiFailure, type StoreMailApi, StoreMailService } from '../app/store-mail.ts';
import type { Cluster } from '../cluster/port.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Store } from '../domain/store.ts';
import { engineModule } from '../engines/registry.ts';
import { MailMonitor } from './mail-monitor.ts';
import { MailpitMailbox } from './mailpit-mailbox.ts';
import { MailApiError, MedusaMailApi } from './medusa-mail-api.ts';
import { StoreAdminHttp, StoreUnreachableError } from './store-admin-http.ts';

export interface MailWiring {
  config: Config;
  database: Database;
  cluster: Cluster;
  logger: Logger;
}

function failureOf(error: unknown): MailApiFailure | undefined {
  if (error instanceof MailApiError) return { status: error.status, message: error.message };
  if (error instanceof StoreUnreachableError) return { status: 0, message: error.message };
  if (error instanceof Error && error.name === 'TimeoutError')
    return { status: 0, message: 'it took too long' };
  return undefined;
}

export function startMail({ config, database, cluster, logger }: MailWiring) {
  const http = config.INGRESS_URL ? new StoreAdminHttp(config.INGRESS_URL) : undefined;
  const apis: Record<Engine, StoreMailApi> = http ? { medusa: new MedusaMailApi(http) } : {};
  const apiFor = (store: Store): StoreMailApi | { unsupported: string } => {
    const name = engineModule(store.engine).displayName;
    const api = apis[store.engine];
    if (!http) {
      return {
        unsupported:
          'This platform cannot reach stores through their ingress (INGRESS_URL is not set), so it cannot read their e-mail.',
      };
    }
    if (!api) {
      return {
        unsupported: `${name} stores send their e-mail through the platform's SMTP relay with the engine's own mailer; Storefleet cannot list or test their sends.`,
      };
    }
    const engine = cluster.engines().find((candidate) => candidate.engine === store.engine);
    if (engine?.pods !== 'real') {
      return { unsupported: `This ${name} store's pods are simulated: it sends no e-mail.` };
    }
    return api;
  };
  const mail = new StoreMailService({
    db: database.db,
    cluster,
    apiFor,
    baseDomain: config.STORE_BASE_DOMAIN,
    fromPattern: config.SMTP_HOST ? config.MAIL_FROM : undefined,
    failureOf,
  });
  const monitor = new MailMonitor({
    db: database.db,
    mail,
    intervalMs: config.MAIL_SYNC_INTERVAL,
    logger,
  });
  if (http && config.SMTP_HOST) monitor.start();
  return {
    mail,
    monitor,
    mailbox: config.MAIL_CATCHER_URL ? new MailpitMailbox(config.MAIL_CATCHER_URL) : undefined,
    relayConfigured: config.SMTP_HOST !== undefined,
  };
}
