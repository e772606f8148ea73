import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository } from '../../src/db/audit-repository.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startTestPlatform, waitFor } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

const PASSWORD = 'a long enough password';

interface Browser {
  cookie: string;
  csrf: string;
}

function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'sf_session');
  if (!cookie) throw new Error(`no session cookie in ${response.statusCode} ${response.body}`);
  return cookie.value;
}

async function signUp(platform: Platform, email: string): Promise<Browser> {
  const response = await platform.app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email, password: PASSWORD },
  });
  expect(response.statusCode).toBe(201);
  return { cookie: sessionCookie(response), csrf: response.json().csrfToken };
}

function asBrowser(platform: Platform, browser: Browser) {
  return (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    platform.app.inject({
      method,
      url,
      cookies: { sf_session: browser.cookie },
      headers: method === 'GET' ? {} : { 'x-csrf-token': browser.csrf },
      ...(payload ? { payload } : {}),
    });
}

describe('accounts and sessions', () => {
  let test: TestDatabase;
  let platform: Platform;

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    platform = await startTestPlatform(test.database, new MemoryCluster(), {
      ADMIN_EMAILS: 'boss@example.com',
    });
  });
  afterAll(async () => {
    await platform.stop();
    await test.close();
  });

  it('makes the first account an admin and later ones merchants (or admins when named by ADMIN_EMAILS)', async () => {
    const first = asBrowser(platform, await signUp(platform, 'First@Example.com'));
    expect((await first('GET', '/api/auth/session')).json().user).toMatchObject({
      email: 'first@example.com',
      role: 'admin',
    });
    const second = asBrowser(platform, await signUp(platform, 'second@example.com'));
    expect((await second('GET', '/api/auth/session')).json().user.role).toBe('merchant');
    const boss = asBrowser(platform, await signUp(platform, 'boss@example.com'));
    expect((await boss('GET', '/api/auth/session')).json().user.role).toBe('admin');
  });

  it('refuses a taken e-mail, a short password and a wrong password with clear codes', async () => {
    const taken = await platform.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: 'second@example.com', password: PASSWORD },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('EMAIL_TAKEN');
    const short = await platform.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: 'x@example.com', password: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toMatch(/at least 10 characters/);
    const wrong = await platform.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: 'second@example.com', password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    const unknown = await platform.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: 'nobody@example.com', password: PASSWORD },
    });
    expect(unknown.json().error).toEqual(wrong.json().error);
  });

  it('sets an HttpOnly SameSite session cookie and requires it (or a token) for the API', async () => {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: 'second@example.com', password: PASSWORD },
    });
    const cookie = response.cookies.find((c) => c.name === 'sf_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const anonymous = await platform.app.inject({ method: 'GET', url: '/api/stores' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('requires the CSRF token for cookie-authenticated changes', async () => {
    const browser = await signUp(platform, 'csrf@example.com');
    const withoutToken = await platform.app.inject({
      method: 'POST',
      url: '/api/stores',
      cookies: { sf_session: browser.cookie },
      payload: { name: 'Forged Shop', engine: 'woocommerce' },
    });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const withToken = await asBrowser(platform, browser)('POST', '/api/stores', {
      name: 'Honest Shop',
      engine: 'woocommerce',
    });
    expect(withToken.statusCode).toBe(202);
  });

  it('signs out: the session stops working', async () => {
    const browser = await signUp(platform, 'leaving@example.com');
    const as = asBrowser(platform, browser);
    expect((await as('POST', '/api/auth/signout')).statusCode).toBe(204);
    expect((await as('GET', '/api/stores')).statusCode).toBe(401);
  });

  it('lets a session expire after SESSION_TTL', async () => {
    // A platform of its own: a short TTL for the whole block would end the sessions of slow tests.
    const other = await createTestDatabase('pglite');
    const brief = await startTestPlatform(other.database, new MemoryCluster(), { SESSION_TTL: '3s' });
    try {
      const as = asBrowser(brief, await signUp(brief, 'brief@example.com'));
      const signedUpAt = Date.now(); // the session was created before this
      expect((await as('GET', '/api/stores')).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, signedUpAt + 3000 + 200 - Date.now()));
      expect((await as('GET', '/api/stores')).statusCode).toBe(401);
    } finally {
      await brief.stop();
      await other.close();
    }
  });

  it('never reuses a session id from before sign-in', async () => {
    const planted = 'attacker-chosen-session-id';
    const signedIn = await platform.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      cookies: { sf_session: planted },
      payload: { email: 'second@example.com', password: PASSWORD },
    });
    expect(signedIn.statusCode).toBe(200);
    expect(sessionCookie(signedIn)).not.toBe(planted);
    const withPlanted = await platform.app.inject({
      method: 'GET',
      url: '/api/stores',
      cookies: { sf_session: planted },
    });
    expect(withPlanted.statusCode).toBe(401);

    // A live session the browser already had is ended and replaced, not carried over.
    const old = sessionCookie(signedIn);
    const again = await platform.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      cookies: { sf_session: old },
      payload: { email: 'second@example.com', password: PASSWORD },
    });
    expect(sessionCookie(again)).not.toBe(old);
    expect(
      (await platform.app.inject({ method: 'GET', url: '/api/stores', cookies: { sf_session: old } }))
        .statusCode,
    ).toBe(401);
  });

  it('issues personal API tokens that are shown once, stored hashed, and stop working when revoked', async () => {
    const as = asBrowser(platform, await signUp(platform, 'robot-owner@example.com'));
    const unnamed = await as('POST', '/api/tokens', { name: '  ' });
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json().error.message).toContain('Give the token a name');
    const created = await as('POST', '/api/tokens', { name: 'ci' });
    expect(created.statusCode).toBe(201);
    const { token, apiToken } = created.json();
    expect(token).toMatch(/^sf_/);
    const rows = await test.database.db.selectFrom('api_tokens').select(['token_hash']).execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    const listed = (await as('GET', '/api/tokens')).json().items;
    expect(listed).toEqual([
      expect.objectContaining({ id: apiToken.id, name: 'ci', prefix: token.slice(0, 9), revokedAt: null }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(token);

    const bearer = { authorization: `Bearer ${token}` };
    expect(
      (await platform.app.inject({ method: 'GET', url: '/api/stores', headers: bearer })).statusCode,
    ).toBe(200);
    const withToken = await platform.app.inject({
      method: 'POST',
      url: '/api/stores',
      headers: bearer,
      payload: { name: 'Robot Shop', engine: 'medusa' },
    });
    expect(withToken.statusCode).toBe(202);
    expect((await as('DELETE', `/api/tokens/${apiToken.id}`)).statusCode).toBe(204);
    const revoked = await platform.app.inject({ method: 'GET', url: '/api/stores', headers: bearer });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.code).toBe('INVALID_TOKEN');
  });

  it('turns sign-up off when SIGNUP_ENABLED=false', async () => {
    const other = await createTestDatabase('pglite');
    const closed = await startTestPlatform(other.database, new MemoryCluster(), { SIGNUP_ENABLED: 'false' });
    try {
      const response = await closed.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: 'a@example.com', password: PASSWORD },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('SIGNUP_DISABLED');
    } finally {
      await closed.stop();
      await other.close();
    }
  });

  it('sends security headers and hides internal errors', async () => {
    const response = await platform.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('ownership', () => {
  let test: TestDatabase;
  let platform: Platform;
  let alice: ReturnType<typeof asBrowser>;
  let bob: ReturnType<typeof asBrowser>;
  let admin: ReturnType<typeof asBrowser>;
  let aliceStore: string;

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    platform = await startTestPlatform(test.database, new MemoryCluster());
    admin = asBrowser(platform, await signUp(platform, 'admin@example.com'));
    alice = asBrowser(platform, await signUp(platform, 'alice@example.com'));
    bob = asBrowser(platform, await signUp(platform, 'bob@example.com'));
    aliceStore = (await alice('POST', '/api/stores', { name: 'Alice Shop', engine: 'woocommerce' })).json()
      .id;
    await waitFor(
      async () => (await alice('GET', `/api/stores/${aliceStore}`)).json().state === 'Ready',
      'Ready',
    );
  });
  afterAll(async () => {
    await platform.stop();
    await test.close();
  });

  const attempts = (id: string): [string, 'GET' | 'POST' | 'DELETE', string, object?][] => [
    ['read', 'GET', `/api/stores/${id}`],
    ['read activity', 'GET', `/api/stores/${id}/activity`],
    ['read history', 'GET', `/api/stores/${id}/history`],
    ['read resources', 'GET', `/api/stores/${id}/resources`],
    ['reveal credentials', 'POST', `/api/stores/${id}/credentials`],
    ['retry', 'POST', `/api/stores/${id}/retry`],
    ['upgrade', 'POST', `/api/stores/${id}/upgrade`, { values: { replicas: 2 } }],
    ['roll back', 'POST', `/api/stores/${id}/rollback`, { revision: 1 }],
    ['delete', 'DELETE', `/api/stores/${id}`],
  ];

  it("answers 404 to every attempt on another merchant's store, and changes nothing", async () => {
    for (const [what, method, url, body] of attempts(aliceStore)) {
      const response = await bob(method, url, body);
      expect(response.statusCode, what).toBe(404);
      expect(response.json().error.code, what).toBe('NOT_FOUND');
    }
    expect((await alice('GET', `/api/stores/${aliceStore}`)).json()).toMatchObject({
      state: 'Ready',
      revision: 1,
    });
  });

  it("keeps other merchants' stores out of lists, activity, metrics and events", async () => {
    expect((await bob('GET', '/api/stores')).json().items).toEqual([]);
    expect((await bob('GET', '/api/activity')).json().items).toEqual([]);
    expect((await bob('GET', '/api/metrics')).json().stores.total).toBe(0);
    expect((await alice('GET', '/api/stores')).json().items.map((s: { id: string }) => s.id)).toEqual([
      aliceStore,
    ]);
    expect((await alice('GET', '/api/metrics')).json().stores.total).toBe(1);
  });

  it('lets an admin see and act on every store', async () => {
    expect((await admin('GET', '/api/stores')).json().items.map((s: { id: string }) => s.id)).toContain(
      aliceStore,
    );
    expect((await admin('GET', `/api/stores/${aliceStore}/history`)).statusCode).toBe(200);
    expect((await admin('POST', `/api/stores/${aliceStore}/credentials`)).statusCode).toBe(200);
    expect(
      (await admin('POST', `/api/stores/${aliceStore}/upgrade`, { values: { replicas: 2 } })).statusCode,
    ).toBe(202);
    await waitFor(
      async () => (await admin('GET', `/api/stores/${aliceStore}`)).json().revision === 2,
      'upgraded',
    );
    expect((await admin('POST', `/api/stores/${aliceStore}/rollback`, { revision: 1 })).statusCode).toBe(202);
    await waitFor(
      async () => (await admin('GET', `/api/stores/${aliceStore}`)).json().revision === 3,
      'rolled back',
    );
    expect((await admin('DELETE', `/api/stores/${aliceStore}`)).statusCode).toBe(202);
    await waitFor(
      async () => (await alice('GET', `/api/stores/${aliceStore}`)).json().state === 'Deleted',
      'deleted',
    );
  });

  it('shows the audit trail to admins only, filtered and paged', async () => {
    expect((await bob('GET', '/api/audit')).statusCode).toBe(403);
    const denied = (await admin('GET', '/api/audit?actor=bob@example.com&outcome=denied&limit=3')).json();
    expect(denied.items).toHaveLength(3);
    expect(
      denied.items.every(
        (row: { actor: string; outcome: string }) =>
          row.actor === 'bob@example.com' && row.outcome === 'denied',
      ),
    ).toBe(true);
    const next = (
      await admin(
        'GET',
        `/api/audit?actor=bob@example.com&outcome=denied&limit=3&cursor=${denied.nextCursor}`,
      )
    ).json();
    expect(next.items[0].id).toBeLessThan(denied.items[2].id);
    const reveals = (await admin('GET', '/api/audit?action=store.credentials_reveal')).json().items;
    expect(reveals.map((r: { actor: string; outcome: string }) => [r.actor, r.outcome])).toEqual(
      expect.arrayContaining([
        ['admin@example.com', 'success'],
        ['bob@example.com', 'denied'],
      ]),
    );
  });
});

