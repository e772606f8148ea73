// Readiness decided by the orchestrator's own watches on the real node, seen as a merchant sees it:
// helm returns once the objects are applied, and each component (database, app, setup job) turns done
// on its own, live in the dashboard; a component that cannot become ready fails the store with the
// pods' own reason within seconds (an image the node does not have), and a failed setup job shows
// what it said; a first install that never became ready is removed, as helm's rollback-on-failure did.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIST, ensureDashboardBuilt } from '../../../../scripts/build-dashboard.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import type { Platform } from '../../src/platform.ts';
import { type Browser, launchBrowser } from '../support/browser.ts';
import { startClusterPlatform } from '../support/cluster-platform.ts';
import { openStorePage } from '../support/dashboard-page.ts';
import { signedIn, testConfig, waitForState } from '../support/harness.ts';
import { helmAsAdmin, testCluster } from '../support/kube.ts';
import { realNode, realNodeEnvironment } from '../support/real-node.ts';

const cluster = testCluster();
const node = realNode(cluster);
const READY_TIMEOUT_MS = 10 * 60_000;
const suffix = Date.now().toString(36).slice(-5);

interface RunningPlatform {
  platform: Platform;
  database: Database;
  email: string;
  auth: Record<string, string>;
  stores: string[];
}

const running: RunningPlatform[] = [];
let browser: Browser | undefined;
let dir: string;

/** A platform of its own, with `medusaValues` layered on every Medusa store it makes. */
async function startWith(name: string, medusaValues?: Record<string, unknown>): Promise<RunningPlatform> {
  const environment: Record<string, string> = {
    ...(await realNodeEnvironment(cluster, node, READY_TIMEOUT_MS)),
    DASHBOARD_DIR: DASHBOARD_DIST,
  };
  if (medusaValues) {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(medusaValues));
    environment.ENGINE_VALUES_FILES = `medusa=${file}`;
  }
  const config = testConfig(environment);
  const database = await openDatabase({ inMemory: true });
  const platform = await startClusterPlatform(config, database);
  const email = `${name}-${suffix}@example.com`;
  const started = { platform, database, email, auth: (await signedIn(platform, email)).headers, stores: [] };
  running.push(started);
  return started;
}

async function createStore(on: RunningPlatform, name: string): Promise<Store> {
  const response = await on.platform.app.inject({
    method: 'POST',
    url: '/api/stores',
    headers: on.auth,
    payload: { name: `${name} ${suffix}`, engine: 'medusa' },
  });
  expect(response.statusCode).toBe(202);
  const store = Store.parse(response.json());
  on.stores.push(store.id);
  return store;
}

function releaseStatus(store: Store): string {
  try {
    return JSON.parse(helmAsAdmin(cluster, ['status', store.release, '-n', store.namespace, '-o', 'json']))
      .info.status;
  } catch (error) {
    return /not found/.test(String((error as { stderr?: unknown }).stderr ?? error)) ? 'absent' : 'unknown';
  }
}

