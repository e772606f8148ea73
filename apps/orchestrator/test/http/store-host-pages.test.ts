// What a store's own URL shows when the ingress sends it to the platform (no store workload serves
// it): the asleep page with its wake button, a waking page that reloads itself, "no store here".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository } from '../../src/db/audit-repository.ts';
import type { Database } from '../../src/db/database.ts';
import { openDatabase } from '../../src/db/database.ts';
import type { Store } from '../../src/domain/store.ts';
import { WAKE_PATH } from '../../src/http/store-host-pages.ts';
import type { Platform } from '../../src/platform.ts';
import { startTestPlatform, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

describe("a store's URL when the platform answers it", () => {
  let database: Database;
  let platform: Platform;
  let store: Store;

  beforeAll(async () => {
    database = await openDatabase({ inMemory: true });
    platform = await startTestPlatform(database, new MemoryCluster());
    ({ store } = await platform.commands.create(
      { name: 'Moon <Shop>', engine: 'medusa' },
      { ownerId: 'owner-1' },
    ));
    store = await waitForState(database, store.id, 'Ready');
  });
  afterAll(async () => {
    await platform.stop();
    await database.close();
  });

  const get = (host: string, url = '/') => platform.app.inject({ method: 'GET', url, headers: { host } });

  it('says there is no store at an address nobody has', async () => {
    const response = await get('nobody-here.localhost:8080');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('No store here');
  });

  it("leaves the platform's own hosts alone", async () => {
    expect((await get('localhost:8080', '/healthz')).statusCode).toBe(200);
    expect((await get('api.localhost', '/healthz')).statusCode).toBe(200);
  });

  it('shows a waking page that reloads itself while the ingress has not yet caught up', async () => {
    const response = await get(`${store.slug}.localhost:8080`, '/products/anything');
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('is waking up');
    expect(response.body).toContain('http-equiv="refresh"');
    // The store's name is the merchant's text: escaped, never markup.
    expect(response.body).toContain('Moon &#60;Shop&#62;');
    expect(response.body).not.toContain('<Shop>');
  });

  it('shows an asleep store its asleep page; the wake button wakes it, audited as a visitor', async () => {
    await platform.operations.sleep(store);
    await waitForState(database, store.id, 'Asleep');
    const host = `${store.slug}.localhost:8080`;
    const asleep = await get(host);
    expect(asleep.statusCode).toBe(503);
    expect(asleep.headers['retry-after']).toBe('30');
    expect(asleep.body).toContain('is asleep');
    expect(asleep.body).toContain(`<form method="post" action="${WAKE_PATH}">`);

    const woken = await platform.app.inject({ method: 'POST', url: WAKE_PATH, headers: { host } });
    expect(woken.statusCode).toBe(303);
    expect(woken.headers.location).toBe('/');
    expect(['Waking', 'Ready']).toContain((await platform.queries.get(store.id)).state);
    await waitForState(database, store.id, 'Ready');
    const audit = await new AuditRepository(database.db).list({ action: 'store.wake', limit: 5 });
    expect(audit[0]).toMatchObject({ actor: 'visitor', target: store.id, outcome: 'success' });

    // Pressed again once awake: nothing more is asked of the store.
    const again = await platform.app.inject({ method: 'POST', url: WAKE_PATH, headers: { host } });
    expect(again.statusCode).toBe(503);
    expect((await platform.queries.get(store.id)).state).toBe('Ready');
  });
});
