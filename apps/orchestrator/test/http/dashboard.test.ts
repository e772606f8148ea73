import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, startTestPlatform } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

describe('the built dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storefleet-dashboard-'));
  let test: TestDatabase;
  let platform: Platform;

  beforeAll(async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Storefleet</title><div id="root"></div>');
    writeFileSync(join(dir, 'app.js'), 'console.log("app")');
    test = await createTestDatabase('pglite');
    platform = await startTestPlatform(test.database, new MemoryCluster(), { DASHBOARD_DIR: dir });
  });
  afterAll(async () => {
    await platform.stop();
    await test.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is served at /, with its assets, and its client-side routes load the index page', async () => {
    const index = await platform.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<title>Storefleet</title>');
    expect((await platform.app.inject({ method: 'GET', url: '/app.js' })).body).toContain('console.log');
    const deepLink = await platform.app.inject({
      method: 'GET',
      url: '/stores/abc',
      headers: { accept: 'text/html' },
    });
    expect(deepLink.statusCode).toBe(200);
    expect(deepLink.body).toContain('<div id="root">');
  });

  it('leaves API answers alone: an unknown API route is still a JSON 404', async () => {
    const { headers } = await signedIn(platform, 'viewer@example.com');
    const response = await platform.app.inject({
      method: 'GET',
      url: '/api/nope',
      headers: { ...headers, accept: 'text/html' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
  });
});
