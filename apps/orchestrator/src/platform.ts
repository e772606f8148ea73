// The composition root: wires database, queue, reconciler, workers, events and HTTP together.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AccountService } from './accounts/account-service.ts';
import { RateLimiter } from './accounts/rate-limiter.ts';
import { BucketBackups } from './app/bucket-backups.ts';
import { EventHub } from './app/event-hub.ts';
import { FleetUpgrader } from './app/fleet-upgrades.ts';
import { IdleSleeper } from './app/idle-sleeper.ts';
import { InsightsQueries } from './app/insights-queries.ts';
import { storeCountsByState } from './app/platform-stats.ts';
import { QueuePositions } from './app/queue-positions.ts';
import { StoreCommands } from './app/store-commands.ts';
import { StoreMonitor } from './app/store-monitor.ts';
import { StoreOperations } from './app/store-operations.ts';
import { StoreQueries } from './app/store-queries.ts';
import { BackupPlaces } from './backups/backup-places.ts';
import { BackupRunner } from './backups/backup-runner.ts';
import { DeletedStoreBackups } from './backups/deleted-store-backups.ts';
import { type BackupStorage, DirectoryBackupStorage } from './backups/storage.ts';
import type { BackupTarget } from './backups/target-config.ts';
import { connectCluster } from './cluster/connect.ts';
import { storeScheme } from './cluster/ingress-values.ts';
import type { Cluster } from './cluster/port.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import type { Store } from './domain/store.ts';
import { ResolverDnsChecker } from './domains/dns-checker.ts';
import { DomainChecker } from './domains/domain-checker.ts';
import { DomainService } from './domains/domain-service.ts';
import type { DomainSettings } from './domains/domain-settings.ts';
import { HandshakeTlsProbe } from './domains/tls-probe.ts';
import { engineModule, loadEngineModules } from './engines/registry.ts';
import { buildHttpApp } from './http/app.ts';
import type { App } from './http/context.ts';
import { HttpStoreProbe } from './ingress/store-probe.ts';
import { PrometheusTrafficSource } from './ingress/traffic.ts';
import { insightsSampled, startInsights } from './insights/wiring.ts';
import { startMail } from './mail/wiring.ts';
import { Metrics } from './observability/metrics.ts';
import { reclaimAllLeases, reclaimsLeasesAtStart } from './queue/reclaim.ts';
import { FLEET_UPGRADE_KIND, WORK_CHANNEL, WorkQueue } from './queue/work-queue.ts';
import { Worker } from './queue/worker.ts';
import { Reconciler } from './reconciler/reconciler.ts';
import type { StoreAddress } from './reconciler/steps/scaling-steps.ts';

export interface PlatformOptions {
  config: Config;
  logger: Logger;
  cluster?: Cluster;
  /** An already open database (tests share one between two platforms); the platform will not close it. */
  database?: Database;
  workerId?: string;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  random?: () => number;
  /** Where backups go (default: a directory at BACKUP_DIR). */
  backupStorage?: BackupStorage;
  /** BACKUP_TARGET and its bucket (loadBackupTarget); default: the volume at BACKUP_DIR. */
  backupTarget?: BackupTarget;
}