describe.runIf(node)(
  'readiness decided by the orchestrator, on the real node',
  { timeout: READY_TIMEOUT_MS + 300_000 },
  () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'storefleet-readiness-'));
      await ensureDashboardBuilt();
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
      for (const { platform, database, stores } of running) {
        for (const id of stores) {
          await platform.commands.delete(id).catch(() => undefined);
          await waitForState(database, id, 'Deleted', 240_000).catch(() => undefined);
        }
        await platform.stop();
        await database.close();
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 600_000);

    it('shows the database done while the app is still starting, live in the dashboard', async () => {
      const merchant = await startWith('progress');
      const dashboardUrl = await merchant.platform.app.listen({ port: 0, host: '127.0.0.1' });
      const posted = Date.now();
      const store = await createStore(merchant, 'Progress Shop');
      browser = await launchBrowser({ width: 1280, height: 900 });
      await openStorePage(browser.page, dashboardUrl, merchant.email, store.id);

      // Both at once, on one rendering of the page: a step list that only moved at the end cannot pass.
      await browser.page.waitForFunction(
        () => {
          const { document } = globalThis as unknown as {
            document: {
              querySelector(selector: string): { getAttribute(name: string): string | null } | null;
            };
          };
          const status = (step: string) =>
            document.querySelector(`li[data-step="${step}"]`)?.getAttribute('data-status');
          return status('DatabaseReady') === 'done' && status('AppReady') === 'running';
        },
        undefined,
        { timeout: 180_000, polling: 100 },
      );
      const seenAfter = (Date.now() - posted) / 1000;
      const setup = await browser.page.locator('li[data-step="StoreConfigured"]').getAttribute('data-status');
      expect(['running', 'done']).toContain(setup);

      const ready = await waitForState(merchant.database, store.id, 'Ready', READY_TIMEOUT_MS);
      const readyAfter = (Date.now() - posted) / 1000;
      console.info(
        `database done while the app was starting ${seenAfter.toFixed(1)} s after the POST; Ready after ${readyAfter.toFixed(1)} s`,
      );
      expect(ready.revision).toBe(1);
      for (const step of ['DatabaseReady', 'AppReady', 'StoreConfigured']) {
        await browser.page
          .locator(`li[data-step="${step}"][data-status="done"]`)
          .waitFor({ timeout: 30_000 });
      }
    });

    it('fails a store whose app image is not on the node within 30 s, naming the image, and removes the release', async () => {
      // The node's images are imported, never pulled: with IfNotPresent the kubelet would first ask a
      // registry that does not exist, and fail later (ImagePullBackOff, also fatal, but worth a retry).
      const merchant = await startWith('no-image', {
        imagePullPolicy: 'Never',
        medusa: { image: { tag: '0.0.0-not-built' } },
      });
      const posted = Date.now();
      const store = await createStore(merchant, 'Imageless Shop');
      const failed = await waitForState(merchant.database, store.id, 'Failed', 30_000).catch(
        async (error) => {
          const seen = await merchant.platform.queries.get(store.id);
          throw new Error(
            `${(error as Error).message}; it is ${seen.state}: ${JSON.stringify(seen.conditions)}`,
          );
        },
      );
      console.info(`failed ${((Date.now() - posted) / 1000).toFixed(1)} s after the POST`);
      expect(failed.attempts).toBe(1);
      expect(failed.failure).toMatchObject({
        operation: 'provision',
        step: 'ready',
        reason: 'ImageMissing',
        retryable: false,
      });
      expect(failed.failure?.message).toContain('ErrImageNeverPull');
      expect(failed.failure?.message).toContain('storefleet.local/medusa:0.0.0-not-built');
      expect(failed.failure?.message).toMatch(/The release was uninstalled\.$/);
      // The app's or the setup's pod, whichever the kubelet refused first: both need the image.
      const named = failed.conditions.find((c) => c.reason === 'ImageMissing');
      expect(named).toMatchObject({ status: 'False' });
      expect(['AppReady', 'StoreConfigured']).toContain(named?.type);
      expect(releaseStatus(store)).toBe('absent');
    });

    it("fails a store whose setup job fails with the job's own last words", async () => {
      // Medusa refuses a region in a country it does not know: the setup's seed fails after migrating.
      const merchant = await startWith('bad-setup', {
        seed: { countries: ['zz'] },
        setup: { backoffLimit: 0 },
      });
      const store = await createStore(merchant, 'Unset Shop');
      const failed = await waitForState(merchant.database, store.id, 'Failed', READY_TIMEOUT_MS);
      expect(failed.failure).toMatchObject({
        operation: 'provision',
        step: 'ready',
        reason: 'SetupJobFailed',
      });
      expect(failed.failure?.message).toMatch(
        /Setup job store-unset-shop-[a-z0-9]+-setup-[0-9a-f]{8} failed/,
      );
      expect(failed.failure?.message).toMatch(/its last words: .*zz/i);
      expect(failed.conditions.find((c) => c.type === 'StoreConfigured')).toMatchObject({
        status: 'False',
        reason: 'SetupJobFailed',
      });
    });
  },
);
