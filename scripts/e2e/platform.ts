// The Storefleet API as the e2e script uses it: an identity (a personal API token, or a throwaway
// account it signs up), then stores created, watched and deleted.
import { randomBytes } from 'node:crypto';

export interface StoreView {
  id: string;
  slug: string;
  state: string;
  namespace: string;
  release: string;
  failure: { step: string; reason: string; message: string } | null;
  conditions: { type: string; status: string; message: string }[];
  urls: { storefront: string; admin: string };
}

export interface Platform {
  call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  identity: string;
}

export async function connectPlatform(api: string, token: string | undefined): Promise<Platform> {
  const base = api.replace(/\/$/, '');
  const headers: Record<string, string> = {};
  let identity: string;
  if (token) {
    headers.authorization = `Bearer ${token}`;
    identity = 'the API token in STOREFLEET_TOKEN';
  } else {
    const email = `e2e-${randomBytes(4).toString('hex')}@example.test`;
    const response = await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: randomBytes(18).toString('base64url') }),
    });
    if (response.status !== 201) {
      throw new Error(`sign-up at ${base} failed: HTTP ${response.status} ${await response.text()}`);
    }
    const session = (await response.json()) as { csrfToken: string | null };
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    headers.cookie = cookie;
    if (session.csrfToken) headers['x-csrf-token'] = session.csrfToken;
    identity = `a new account ${email}`;
  }
  return {
    identity,
    async call<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

export async function getStore(platform: Platform, id: string): Promise<StoreView> {
  const { status, body } = await platform.call<StoreView>('GET', `/api/stores/${id}`);
  if (status !== 200) throw new Error(`GET /api/stores/${id}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

/** Polls the store until it reaches `state`; a Failed store (when not waited for) stops the wait. */
export async function waitForState(
  platform: Platform,
  id: string,
  state: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<StoreView> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const store = await getStore(platform, id);
    const pending = store.conditions.filter((c) => c.status !== 'True').map((c) => `${c.type}: ${c.message}`);
    const summary = `${store.state}${pending.length ? ` (${pending.join('; ')})` : ''}`;
    if (summary !== last) log(`store ${store.slug}: ${summary}`);
    last = summary;
    if (store.state === state) return store;
    if (store.state === 'Failed' && state !== 'Failed') {
      throw new Error(
        `store failed in step ${store.failure?.step} (${store.failure?.reason}): ${store.failure?.message}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`store ${store.slug} not ${state} after ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}