export interface Platform {
  app: App;
  database: Database;
  worker: Worker;
  queries: StoreQueries;
  commands: StoreCommands;
  /** Backups, restore, sleep and wake. */
  operations: StoreOperations;
  cluster: Cluster;
  accounts: AccountService;
  monitor: StoreMonitor;
  fleet: FleetUpgrader;
  domains: DomainService;
  /** Stops HTTP, hands running jobs back to the queue and closes what the platform opened. */
  stop(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, logger } = options;
  const database = options.database ?? (await openDatabase(databaseLocation(config)));
  if (reclaimsLeasesAtStart(database.engine, !options.database)) {
    const reclaimed = await reclaimAllLeases(database.db);
    if (reclaimed > 0) logger.info({ reclaimed }, 'reclaimed the leases of the process that ran before');
  }
  await loadEngineModules(config.ENGINE_MODULES);
  const cluster = options.cluster ?? (await connectCluster(config, logger));
  const queue = new WorkQueue(database.db, {
    leaseMs: config.LEASE_DURATION,
    maxConcurrentProvisions: config.MAX_CONCURRENT_PROVISIONS,
  });
  const metrics = new Metrics({
    storeCounts: () => storeCountsByState(database.db),
    queueDepth: () => queue.depth(),
  });
  const retryPolicy = {
    maxRetries: config.MAX_PROVISION_RETRIES,
    backoffMs: config.PROVISION_RETRY_BACKOFF,
    maxBackoffMs: Math.max(config.PROVISION_RETRY_BACKOFF, 10 * 60_000),
  };
  const backupStorage = options.backupStorage ?? new DirectoryBackupStorage(config.backupDir);
  const backupTarget = options.backupTarget ?? { kind: 'volume', directory: config.backupDir };
  // The S3 client is loaded only for a bucket target.
  const backupBucket =
    backupTarget.kind === 's3'
      ? new (await import('./backups/bucket-reader.ts')).S3BackupBucket(backupTarget)
      : undefined;
  const bucketBackups = new BucketBackups(database.db, backupBucket);
  const backupPlaces = new BackupPlaces(backupTarget, backupStorage, backupBucket);
  const deletedStoreBackups = new DeletedStoreBackups({
    db: database.db,
    places: backupPlaces,
    retentionMs: config.DELETED_STORE_BACKUP_RETENTION,
    logger,
  });
  const reconciler = new Reconciler({
    db: database.db,
    cluster,
    onStoreDeleted: () => deletedStoreBackups.kick(),
    backups: new BackupRunner({
      db: database.db,
      cluster,
      storage: backupStorage,
      places: backupPlaces,
      jobDeadlineMs: config.PROVISION_TIMEOUT,
      logger,
    }),
    retryPolicy,
    attemptTimeoutMs: config.PROVISION_TIMEOUT,
    metrics,
    logger,
    addressOf: storeAddresses(config, cluster),
    ...(options.random ? { random: options.random } : {}),
  });
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const worker = new Worker({
    queue,
    // Store jobs go to the reconciler; the jobs that pace fleet upgrade runs, to the fleet upgrader.
    handler: (job, signal) =>
      job.kind === FLEET_UPGRADE_KIND ? fleet.handle(job, signal) : reconciler.handle(job, signal),
    workerId,
    concurrency: config.WORKER_CONCURRENCY,
    pollIntervalMs: options.pollIntervalMs ?? 2000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? Math.max(50, Math.floor(config.LEASE_DURATION / 3)),
    crashRetryDelayMs: config.PROVISION_RETRY_BACKOFF,
    logger,
  });
  const queries = new StoreQueries({ db: database.db, cluster });
  const commands = new StoreCommands({
    db: database.db,
    cluster,
    queries,
    maxStores: config.MAX_STORES,
    maxStoresPerUser: config.MAX_STORES_PER_USER,
    resourcePrefix: config.RESOURCE_PREFIX,
    ...(backupBucket ? { backupBucket } : {}),
  });
  const operations = new StoreOperations({
    db: database.db,
    cluster,
    queries,
    places: backupPlaces,
    backupQuotaBytes: config.BACKUP_QUOTA_BYTES,
    internalUrl: config.PLATFORM_INTERNAL_URL,
    listenPort: config.PORT,
  });
  const accounts = new AccountService({
    db: database.db,
    signupEnabled: config.SIGNUP_ENABLED,
    adminEmails: config.ADMIN_EMAILS,
    sessionTtlMs: config.SESSION_TTL,
  });
  const limiter = new RateLimiter(database.db);
  const fleet = new FleetUpgrader({ db: database.db, commands, logger });
  const insights = new InsightsQueries(database.db, {
    sampleIntervalMs: insightsSampled(config, cluster) ? config.INSIGHTS_INTERVAL : null,
    idleAfterMs: config.IDLE_SLEEP_AFTER ?? 2 * 3_600_000,
    idleSleepEnabled: config.IDLE_SLEEP_AFTER !== undefined && config.INGRESS_METRICS_URL !== undefined,
  });
  const hub = new EventHub(database, logger);
  await hub.start();
  const unlistenWork = await database.listen(WORK_CHANNEL, () => worker.wake());

  const resumed = await commands.resumeInFlight();
  if (resumed > 0) logger.info({ resumed }, 'queued work for stores that were mid-flight');

