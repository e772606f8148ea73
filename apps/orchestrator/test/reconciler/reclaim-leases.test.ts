// On the embedded database one process owns the data: after a crash, the next start hands the dead
// process's leases back at once rather than waiting for them to expire. A PostgreSQL server keeps
// lease expiry, since other replicas may hold live leases there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { StoresRepository } from '../../src/db/stores-repository.ts';
import { type Platform, startPlatform } from '../../src/platform.ts';
import { reclaimsLeasesAtStart } from '../../src/queue/reclaim.ts';
import { silentLogger, testConfig, waitFor } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

describe('leases of a dead process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'storefleet-reclaim-'));
  const platforms: Platform[] = [];
  afterEach(async () => {
    for (const platform of platforms.splice(0)) await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (cluster: MemoryCluster, workerId: string) => {
    const platform = await startPlatform({
      // A lease far longer than the test may wait: only reclaiming it lets the work resume.
      config: testConfig({ DATA_DIR: dataDir, LEASE_DURATION: '60s' }),
      logger: silentLogger,
      cluster,
      workerId,
      pollIntervalMs: 25,
      heartbeatIntervalMs: 100,
    });
    platforms.push(platform);
    return platform;
  };

  it('are reclaimed at start-up on PGlite, so the work resumes at once', async () => {
    const cluster = new MemoryCluster();
    const gate = cluster.blockOn('installRelease');
    const first = await start(cluster, 'dead');
    const { store } = await first.commands.create(
      { name: 'Reclaimed Shop', engine: 'woocommerce' },
      { ownerId: 'owner-1' },
    );
    await gate.reached;
    first.worker.kill();
    await first.stop();
    platforms.splice(0);
    cluster.clearBehaviour('installRelease');
    const left = await openDatabase({ dataDir: join(dataDir, 'pglite') });
    const lease = await left.db
      .selectFrom('work_queue')
      .select(['lease_owner', 'lease_expires_at'])
      .execute();
    await left.close();
    expect(lease).toEqual([{ lease_owner: 'dead', lease_expires_at: expect.any(Date) }]);

    const second = await start(cluster, 'next');
    const stores = new StoresRepository(second.database.db);
    const ready = await waitFor(
      async () => {
        const current = await stores.get(store.id);
        return current?.state === 'Ready' ? current : undefined;
      },
      'the store to become Ready long before the dead lease expires',
      15_000,
    );
    expect(ready.attempts).toBe(2);
  });

  it('are kept until they expire on a PostgreSQL server, and on a database shared in-process', () => {
    expect(reclaimsLeasesAtStart('pglite', true)).toBe(true);
    expect(reclaimsLeasesAtStart('postgres', true)).toBe(false);
    expect(reclaimsLeasesAtStart('pglite', false)).toBe(false);
  });
});
