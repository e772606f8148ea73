// What a client may send at the edges of the API: methods and paths it does not serve, odd
// encodings, bodies it cannot read, text it refuses; and how cluster trouble is answered.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, ERROR_CODES, Store } from '@storefleet/contracts';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/port.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, startTestPlatform, waitForState } from '../support/harness.ts';
import { MemoryInspection } from '../support/memory-cluster/namespaces.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';

/** The in-memory inspection, refusing the next read of a store's resources with `refusal` when set. */
class RefusingInspection extends MemoryInspection {
  refusal: ClusterError | undefined;

  override async resources(...args: Parameters<MemoryInspection['resources']>) {
    const refusal = this.refusal;
    this.refusal = undefined;
    if (refusal) throw refusal;
    return super.resources(...args);
  }
}

class RefusingCluster extends MemoryCluster {
  override readonly inspection = new RefusingInspection(this.namespaces);
}

/** The error of an answer, checked against the contract's shape and codes. */
const errorOf = (body: unknown) => ApiError.parse(body).error;

describe('the API at its edges', () => {
  const dashboard = mkdtempSync(join(tmpdir(), 'storefleet-edges-'));
  let test: TestDatabase;
  let platform: Platform;
  let cluster: RefusingCluster;
  let auth: Record<string, string>;

  beforeAll(async () => {
    writeFileSync(join(dashboard, 'index.html'), '<!doctype html><title>Storefleet</title>');
    test = await createTestDatabase('pglite');
    cluster = new RefusingCluster();
    platform = await startTestPlatform(test.database, cluster, { DASHBOARD_DIR: dashboard });
    auth = (await signedIn(platform, 'edges@example.com')).headers;
  });
  afterAll(async () => {
    await platform.stop();
    await test.close();
    rmSync(dashboard, { recursive: true, force: true });
  });

  const inject = (options: InjectOptions) => platform.app.inject(options);

  it('answers a method a path is not served with 405 and Allow, whatever the method', async () => {
    for (const method of ['PUT', 'PATCH', 'TRACE', 'QUERY'] as const) {
      const response = await inject({ method, url: '/api/stores', headers: auth });
      expect(response.statusCode, method).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD, POST');
      expect(errorOf(response.json())).toMatchObject({
        code: 'METHOD_NOT_ALLOWED',
        details: { allowed: ['GET', 'HEAD', 'POST'] },
      });
    }
    // GET reaches the dashboard's files (GET /*) first; an API path served with POST only is still a 405.
    const signIn = await inject({ method: 'GET', url: '/api/auth/signin', headers: { accept: 'text/html' } });
    expect(signIn.statusCode).toBe(405);
    expect(signIn.headers.allow).toBe('POST');
    expect((await inject({ method: 'GET', url: '/api/nothing-here', headers: auth })).statusCode).toBe(404);
    const onOne = await inject({ method: 'PUT', url: '/api/stores/00000000-0000-4000-8000-000000000000' });
    expect(onOne.statusCode).toBe(405);
    expect(onOne.headers.allow).toBe('DELETE, GET, HEAD');
  });

  it('answers unknown paths 404 and paths that are not valid percent-encoding 400, in the error shape', async () => {
    const unknown = await inject({ method: 'POST', url: '/api/nothing-here', headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown.json()).code).toBe('NOT_FOUND');
    for (const url of ['/api/stores/%E0%A4%A', '/api/stores/%', '/%c0%ae%c0%ae/etc/passwd']) {
      const response = await inject({ method: 'GET', url, headers: auth });
      expect(response.statusCode, url).toBe(400);
      expect(errorOf(response.json()).code).toBe('INVALID_INPUT');
    }
  });

  it('never answers 500 from the static files, whatever the path', async () => {
    for (const url of [
      '/%2e%2e/%2e%2e/etc/passwd',
      '/index.html%00.js',
      `/${'a'.repeat(5000)}`,
      '/..%2f..%2fetc',
      '/%FF',
    ]) {
      const response = await inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.body).not.toContain('root:');
    }
  });

  it('refuses bodies in another media type, charset or encoding with 415, naming what it accepts', async () => {
    const body = JSON.stringify({ name: 'Media Shop', engine: 'medusa' });
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'content-type': 'text/plain' }, /application\/json/],
      [{ 'content-type': 'application/json; charset=latin1' }, /charset latin1 is not accepted/],
      [
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        /Content-Encoding gzip is not accepted/,
      ],
    ];
    for (const [headers, message] of cases) {
      const response = await inject({
        method: 'POST',
        url: '/api/stores',
        headers: { ...auth, ...headers },
        payload: body,
      });
      expect(response.statusCode, JSON.stringify(headers)).toBe(415);
      const error = errorOf(response.json());
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message).toMatch(message);
      expect(error.details).toEqual({
        accepted: { contentTypes: ['application/json'], charsets: ['utf-8'], encodings: ['identity'] },
      });
    }
    const utf8 = await inject({
      method: 'POST',
      url: '/api/stores',
      headers: { ...auth, 'content-type': 'application/json; charset=UTF-8' },
      payload: body,
    });
    expect(utf8.statusCode).toBe(202);
  });

  it('refuses lone surrogates and control characters in any text, and says why it refuses __proto__', async () => {
    const send = (payload: string, url = '/api/tokens') =>
      inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload });
    const surrogate = await send('{"name":"bad \\ud800 token"}');
    expect(surrogate.statusCode).toBe(400);
    expect(errorOf(surrogate.json()).message).toMatch(/body\.name contains a lone surrogate/);
    const control = await send('{"name":"bell \\u0007 token"}');
    expect(control.statusCode).toBe(400);
    expect(errorOf(control.json()).message).toMatch(/control character/);
    const query = await inject({ method: 'GET', url: '/api/audit?actor=%00', headers: auth });
    expect(query.statusCode).toBe(400);
    const proto = await send('{"name":"x","__proto__":{"admin":true}}');
    expect(proto.statusCode).toBe(400);
    expect(errorOf(proto.json()).message).toMatch(
      /key "__proto__".*refused because they could change how objects behave/,
    );
    const nested = await send(
      '{"values":{"constructor":{"prototype":{}}}}',
      '/api/stores/00000000-0000-4000-8000-000000000000/upgrade',
    );
    expect(errorOf(nested.json())).toMatchObject({
      code: 'INVALID_INPUT',
      details: { where: 'body.values.constructor' },
    });
    const tokens = (await inject({ method: 'GET', url: '/api/tokens', headers: auth })).json().items;
    expect(tokens.map((t: { name: string }) => t.name)).toEqual(['tests']);
  });

  it('accepts the Bearer scheme in any case', async () => {
    const token = auth.authorization?.replace(/^Bearer /, '') ?? '';
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      const response = await inject({
        method: 'GET',
        url: '/api/stores',
        headers: { authorization: `${scheme} ${token}` },
      });
      expect(response.statusCode, scheme).toBe(200);
    }
    const other = await inject({
      method: 'GET',
      url: '/api/stores',
      headers: { authorization: `Basic ${token}` },
    });
    expect(errorOf(other.json()).code).toBe('INVALID_TOKEN');
  });

  it('answers a cluster refusal 502 CLUSTER_REQUEST_FAILED, with the cluster reason only in the details', async () => {
    const created = Store.parse(
      (
        await inject({
          method: 'POST',
          url: '/api/stores',
          headers: auth,
          payload: { name: 'Refused Shop', engine: 'medusa' },
        })
      ).json(),
    );
    await waitForState(test.database, created.id, 'Ready');
    cluster.inspection.refusal = new ClusterError('Forbidden', 'Could not list pods: forbidden', {
      retryable: false,
    });
    const refused = await inject({
      method: 'GET',
      url: `/api/stores/${created.id}/resources`,
      headers: auth,
    });
    expect(refused.statusCode).toBe(502);
    expect(errorOf(refused.json())).toEqual({
      code: 'CLUSTER_REQUEST_FAILED',
      message: 'Could not list pods: forbidden',
      details: { reason: 'Forbidden' },
    });
    cluster.inspection.refusal = new ClusterError('ClusterUnreachable', 'connect ECONNREFUSED', {
      retryable: true,
    });
    const unreachable = await inject({
      method: 'GET',
      url: `/api/stores/${created.id}/resources`,
      headers: auth,
    });
    expect(unreachable.statusCode).toBe(503);
    expect(errorOf(unreachable.json())).toMatchObject({
      code: 'CLUSTER_UNAVAILABLE',
      details: { reason: 'ClusterUnreachable' },
    });
    expect(errorOf(unreachable.json()).message).toMatch(/does not answer.*KUBECONFIG/);
  });

  it('documents every status, code, security and body rule in the OpenAPI document', async () => {
    const document = (await inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const operation = (path: string, method: string) => document.paths[path][method];
    const codes = (path: string, method: string, status: string) =>
      operation(path, method).responses[status].content['application/json'].schema.properties.error.properties
        .code.enum;

    for (const path of ['/api/auth/signup', '/api/auth/signin'])
      expect(operation(path, 'post').security).toEqual([]);
    expect(operation('/api/platform', 'get').security).toEqual([]);
    expect(operation('/api/stores', 'get').security).toBeUndefined();
    expect(document.security).toEqual([{ token: [] }, { session: [] }]);

    for (const [path, method] of [
      ['/api/stores/{id}/history', 'get'],
      ['/api/stores/{id}/resources', 'get'],
      ['/api/stores/{id}/credentials', 'post'],
      ['/api/stores/{id}/rollback', 'post'],
    ] as const) {
      expect(codes(path, method, '503')).toEqual(['CLUSTER_UNAVAILABLE']);
      expect(codes(path, method, '502')).toEqual(['CLUSTER_REQUEST_FAILED']);
    }
    const create = operation('/api/stores', 'post');
    expect(Object.keys(create.responses).sort()).toEqual([
      '200',
      '202',
      '400',
      '401',
      '403',
      '409',
      '413',
      '415',
      '429',
      '502',
    ]);
    expect(codes('/api/stores', 'post', '502')).toEqual(['BACKUP_BUCKET_FAILED']);
    expect(codes('/api/stores', 'post', '403')).toEqual([
      'CSRF_TOKEN_INVALID',
      'STORE_LIMIT_REACHED',
      'USER_STORE_LIMIT_REACHED',
    ]);
    const name = create.requestBody.content['application/json'].schema.properties.name;
    expect(name).toMatchObject({ type: 'string', minLength: 1, maxLength: 100 });
    expect(new RegExp(name.pattern).test('Acme Shoes')).toBe(true);
    expect(new RegExp(name.pattern).test('ab')).toBe(false);
    expect(new RegExp(name.pattern).test('Acme\u0007Shoes')).toBe(false);
    expect(name.description).toMatch(/reserved word/);

    // Every code any route documents is one of the contract's.
    for (const methods of Object.values(document.paths) as Record<
      string,
      { responses: Record<string, unknown> }
    >[]) {
      for (const { responses } of Object.values(methods)) {
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) < 400) continue;
          const documented = (
            response as {
              content: {
                'application/json': {
                  schema: { properties: { error: { properties: { code: { enum: string[] } } } } };
                };
              };
            }
          ).content['application/json'].schema.properties.error.properties.code.enum;
          for (const code of documented) expect(ERROR_CODES).toContain(code);
        }
      }
    }
  });
});