  const domainSettings: DomainSettings = {
    baseDomain: config.STORE_BASE_DOMAIN,
    ingressAddress: config.DOMAIN_INGRESS_ADDRESS,
    issueTimeoutMs: config.DOMAIN_ISSUE_TIMEOUT,
    checkIntervalMs: config.DOMAIN_CHECK_INTERVAL,
    certificateCheckIntervalMs: config.CERTIFICATE_CHECK_INTERVAL,
  };
  const domainChecker = new DomainChecker({
    db: database.db,
    queries,
    commands,
    cluster,
    dns: new ResolverDnsChecker(config.DOMAIN_DNS_SERVERS),
    tls: new HandshakeTlsProbe(
      config.DOMAIN_TLS_PROBE_ADDRESS ? { address: config.DOMAIN_TLS_PROBE_ADDRESS } : {},
    ),
    settings: domainSettings,
    logger,
  });
  const domains = new DomainService({
    db: database.db,
    settings: domainSettings,
    checkNow: (storeId) => domainChecker.checkStore(storeId),
  });
  const email = startMail({ config, database, cluster, logger });
  const scheme = storeScheme(config.STORE_TLS, config.ENVIRONMENT);
  const urlPort = scheme === 'https' ? config.STORE_URL_TLS_PORT : config.STORE_URL_PORT;
  const app = await buildHttpApp(
    {
      database,
      queries,
      commands,
      operations,
      bucketBackups,
      queue,
      hub,
      metrics,
      cluster,
      accounts,
      limiter,
      fleet,
      insights,
      domains,
      mail: email.mail,
      mailbox: email.mailbox,
      mailInfo: { configured: email.relayConfigured, catcher: email.mailbox !== undefined },
      positions: new QueuePositions(database.db, queue),
    },
    {
      logger,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      presentation: {
        baseDomain: config.STORE_BASE_DOMAIN,
        scheme,
        ...(urlPort ? { port: urlPort } : {}),
      },
      environment: config.ENVIRONMENT,
      dashboardDir: config.DASHBOARD_DIR,
      auth: {
        secureCookies: config.ENVIRONMENT === 'production',
        rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW },
        signInRateLimit: { max: config.AUTH_RATE_LIMIT_MAX, windowMs: config.AUTH_RATE_LIMIT_WINDOW },
        maxStores: config.MAX_STORES,
        maxStoresPerUser: config.MAX_STORES_PER_USER,
        backupQuotaBytes: config.BACKUP_QUOTA_BYTES,
        corsOrigins: config.CORS_ORIGINS,
      },
    },
  );
  worker.start();
  const monitor = new StoreMonitor({ database, cluster, hub, intervalMs: config.RESYNC_INTERVAL, logger });
  monitor.start();
  const idleSleeper =
    config.IDLE_SLEEP_AFTER !== undefined && config.INGRESS_METRICS_URL !== undefined
      ? new IdleSleeper({
          db: database.db,
          operations,
          traffic: new PrometheusTrafficSource(config.INGRESS_METRICS_URL),
          idleAfterMs: config.IDLE_SLEEP_AFTER,
          logger,
        })
      : undefined;
  idleSleeper?.start();
  deletedStoreBackups.start();
  const sampler = startInsights({ config, database, cluster, registry: metrics.registry, logger });
  domainChecker.start();

  return {
    app,
    database,
    worker,
    queries,
    commands,
    operations,
    cluster,
    accounts,
    monitor,
    fleet,
    domains,
    async stop() {
      await app.close();
      await monitor.stop();
      await idleSleeper?.stop();
      await deletedStoreBackups.stop();
      await sampler?.stop();
      await email.monitor.stop();
      await domainChecker.stop();
      await worker.stop();
      await unlistenWork();
      await hub.stop();
      if (!options.database) await database.close();
    },
  };
}

/**
 * How the reconciler reaches a store through the ingress: only with INGRESS_URL, and only for stores
 * whose pods are real (simulated pods serve nothing).
 */
function storeAddresses(config: Config, cluster: Cluster): (store: Store) => StoreAddress | undefined {
  if (!config.INGRESS_URL) return () => undefined;
  const probe = new HttpStoreProbe(config.INGRESS_URL);
  return (store) => {
    const engine = cluster.engines().find((candidate) => candidate.engine === store.engine);
    if (engine?.pods !== 'real' || !cluster.info().configured) return undefined;
    const module = engineModule(store.engine);
    return {
      probe,
      host: `${store.slug}.${config.STORE_BASE_DOMAIN}`,
      servingPath: module.servingPath,
      ...(module.servingContentType ? { servingContentType: module.servingContentType } : {}),
    };
  };
}

export function databaseLocation(config: Config) {
  return config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: join(config.dataDir, 'pglite') };
}
