import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AccountService } from '../accounts/account-service.ts';
import type { RateLimiter } from '../accounts/rate-limiter.ts';
import type { BucketBackups } from '../app/bucket-backups.ts';
import type { EventHub } from '../app/event-hub.ts';
import type { FleetUpgrader } from '../app/fleet-upgrades.ts';
import type { InsightsQueries } from '../app/insights-queries.ts';
import type { QueuePositions } from '../app/queue-positions.ts';
import type { StoreCommands } from '../app/store-commands.ts';
import type { StoreMailService } from '../app/store-mail.ts';
import type { StoreOperations } from '../app/store-operations.ts';
import type { StoreQueries } from '../app/store-queries.ts';
import type { Cluster } from '../cluster/port.ts';
import type { Database } from '../db/database.ts';
import type { DomainService } from '../domains/domain-service.ts';
import type { MailpitMailbox } from '../mail/mailpit-mailbox.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { WorkQueue } from '../queue/work-queue.ts';
import type { PresentationSettings } from './presenters.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface Services {
  database: Database;
  queries: StoreQueries;
  commands: StoreCommands;
  /** Backups, restore, sleep and wake. */
  operations: StoreOperations;
  /** The backups in the S3 backup target. */
  bucketBackups: BucketBackups;
  queue: WorkQueue;
  hub: EventHub;
  metrics: Metrics;
  cluster: Cluster;
  accounts: AccountService;
  limiter: RateLimiter;
  fleet: FleetUpgrader;
  insights: InsightsQueries;
  domains: DomainService;
  mail: StoreMailService;
  /** The local mail catcher, when MAIL_CATCHER_URL is set. */
  mailbox: MailpitMailbox | undefined;
  mailInfo: { configured: boolean; catcher: boolean };
  positions: QueuePositions;
}

export interface AuthSettings {
  secureCookies: boolean;
  rateLimit: { max: number; windowMs: number };
  signInRateLimit: { max: number; windowMs: number };
  maxStores: number;
  maxStoresPerUser: number;
  backupQuotaBytes: number;
  corsOrigins: string[];
}

export interface HttpContext {
  app: App;
  services: Services;
  presentation: PresentationSettings;
  environment: 'local' | 'production';
  auth: AuthSettings;
}
