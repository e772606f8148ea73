// Idle sleep: the ingress's request counters (Prometheus text, served over real HTTP as Traefik
// serves them) are read on each check; a store whose counters do not move for IDLE_SLEEP_AFTER is put
// to sleep, one whose storefront is visited stays awake.
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdleSleeper } from '../../src/app/idle-sleeper.ts';
import { ActivityRepository } from '../../src/db/activity-repository.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import {
  PrometheusTrafficSource,
  parseServiceRequests,
  requestsByNamespace,
} from '../../src/ingress/traffic.ts';
import type { Platform } from '../../src/platform.ts';
import { silentLogger, startTestPlatform, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

const HOUR = 3_600_000;

function metrics(counts: Record<string, number>): string {
  const lines = [
    '# HELP traefik_service_requests_total How many HTTP requests processed on a service.',
    '# TYPE traefik_service_requests_total counter',
  ];
  for (const [service, count] of Object.entries(counts)) {
    // Split over two status codes, as Traefik reports them.
    lines.push(
      `traefik_service_requests_total{code="200",method="GET",protocol="http",service="${service}"} ${count - 1}`,
    );
    lines.push(
      `traefik_service_requests_total{code="304",method="GET",protocol="http",service="${service}"} 1`,
    );
  }
  lines.push(
    'traefik_entrypoint_requests_total{code="200",entrypoint="web",method="GET",protocol="http"} 99',
  );
  return `${lines.join('\n')}\n`;
}

describe('idle sleep', () => {
  let database: Database;
  let platform: Platform;
  let server: Server;
  let served: Record<string, number> = {};
  let url: string;

  beforeEach(async () => {
    database = await openDatabase({ inMemory: true });
    platform = await startTestPlatform(database, new MemoryCluster());
    server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end(metrics(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/metrics`;
  });
  afterEach(async () => {
    await platform.stop();
    await database.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads requests per service and sums them per store namespace', async () => {
    served = { 'store-quiet-shop-storefront-http@kubernetes': 5, 'store-quiet-shop-app-http@kubernetes': 3 };
    const counts = await new PrometheusTrafficSource(url).requestCounts(AbortSignal.timeout(5_000));
    expect(counts.get('store-quiet-shop-storefront-http@kubernetes')).toBe(5);
    // A namespace that is a prefix of another does not take the other's requests.
    expect(requestsByNamespace(counts, ['store-quiet', 'store-quiet-shop', 'store-quiet-sho'])).toEqual(
      new Map([
        ['store-quiet', 0],
        ['store-quiet-shop', 8],
        ['store-quiet-sho', 0],
      ]),
    );
    expect(parseServiceRequests('garbage\ntraefik_service_requests_total{service="a"} NaN').size).toBe(0);
  });

  it('puts a store to sleep after IDLE_SLEEP_AFTER without traffic, and keeps a visited one awake', async () => {
    const owner = { ownerId: 'owner-1' };
    const quiet = (await platform.commands.create({ name: 'Quiet Shop', engine: 'medusa' }, owner)).store;
    const busy = (await platform.commands.create({ name: 'Busy Shop', engine: 'medusa' }, owner)).store;
    await waitForState(database, quiet.id, 'Ready');
    await waitForState(database, busy.id, 'Ready');
    let now = new Date('2026-11-29T10:00:00Z');
    const sleeper = new IdleSleeper({
      db: database.db,
      operations: platform.operations,
      traffic: new PrometheusTrafficSource(url),
      idleAfterMs: 2 * HOUR,
      logger: silentLogger,
      now: () => now,
    });
    served = {
      [`${quiet.namespace}-storefront-3000@kubernetes`]: 10,
      [`${busy.namespace}-storefront-3000@kubernetes`]: 10,
    };
    expect(await sleeper.check()).toEqual([]);

    now = new Date(now.getTime() + HOUR);
    served[`${busy.namespace}-storefront-3000@kubernetes`] = 25;
    expect(await sleeper.check()).toEqual([]);

    now = new Date(now.getTime() + HOUR + 60_000);
    // The quiet store's counter has not moved for 2 h 1 min; the busy one saw traffic an hour ago.
    expect(await sleeper.check()).toEqual([quiet.id]);
    await waitForState(database, quiet.id, 'Asleep');
    expect((await platform.queries.get(busy.id)).state).toBe('Ready');
    const requested = (await new ActivityRepository(database.db).list({ storeId: quiet.id, limit: 20 })).find(
      (a) => a.type === 'store.sleep_requested',
    );
    expect(requested?.details).toMatchObject({ by: 'idle' });
    expect(requested?.message).toMatch(/no storefront traffic/);
  });
});
