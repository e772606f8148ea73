// Starts platforms (API + workers) on a test database with fast timings, and helpers to wait on them.
import pino from 'pino';
import type { Cluster } from '../../src/cluster/port.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import type { Store } from '../../src/domain/store.ts';
import { type Platform, type PlatformOptions, startPlatform } from '../../src/platform.ts';

export const silentLogger = pino({ level: 'silent' });

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: '/tmp/storefleet-test-unused',
    LOG_LEVEL: 'silent',
    // Stores stay on the simulated nodes unless a test asks for real pods.
    STORE_PLACEMENT: 'simulated',
    PROVISION_TIMEOUT: '5s',
    MAX_PROVISION_RETRIES: '2',
    PROVISION_RETRY_BACKOFF: '40ms',
    // Long enough that a stalled event loop (a busy CI machine, a PGlite query) never lets another
    // worker take a job over; tests of lease expiry and takeover set a short one of their own.
    LEASE_DURATION: '5s',
    WORKER_CONCURRENCY: '3',
    MAX_STORES_PER_USER: '1000',
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '10000',
    ...overrides,
  });
}

export async function startTestPlatform(
  database: Database,
  cluster: Cluster,
  overrides: Record<string, string> = {},
  workerId?: string,
  more: Pick<PlatformOptions, 'backupTarget'> = {},
): Promise<Platform> {
  return startPlatform({
    config: testConfig(overrides),
    logger: silentLogger,
    cluster,
    database,
    pollIntervalMs: 25,
    heartbeatIntervalMs: 100,
    ...(workerId ? { workerId } : {}),
    ...more,
  });
}

/** A new account on the platform and a personal API token for it: headers that authenticate as it. */
export async function signedIn(
  platform: Platform,
  email: string,
): Promise<{ headers: Record<string, string>; userId: string }> {
  const actor = await platform.accounts.signUp(email, 'correct horse battery staple');
  const { token } = await platform.accounts.createApiToken(actor, 'tests');
  return { headers: { authorization: `Bearer ${token}` }, userId: actor.userId };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function waitForState(database: Database, storeId: string, state: Store['state'], timeoutMs?: number) {
  const stores = new StoresRepository(database.db);
  return waitFor(
    async () => {
      const store = await stores.get(storeId);
      return store?.state === state ? store : undefined;
    },
    `store ${storeId} to become ${state}`,
    timeoutMs,
  );
}
