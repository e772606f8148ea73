// A whole platform in this process on the test cluster, polling fast: the real-node tests' set-up.

import { connectCluster } from '../../src/cluster/connect.ts';
import type { Config } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { type Platform, type PlatformOptions, startPlatform } from '../../src/platform.ts';
import { silentLogger } from './harness.ts';

export async function startClusterPlatform(
  config: Config,
  database: Database,
  more: Pick<PlatformOptions, 'backupTarget'> = {},
): Promise<Platform> {
  return startPlatform({
    ...more,
    config,
    logger: silentLogger,
    database,
    cluster: await connectCluster(config, silentLogger),
    pollIntervalMs: 200,
    heartbeatIntervalMs: 2_000,
  });
}
