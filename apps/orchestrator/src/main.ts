// Starts the orchestrator: API and workers on the configured database.
import { describeBackupTarget } from './backups/target-config.ts';
import { ConfigError, describeConfig, loadBackupTarget, loadConfig } from './config.ts';
import { createLogger } from './observability/logger.ts';
import { startPlatform } from './platform.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  let backupTarget: Awaited<ReturnType<typeof loadBackupTarget>>;
  try {
    config = loadConfig();
    backupTarget = await loadBackupTarget(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: process.stdout.isTTY === true });
  logger.debug({ config: describeConfig(config) }, 'configuration');
  logger.info({ backupTarget: describeBackupTarget(backupTarget) }, 'backup target');

  const platform = await startPlatform({ config, logger, backupTarget });
  const address = await platform.app.listen({ port: config.PORT, host: config.HOST });
  logger.info(
    {
      address,
      database: platform.database.engine,
      dataDir: config.DATABASE_URL ? undefined : config.dataDir,
    },
    `Storefleet orchestrator listening on ${address}`,
  );
  if (config.PUBLISH_INGRESS_FALLBACK && platform.cluster.info().configured) {
    const port = platform.app.server.address();
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    if (port && typeof port === 'object') {
      await platform.cluster.fallback
        .publishFallbackRoute({ host, port: port.port }, AbortSignal.timeout(30_000))
        .then(
          () =>
            logger.info({ host, port: port.port }, 'published as the ingress default backend (asleep pages)'),
          (error: unknown) => logger.warn({ err: error }, 'could not publish the ingress default backend'),
        );
    }
  }
  const cluster = platform.cluster.info();
  if (!cluster.configured) logger.warn(cluster.description);
  else if (cluster.simulated) logger.warn(`Simulated cluster: ${cluster.description}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Storefleet orchestrator failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
