// "Serving" means the store's own app answered through the ingress: a real HTTP server stands in for
// the ingress, answering as Traefik does while it has not routed a Medusa store's app yet (the
// storefront's page for every path), then as the app does.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  askUntil,
  HttpStoreProbe,
  type IngressAnswer,
  PLATFORM_PAGE_HEADER,
  servesStore,
} from '../../src/ingress/store-probe.ts';

const answer = (overrides: Partial<IngressAnswer>): IngressAnswer => ({
  status: 200,
  platformPage: null,
  contentType: null,
  ...overrides,
});

describe('servesStore', () => {
  it("takes a success that is the store's own, of the engine's type when it names one", () => {
    expect(servesStore(answer({ contentType: 'text/html' }))).toBe(true);
    expect(servesStore(answer({ contentType: 'application/json; charset=utf-8' }), 'application/json')).toBe(
      true,
    );
    expect(servesStore(answer({ contentType: 'text/html; charset=utf-8' }), 'application/json')).toBe(false);
    expect(servesStore(answer({ contentType: null }), 'application/json')).toBe(false);
    expect(servesStore(answer({ status: 503, contentType: 'application/json' }), 'application/json')).toBe(
      false,
    );
    expect(servesStore(answer({ platformPage: 'asleep' }))).toBe(false);
    expect(servesStore(answer({ status: 0 }))).toBe(false);
  });
});

describe('asking the ingress until the app serves', () => {
  let server: Server;
  let port = 0;
  let asked = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      asked += 1;
      if (request.headers.host !== 'shop.localhost') {
        response.writeHead(404, { [PLATFORM_PAGE_HEADER]: 'missing' }).end();
      } else if (asked <= 3) {
        // The storefront's page, which answers every path while the app's route is missing.
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html>');
      } else {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"region":{}}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(() => server.close());

  it("waits past the storefront's page for the app's JSON", async () => {
    const probe = new HttpStoreProbe(`http://127.0.0.1:${port}`);
    const got = await askUntil(
      probe,
      'shop.localhost',
      '/storefront/config',
      (a) => servesStore(a, 'application/json'),
      AbortSignal.timeout(10_000),
      10,
    );
    expect(got.contentType).toBe('application/json; charset=utf-8');
    expect(asked).toBe(4);
    const missing = await probe.ask('other.localhost', '/', AbortSignal.timeout(5_000));
    expect(missing).toEqual({ status: 404, platformPage: 'missing', contentType: null });
  });
});