describe('quotas and rate limits shared by two orchestrators on one PostgreSQL database', () => {
  let test: TestDatabase;
  let a: Platform;
  let b: Platform;

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    const settings = {
      MAX_STORES_PER_USER: '2',
      RATE_LIMIT_MAX: '6',
      RATE_LIMIT_WINDOW: '3s',
      AUTH_RATE_LIMIT_MAX: '3',
      AUTH_RATE_LIMIT_WINDOW: '3s',
    };
    a = await startTestPlatform(test.database, new MemoryCluster(), settings, 'replica-a');
    b = await startTestPlatform(await test.openAnother(), new MemoryCluster(), settings, 'replica-b');
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await test.close();
  });

  it('refuses a third store of one user across both replicas with USER_STORE_LIMIT_REACHED, and shows the usage', async () => {
    const session = await signUp(a, 'quota@example.com');
    const viaA = asBrowser(a, session);
    const viaB = asBrowser(b, session);
    expect((await viaA('POST', '/api/stores', { name: 'Quota One', engine: 'woocommerce' })).statusCode).toBe(
      202,
    );
    expect((await viaB('POST', '/api/stores', { name: 'Quota Two', engine: 'woocommerce' })).statusCode).toBe(
      202,
    );
    const third = await viaA('POST', '/api/stores', { name: 'Quota Three', engine: 'woocommerce' });
    expect(third.statusCode).toBe(403);
    expect(third.json().error).toMatchObject({
      code: 'USER_STORE_LIMIT_REACHED',
      details: { limit: 2, current: 2 },
    });
    const info = (await viaB('GET', '/api/auth/session')).json();
    expect(info).toMatchObject({
      limits: { maxStoresPerUser: 2, rateLimit: { max: 6, windowSeconds: 3 } },
      usage: { stores: 2 },
    });
  });

  it('counts changes against one per-user limit across both replicas, answers 429 with Retry-After, and resets', async () => {
    const session = await signUp(b, 'busy@example.com');
    const viaA = asBrowser(a, session);
    const viaB = asBrowser(b, session);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const call = i % 2 === 0 ? viaA : viaB;
      statuses.push(
        (await call('POST', '/api/stores/00000000-0000-4000-8000-000000000000/retry')).statusCode,
      );
    }
    const limited = statuses.indexOf(429);
    expect(limited).toBeGreaterThan(0);
    expect(limited).toBeLessThanOrEqual(6);
    const refused = await viaA('POST', '/api/stores/00000000-0000-4000-8000-000000000000/retry');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers['retry-after']) * 1000 + 300));
    expect((await viaB('POST', '/api/stores/00000000-0000-4000-8000-000000000000/retry')).statusCode).toBe(
      404,
    );
  });

  it('limits sign-in attempts per e-mail across replicas', async () => {
    await signUp(a, 'target@example.com');
    const attempt = (platform: Platform) =>
      platform.app.inject({
        method: 'POST',
        url: '/api/auth/signin',
        remoteAddress: `10.0.0.${Math.floor(Math.random() * 200)}`,
        payload: { email: 'target@example.com', password: 'wrong password!!' },
      });
    const codes = [await attempt(a), await attempt(b), await attempt(a), await attempt(b)].map(
      (r) => r.statusCode,
    );
    // AUTH_RATE_LIMIT_MAX=3 per e-mail: the sign-up counted once, two wrong passwords, then refused.
    expect(codes).toEqual([401, 401, 429, 429]);
  });

  it('audits every change, refused ones included', async () => {
    const rows = await new AuditRepository(test.database.db).list({ limit: 500 });
    const outcomes = new Set(rows.map((row) => `${row.action}:${row.statusCode}`));
    for (const expected of [
      'store.create:202',
      'store.create:403',
      'store.retry:404',
      'store.retry:429',
      'auth.signin:401',
      'auth.signin:429',
      'auth.signup:201',
    ]) {
      expect(outcomes, expected).toContain(expected);
    }
  });

  it('counts malformed changes against the limit too', async () => {
    const remoteAddress = '10.9.9.9';
    const signup = await a.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      remoteAddress,
      payload: { email: 'sloppy@example.com', password: PASSWORD },
    });
    const browser = { cookie: sessionCookie(signup), csrf: signup.json().csrfToken };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await a.app.inject({
        method: 'POST',
        url: '/api/stores',
        remoteAddress,
        cookies: { sf_session: browser.cookie },
        headers: { 'x-csrf-token': browser.csrf },
        payload: { nonsense: true },
      });
      statuses.push(response.statusCode);
    }
    // The sign-up counted once against this address: five malformed requests, then refused.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });
});
