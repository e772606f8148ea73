// Signs up over real HTTP and returns headers carrying a personal API token.

/** One JSON request to the platform; whatever carries it (fetch to an address, the ingress with a Host). */
export type PlatformSend = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
) => Promise<{ status: number; setCookie: string; body: unknown; text: string }>;

export async function signUpWith(send: PlatformSend, email: string): Promise<Record<string, string>> {
  const signup = await send('POST', '/api/auth/signup', {}, { email, password: 'a password for the tests' });
  if (signup.status !== 201) throw new Error(`sign-up failed: ${signup.status} ${signup.text}`);
  const cookie = /sf_session=([^;]+)/.exec(signup.setCookie)?.[1] ?? '';
  const { csrfToken } = signup.body as { csrfToken: string };
  const session = { cookie: `sf_session=${cookie}`, 'x-csrf-token': csrfToken };
  const created = await send('POST', '/api/tokens', session, { name: 'tests' });
  if (created.status !== 201) throw new Error(`token: ${created.status} ${created.text}`);
  return { authorization: `Bearer ${(created.body as { token: string }).token}` };
}

export function signUpOverHttp(address: string, email: string): Promise<Record<string, string>> {
  return signUpWith(async (method, path, headers, body) => {
    const response = await fetch(`${address}${path}`, {
      method,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return {
      status: response.status,
      setCookie: response.headers.get('set-cookie') ?? '',
      body: parsed,
      text,
    };
  }, email);
}
