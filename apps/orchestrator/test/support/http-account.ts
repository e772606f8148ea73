// Signs up over real HTTP and returns headers carrying a personal API token.
export async function signUpOverHttp(address: string, email: string): Promise<Record<string, string>> {
  const signup = await fetch(`${address}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'a password for the tests' }),
  });
  if (signup.status !== 201) throw new Error(`sign-up failed: ${signup.status} ${await signup.text()}`);
  const cookie = /sf_session=([^;]+)/.exec(signup.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const { csrfToken } = (await signup.json()) as { csrfToken: string };
  const created = await fetch(`${address}/api/tokens`, {
    method: 'POST',
    headers: {
      cookie: `sf_session=${cookie}`,
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name: 'tests' }),
  });
  const { token } = (await created.json()) as { token: string };
  return { authorization: `Bearer ${token}` };
}
