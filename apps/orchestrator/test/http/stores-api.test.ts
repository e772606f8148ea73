import { ApiError, PlatformMetrics, QueuePosition, Store, StoreList } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/port.ts';
import { AuditRepository } from '../../src/db/audit-repository.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { signedIn, startTestPlatform, waitFor, waitForState } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

describe.each(ENGINES)('stores API on %s', (engine) => {
  let test: TestDatabase;
  let platform: Platform;
  let cluster: MemoryCluster;
  let auth: Record<string, string>;

  beforeAll(async () => {
    test = await createTestDatabase(engine);
    cluster = new MemoryCluster();
    platform = await startTestPlatform(test.database, cluster, {
      MAX_STORES: '14',
      BODY_LIMIT_BYTES: '2048',
    });
    auth = (await signedIn(platform, `owner-${engine}@example.com`)).headers;
  });
  afterAll(async () => {
    await platform.stop();
    await test.close();
  });

  const request = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    platform.app.inject({
      method,
      url,
      headers: { ...auth, ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });

  const create = async (name: string, engineName = 'woocommerce', headers: Record<string, string> = {}) => {
    const response = await request('POST', '/api/stores', { name, engine: engineName }, headers);
    return { response, body: response.json() };
  };

  const waitUntil = (id: string, state: string) =>
    waitFor(async () => {
      const store = Store.parse((await request('GET', `/api/stores/${id}`)).json());
      return store.state === state ? store : undefined;
    }, `${id} to be ${state}`);

  it('creates a store: 202, a Location, and the store, which then becomes Ready', async () => {
    const { response, body } = await create('Acme Shoes');
    expect(response.statusCode).toBe(202);
    const store = Store.parse(body);
    expect(response.headers.location).toBe(`/api/stores/${store.id}`);
    expect(store).toMatchObject({
      name: 'Acme Shoes',
      slug: 'acme-shoes',
      engine: 'woocommerce',
      state: 'Queued',
      namespace: 'store-acme-shoes',
      release: 'store-acme-shoes',
      urls: { storefront: 'http://acme-shoes.localhost', admin: 'http://acme-shoes.localhost/wp-admin/' },
    });
    const ready = await waitUntil(store.id, 'Ready');
    expect(ready.provisioningSeconds).toBeGreaterThanOrEqual(0);
  });

  it.each([
    [{ name: 'x', engine: 'woocommerce', extra: true }, /Unrecognized key/],
    [{ name: 'Shop' }, /body\.engine/],
    [{ name: '', engine: 'medusa' }, /name must not be empty/],
    [{ name: 42, engine: 'medusa' }, /body\.name/],
  ])('refuses %j with 400 and writes nothing', async (payload, message) => {
    const before = StoreList.parse((await request('GET', '/api/stores?limit=100')).json()).items.length;
    const response = await request('POST', '/api/stores', payload);
    expect(response.statusCode).toBe(400);
    const error = ApiError.parse(response.json());
    expect(error.error.code).toBe('INVALID_INPUT');
    expect(error.error.message).toMatch(message);
    expect(StoreList.parse((await request('GET', '/api/stores?limit=100')).json()).items).toHaveLength(
      before,
    );
  });

  it('refuses an engine the platform does not have, naming those it has, and writes nothing', async () => {
    const before = StoreList.parse((await request('GET', '/api/stores?limit=100')).json()).items.length;
    const response = await request('POST', '/api/stores', { name: 'Shop', engine: 'magento' });
    expect(response.statusCode).toBe(400);
    expect(ApiError.parse(response.json()).error).toMatchObject({
      code: 'ENGINE_UNKNOWN',
      message: 'There is no engine "magento" here; the engines are woocommerce, medusa (GET /api/platform).',
    });
    expect(StoreList.parse((await request('GET', '/api/stores?limit=100')).json()).items).toHaveLength(
      before,
    );
  });

  it('refuses invalid and reserved names with the reason', async () => {
    const reserved = await create('Admin');
    expect(reserved.response.statusCode).toBe(400);
    expect(reserved.body.error).toMatchObject({ code: 'INVALID_STORE_NAME' });
    expect(reserved.body.error.message).toMatch(/reserved/);
    const tooLong = await create('n'.repeat(60));
    expect(tooLong.body.error.message).toMatch(/too long/);
  });

  it('refuses an engine this cluster cannot run with 400 and its reason, creating nothing', async () => {
    const reason = 'woocommerce cannot run on this cluster: node n1 lacks storefleet/wordpress:1.';
    cluster.unavailableEngines.set('woocommerce', reason);
    try {
      const before = StoreList.parse((await request('GET', '/api/stores')).json()).items.length;
      const refused = await create('Unavailable Engine Shop');
      expect(refused.response.statusCode).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: reason });
      expect(StoreList.parse((await request('GET', '/api/stores')).json()).items).toHaveLength(before);
      const platformInfo = (await request('GET', '/api/platform')).json();
      expect(platformInfo.engines).toContainEqual({
        displayName: 'WooCommerce',
        login: 'username',
        adminPath: '/wp-admin/',
        backupParts: ['database', 'files'],
        engine: 'woocommerce',
        available: false,
        pods: 'simulated',
        reason,
      });
      const other = await create('Unavailable Engine Shop', 'medusa');
      expect(other.response.statusCode).toBe(202);
    } finally {
      cluster.unavailableEngines.clear();
    }
  });

  it('refuses malformed JSON, non-JSON bodies and bodies over the limit', async () => {
    const malformed = await platform.app.inject({
      method: 'POST',
      url: '/api/stores',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('INVALID_INPUT');
    const text = await platform.app.inject({
      method: 'POST',
      url: '/api/stores',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(text.statusCode).toBe(415);
    const huge = await request('POST', '/api/stores', {
      name: 'big',
      engine: 'woocommerce',
      pad: 'x'.repeat(5000),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('BODY_TOO_LARGE');
  });

  it('answers 409 for a name whose slug is taken', async () => {
    expect((await create('Duplicate Me')).response.statusCode).toBe(202);
    const again = await create('duplicate  me!');
    expect(again.response.statusCode).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'STORE_NAME_TAKEN' });
    expect(again.body.error.message).toContain('"duplicate-me"');
  });

  it('replays an Idempotency-Key with 200 and the same store, and refuses it for another body', async () => {
    const key = { 'idempotency-key': `key-${engine}-1` };
    const first = await create('Idempotent Shop', 'medusa', key);
    expect(first.response.statusCode).toBe(202);
    const replay = await create('Idempotent Shop', 'medusa', key);
    expect(replay.response.statusCode).toBe(200);
    expect(replay.body.id).toBe(first.body.id);
    const different = await create('Another Shop', 'medusa', key);
    expect(different.response.statusCode).toBe(409);
    expect(different.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('reads one store, and answers 404 for an unknown id and 400 for a malformed one', async () => {
    const { body } = await create('Readable Shop');
    expect((await request('GET', `/api/stores/${body.id}`)).json().name).toBe('Readable Shop');
    const missing = await request('GET', '/api/stores/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    expect((await request('GET', '/api/stores/not-a-uuid')).statusCode).toBe(400);
  });

  it("tells a store's place in the provisioning queue, and that a store not waiting has none", async () => {
    const { body } = await create('Queued Shop');
    await waitForState(test.database, body.id, 'Ready');
    const answer = await request('GET', `/api/stores/${body.id}/queue`);
    expect(answer.statusCode).toBe(200);
    expect(QueuePosition.parse(answer.json())).toMatchObject({ waiting: false, position: null, slots: 3 });
    expect((await request('GET', '/api/stores/00000000-0000-4000-8000-000000000000/queue')).statusCode).toBe(
      404,
    );
  });

  it('lists with a cursor and filters by state', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page = StoreList.parse(
        (
          await request('GET', `/api/stores?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        ).json(),
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      all.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const ready = StoreList.parse((await request('GET', '/api/stores?state=Ready&limit=100')).json());
    expect(ready.items.every((s) => s.state === 'Ready')).toBe(true);
    expect((await request('GET', '/api/stores?state=Napping')).statusCode).toBe(400);
    expect((await request('GET', '/api/stores?cursor=bogus')).statusCode).toBe(400);
    expect((await request('GET', '/api/stores?limit=1000')).statusCode).toBe(400);
  });

  it('deletes with 202, repeatably, until the store is Deleted', async () => {
    const { body } = await create('Delete Me');
    await waitUntil(body.id, 'Ready');
    const first = await request('DELETE', `/api/stores/${body.id}`);
    expect(first.statusCode).toBe(202);
    expect(first.json().state).toBe('Deleting');
    expect((await request('DELETE', `/api/stores/${body.id}`)).statusCode).toBe(202);
    await waitUntil(body.id, 'Deleted');
    const afterwards = await request('DELETE', `/api/stores/${body.id}`);
    expect(afterwards.statusCode).toBe(202);
    expect(afterwards.json().state).toBe('Deleted');
    expect(cluster.isEmptyFor(afterwards.json())).toBe(true);
    // The slug is free again once the store is gone.
    expect((await create('Delete Me')).response.statusCode).toBe(202);
  });

  it('retries only a Failed store; anything else is 409', async () => {
    const { body: ready } = await create('Not Failed');
    await waitUntil(ready.id, 'Ready');
    const refused = await request('POST', `/api/stores/${ready.id}/retry`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'STORE_NOT_FAILED' });

    cluster.failOn(
      'ensureNamespace',
      new ClusterError('Forbidden', 'namespaces is forbidden', { retryable: false }),
      1,
      // Only this store: one still queued from an earlier test must not use up the failure.
      (target) => target.slug === 'will-fail',
    );
    const { body: failing } = await create('Will Fail');
    const failed = await waitUntil(failing.id, 'Failed');
    expect(failed.failure?.message).toContain('namespaces is forbidden');
    const retried = await request('POST', `/api/stores/${failing.id}/retry`);
    expect(retried.statusCode).toBe(202);
    expect(retried.json().state).toBe('Queued');
    await waitUntil(failing.id, 'Ready');
  });

  it('serves activity per store and across stores, newest first, with a cursor', async () => {
    const { body } = await create('Chatty Shop');
    await waitUntil(body.id, 'Ready');
    // The store.ready entry is written just after the store turns Ready.
    const own = await waitFor(async () => {
      const page = (await request('GET', `/api/stores/${body.id}/activity`)).json();
      return page.items.some((a: { type: string }) => a.type === 'store.ready') ? page : undefined;
    }, 'the store.ready activity');
    expect(own.items.map((a: { type: string }) => a.type)).toEqual([
      'store.ready',
      'store.provisioning',
      'store.created',
    ]);
    const firstPage = (await request('GET', '/api/activity?limit=2')).json();
    expect(firstPage.items).toHaveLength(2);
    const secondPage = (await request('GET', `/api/activity?limit=2&cursor=${firstPage.nextCursor}`)).json();
    expect(secondPage.items[0].id).toBeLessThan(firstPage.items[1].id);
    expect((await request('GET', '/api/activity?cursor=zzz')).statusCode).toBe(400);
  });

  it('reports platform metrics: counts by state, totals and provisioning times', async () => {
    const metrics = PlatformMetrics.parse((await request('GET', '/api/metrics')).json());
    expect(metrics.stores.total).toBeGreaterThan(0);
    expect(metrics.stores.byState.Ready).toBeGreaterThan(0);
    expect(metrics.totals.deleted).toBeGreaterThanOrEqual(1);
    expect(metrics.totals.failed).toBeGreaterThanOrEqual(1);
    expect(metrics.provisioning.samples).toBeGreaterThan(0);
    expect(metrics.provisioning.p95Seconds).toBeGreaterThanOrEqual(metrics.provisioning.averageSeconds ?? 0);
  });

  it('exposes Prometheus metrics', async () => {
    const response = await request('GET', '/metrics');
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.body).toMatch(/storefleet_stores\{state="Ready"\} [1-9]/);
    expect(response.body).toMatch(/storefleet_queue_jobs\{status="pending"\} \d+/);
    expect(response.body).toMatch(
      /storefleet_provisioning_duration_seconds_count\{engine="woocommerce"\} [1-9]/,
    );
    expect(response.body).toMatch(
      /storefleet_step_duration_seconds_count\{operation="provision",step="release"\} [1-9]/,
    );
    expect(response.body).toMatch(
      /storefleet_step_failures_total\{operation="provision",step="namespace",reason="Forbidden"\} 1/,
    );
  });

  it('answers health, readiness, platform info and the OpenAPI document', async () => {
    expect((await request('GET', '/healthz')).json()).toEqual({ status: 'ok', checks: { process: 'ok' } });
    expect((await request('GET', '/readyz')).json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
    expect((await request('GET', '/api/platform')).json()).toEqual({
      environment: 'local',
      cluster: { configured: true, simulated: true, description: 'in-memory test cluster' },
      engines: [
        {
          engine: 'woocommerce',
          displayName: 'WooCommerce',
          login: 'username',
          adminPath: '/wp-admin/',
          backupParts: ['database', 'files'],
          available: true,
          pods: 'simulated',
          reason: null,
        },
        {
          engine: 'medusa',
          displayName: 'Medusa',
          login: 'email',
          adminPath: '/app/',
          backupParts: ['database'],
          available: true,
          pods: 'simulated',
          reason: null,
        },
      ],
      mail: { configured: false, catcher: false },
    });
    const openapi = (await request('GET', '/api/openapi.json')).json();
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/api/stores',
        '/api/stores/{id}',
        '/api/stores/{id}/retry',
        '/api/stores/{id}/queue',
        '/api/stores/{id}/mail',
        '/api/mailbox',
        '/api/activity',
        '/api/metrics',
        '/api/events',
      ]),
    );
    expect(openapi.paths['/api/stores'].post.requestBody.content['application/json'].schema.required).toEqual(
      ['name', 'engine'],
    );
  });

  it('answers unknown routes with the error shape', async () => {
    const response = await request('GET', '/api/nope');
    expect(response.statusCode).toBe(404);
    expect(ApiError.parse(response.json()).error.code).toBe('NOT_FOUND');
  });

  it('writes an audit row for every mutating call, refused ones included', async () => {
    const audit = new AuditRepository(test.database.db);
    const before = (await audit.list({ limit: 1 }))[0]?.id ?? 0;
    const { body } = await create('Audited Shop');
    await create('Admin');
    await request('POST', `/api/stores/${body.id}/retry`);
    await request('DELETE', '/api/stores/00000000-0000-4000-8000-000000000000');
    await request('GET', '/api/stores');
    const rows = (await audit.list({ limit: 10 })).filter((row) => row.id > before).reverse();
    expect(rows.map((r) => [r.action, r.outcome, r.statusCode, r.reason])).toEqual([
      ['store.create', 'success', 202, null],
      ['store.create', 'denied', 400, 'INVALID_STORE_NAME'],
      ['store.retry', 'denied', 409, 'STORE_NOT_FAILED'],
      ['store.delete', 'denied', 404, 'NOT_FOUND'],
    ]);
    expect(rows[0]).toMatchObject({ actor: `owner-${engine}@example.com`, ip: '127.0.0.1', target: body.id });
    expect(rows[3]?.target).toBe('00000000-0000-4000-8000-000000000000');
  });

  it("reveals a store's admin credentials on request, uncached and audited, and only while it exists", async () => {
    const { body } = await create('Secret Shop');
    await waitUntil(body.id, 'Ready');
    const response = await request('POST', `/api/stores/${body.id}/credentials`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({
      username: 'storeadmin',
      password: 'pw-secret-shop-memory',
      email: 'admin@secret-shop.store.invalid',
      adminUrl: 'http://secret-shop.localhost/wp-admin/',
    });
    const listed = JSON.stringify((await request('GET', '/api/stores?limit=100')).json());
    expect(listed).not.toContain('pw-secret-shop-memory');
    const audit = await new AuditRepository(test.database.db).list({ limit: 1 });
    expect(audit[0]).toMatchObject({
      action: 'store.credentials_reveal',
      outcome: 'success',
      target: body.id,
    });

    await request('DELETE', `/api/stores/${body.id}`);
    await waitUntil(body.id, 'Deleted');
    const gone = await request('POST', `/api/stores/${body.id}/credentials`);
    expect(gone.statusCode).toBe(409);
    expect(gone.json().error.code).toBe('CREDENTIALS_UNAVAILABLE');
  });

  it('upgrades and rolls back through the API, and refuses what cannot be done', async () => {
    const { body } = await create('Versioned Shop');
    await waitUntil(body.id, 'Ready');
    const upgrade = await request('POST', `/api/stores/${body.id}/upgrade`, { values: { replicas: 3 } });
    expect(upgrade.statusCode).toBe(202);
    expect(upgrade.json()).toMatchObject({ state: 'Upgrading', values: { replicas: 3 } });
    const upgraded = await waitUntil(body.id, 'Ready');
    expect(upgraded).toMatchObject({ revision: 2, values: { replicas: 3 } });
    expect(
      (await request('POST', `/api/stores/${body.id}/upgrade`, { values: { replicas: 9 } })).statusCode,
    ).toBe(400);
    const history = (await request('GET', `/api/stores/${body.id}/history`)).json();
    expect(history.items.map((h: { revision: number }) => h.revision)).toEqual([1, 2]);

    const missing = await request('POST', `/api/stores/${body.id}/rollback`, { revision: 7 });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('REVISION_NOT_FOUND');
    expect(
      (await request('POST', `/api/stores/${body.id}/rollback`, { revision: 2 })).json().error.code,
    ).toBe('ALREADY_AT_REVISION');
    expect((await request('POST', `/api/stores/${body.id}/rollback`, { revision: 1 })).statusCode).toBe(202);
    const rolledBack = await waitUntil(body.id, 'Ready');
    expect(rolledBack).toMatchObject({ revision: 3, values: {} });
    const resources = (await request('GET', `/api/stores/${body.id}/resources`)).json();
    expect(resources.namespace).toBe('store-versioned-shop');
    expect(resources.items.length).toBeGreaterThan(0);
  });

  it('tells by generation and observedGeneration whether the state answers the latest request', async () => {
    const { body } = await create('Generation Shop');
    expect(body).toMatchObject({ state: 'Queued', generation: 1, observedGeneration: 0 });
    expect(await waitUntil(body.id, 'Ready')).toMatchObject({ generation: 1, observedGeneration: 1 });
    const upgrade = await request('POST', `/api/stores/${body.id}/upgrade`, { values: { replicas: 2 } });
    // Until the upgrade settles, the store says it describes the request before it.
    expect(upgrade.json()).toMatchObject({ state: 'Upgrading', generation: 2, observedGeneration: 1 });
    expect(await waitUntil(body.id, 'Ready')).toMatchObject({ generation: 2, observedGeneration: 2 });
  });

  it('refuses creation beyond MAX_STORES with a clear code', async () => {
    let response = (await create('Filler 0')).response;
    for (let i = 1; response.statusCode === 202 && i < 20; i++)
      response = (await create(`Filler ${i}`)).response;
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('STORE_LIMIT_REACHED');
    expect(response.json().error.message).toMatch(/at most 14 stores \(MAX_STORES\)/);
  });
});
