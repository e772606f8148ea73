// What the queue-and-reconciler tests stand on, fresh for each test: a database of the given engine,
// an in-memory cluster, a backup folder, and the platforms the test starts (all stopped after it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Database, DatabaseEngine } from '../../src/db/database.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { startTestPlatform } from './harness.ts';
import { MemoryCluster } from './memory-cluster.ts';

export interface PlatformBed {
  test: TestDatabase;
  database: Database;
  cluster: MemoryCluster;
  backupDir: string;
  /** A platform on `db` (the bed's database by default) with BACKUP_DIR set, stopped after the test. */
  start(overrides?: Record<string, string>, db?: Database, workerId?: string): Promise<Platform>;
  /** Stops a platform before the test ends. */
  stop(platform: Platform): Promise<void>;
}

export function platformBed(engine: DatabaseEngine): PlatformBed {
  const platforms: Platform[] = [];
  const bed = {
    async start(overrides: Record<string, string> = {}, db?: Database, workerId?: string) {
      const platform = await startTestPlatform(
        db ?? bed.database,
        bed.cluster,
        { BACKUP_DIR: bed.backupDir, ...overrides },
        workerId,
      );
      platforms.push(platform);
      return platform;
    },
    async stop(platform: Platform) {
      platforms.splice(platforms.indexOf(platform), 1);
      await platform.stop();
    },
  } as PlatformBed;
  beforeEach(async () => {
    bed.test = await createTestDatabase(engine);
    bed.database = bed.test.database;
    bed.cluster = new MemoryCluster();
    bed.backupDir = mkdtempSync(join(tmpdir(), 'storefleet-backups-'));
  });
  afterEach(async () => {
    for (const platform of platforms.splice(0)) await platform.stop();
    await bed.test.close();
    rmSync(bed.backupDir, { recursive: true, force: true });
  });
  return bed;
}
