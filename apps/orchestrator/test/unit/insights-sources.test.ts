// The sources of store insights, on their own: Traefik's counters and histogram, the kubelet's
// resource metrics and volume stats, quantities, CPU rates, and the engines' order APIs against
// stand-ins that answer as Medusa and WooCommerce do (real HTTP on loopback).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePvcUsage, parseQuantity, parseResourceMetrics } from '../../src/cluster/kubelet-metrics.ts';
import {
  parseServiceTraffic,
  quantileMs,
  trafficByNamespace,
  trafficDelta,
} from '../../src/ingress/service-metrics.ts';
import { MedusaOrders } from '../../src/insights/medusa-orders.ts';
import { namespaceUsage } from '../../src/insights/usage.ts';
import { WooCommerceOrders } from '../../src/insights/woocommerce-orders.ts';

const TRAEFIK = `
# HELP traefik_service_requests_total How many HTTP requests processed on a service, partitioned by status code, protocol, and method.
traefik_service_requests_total{code="200",method="GET",protocol="http",service="store-a-medusa-app-http@kubernetes"} 40
traefik_service_requests_total{code="404",method="GET",protocol="http",service="store-a-medusa-storefront-http@kubernetes"} 7
traefik_service_requests_total{code="502",method="GET",protocol="http",service="store-a-medusa-app-http@kubernetes"} 3
traefik_service_requests_total{code="200",method="GET",protocol="http",service="store-a-b-app-80@kubernetes"} 5
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="store-a-medusa-app-http@kubernetes",le="0.1"} 30
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="store-a-medusa-app-http@kubernetes",le="0.3"} 38
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="store-a-medusa-app-http@kubernetes",le="1.2"} 40
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="store-a-medusa-app-http@kubernetes",le="5"} 40
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="store-a-medusa-app-http@kubernetes",le="+Inf"} 40
traefik_service_request_duration_seconds_sum{code="200",method="GET",protocol="http",service="store-a-medusa-app-http@kubernetes"} 3.2
`;

describe("the ingress's per-service traffic", () => {
  it('counts requests, 4xx and 5xx per store namespace, the longest namespace owning a service', () => {
    const byNamespace = trafficByNamespace(parseServiceTraffic(TRAEFIK), ['store-a', 'store-a-b', 'store-c']);
    expect(byNamespace.get('store-a')).toMatchObject({ requests: 50, clientErrors: 7, serverErrors: 3 });
    expect(byNamespace.get('store-a-b')).toMatchObject({ requests: 5, clientErrors: 0, serverErrors: 0 });
    expect(byNamespace.get('store-c')).toMatchObject({ requests: 0 });
  });

  it('takes the difference of two readings, and everything since a reset when the counters went down', () => {
    const namespaces = ['store-a', 'store-a-b'];
    const before = trafficByNamespace(parseServiceTraffic(TRAEFIK), namespaces).get('store-a');
    const later = TRAEFIK.replace('} 40\n', '} 52\n').replace(
      '"404",method="GET",protocol="http",service="store-a-medusa-storefront-http@kubernetes"} 7',
      '"404",method="GET",protocol="http",service="store-a-medusa-storefront-http@kubernetes"} 9',
    );
    const after = trafficByNamespace(parseServiceTraffic(later), namespaces).get('store-a');
    if (!before || !after) throw new Error('no traffic parsed');
    expect(trafficDelta(before, after)).toMatchObject({ requests: 14, clientErrors: 2, serverErrors: 0 });
    expect(trafficDelta(after, before)).toMatchObject({ requests: 50, clientErrors: 7, serverErrors: 3 });
  });

  it('interpolates the 95th percentile within its histogram bucket, and has none without requests', () => {
    const buckets = new Map([
      [0.1, 30],
      [0.3, 38],
      [1.2, 40],
      [Number.POSITIVE_INFINITY, 40],
    ]);
    // Rank 38 of 40 is the top of the 0.1–0.3 s bucket.
    expect(quantileMs(buckets, 0.95)).toBe(300);
    expect(quantileMs(buckets, 0.5)).toBeCloseTo(66.67, 1);
    expect(quantileMs(new Map([[Number.POSITIVE_INFINITY, 0]]), 0.95)).toBeNull();
  });
});

describe("the kubelet's reports", () => {
  const resource = `
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="medusa",namespace="store-a",pod="app-1"} 2.5e+08 1700000000000
container_memory_working_set_bytes{container="postgres",namespace="store-a",pod="db-0"} 5e+07 1700000000000
container_cpu_usage_seconds_total{container="medusa",namespace="store-a",pod="app-1"} 100 1700000000000
container_cpu_usage_seconds_total{container="postgres",namespace="store-a",pod="db-0"} 10 1700000000000
node_memory_working_set_bytes 1e+09 1700000000000
`;

  it('sums memory per namespace, and CPU as the rise of CPU seconds between two readings', () => {
    const first = namespaceUsage(parseResourceMetrics(resource), new Map(), 0);
    expect(first.usage.get('store-a')).toEqual({ memoryBytes: 3e8, cpuMillicores: null });
    const later = resource
      .replaceAll('1700000000000', '1700000010000')
      .replace('} 100 ', '} 102 ')
      .replace('} 10 ', '} 10.5 ');
    const second = namespaceUsage(parseResourceMetrics(later), first.marks, 0);
    // 2.5 CPU seconds over 10 s: a quarter of a core.
    expect(second.usage.get('store-a')?.cpuMillicores).toBeCloseTo(250, 5);
  });

  it('adds up bytes used on PVC-backed volumes per namespace, each claim once', () => {
    const summary = JSON.stringify({
      pods: [
        {
          volume: [
            { name: 'data', usedBytes: 1000, pvcRef: { name: 'db', namespace: 'store-a' } },
            { name: 'tmp', usedBytes: 5 },
          ],
        },
        { volume: [{ name: 'data', usedBytes: 1000, pvcRef: { name: 'db', namespace: 'store-a' } }] },
        { volume: [{ name: 'uploads', usedBytes: 24, pvcRef: { name: 'files', namespace: 'store-a' } }] },
      ],
    });
    expect(parsePvcUsage(summary)).toEqual(new Map([['store-a', 1024]]));
  });

  it('reads Kubernetes quantities', () => {
    expect(parseQuantity('8')).toBe(8);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('8Gi')).toBe(8 * 2 ** 30);
    expect(parseQuantity('4G')).toBe(4e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('lots')).toBeUndefined();
    expect(parseQuantity(undefined)).toBeUndefined();
  });
});

describe("the engines' order APIs", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function standIn(handler: (req: IncomingMessage, url: URL, res: ServerResponse) => void) {
    const started = createServer((req, res) => handler(req, new URL(req.url ?? '/', 'http://x'), res));
    server = started;
    await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
  }
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const login = { username: 'storeadmin', password: 'secret-password', email: 'admin@a.store.invalid' };
  const window = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-01T00:01:00Z') };

  it('Medusa: signs in, lists the window’s orders page by page, and signs in again when the token is refused', async () => {
    const orders = Array.from({ length: 130 }, (_, i) => ({
      id: `order_${i}`,
      total: 10.5,
      currency_code: 'eur',
    }));
    let logins = 0;
    let refuseNext = false;
    const seen: string[] = [];
    const baseUrl = await standIn((req, url, res) => {
      if (url.pathname === '/auth/user/emailpass' && req.method === 'POST') {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          const { email, password } = JSON.parse(body) as { email: string; password: string };
          if (email !== login.email || password !== login.password) return json(res, 401, { message: 'no' });
          logins++;
          json(res, 200, { token: `jwt-${logins}` });
        });
        return;
      }
      if (url.pathname === '/admin/orders') {
        if (req.headers.authorization !== `Bearer jwt-${logins}` || refuseNext) {
          refuseNext = false;
          return json(res, 401, { message: 'Unauthorized' });
        }
        seen.push(`${url.searchParams.get('created_at[$gt]')}..${url.searchParams.get('created_at[$lte]')}`);
        const offset = Number(url.searchParams.get('offset'));
        const limit = Number(url.searchParams.get('limit'));
        return json(res, 200, {
          orders: orders.slice(offset, offset + limit),
          count: orders.length,
          offset,
          limit,
        });
      }
      json(res, 404, {});
    });
    const reader = new MedusaOrders();
    const signal = AbortSignal.timeout(5_000);
    expect(await reader.read({ baseUrl, login, ...window, signal })).toEqual({
      orders: 130,
      revenue: 1365,
      currency: 'eur',
    });
    expect(seen[0]).toBe('2026-03-01T00:00:00.000Z..2026-03-01T00:01:00.000Z');
    expect(logins).toBe(1);
    refuseNext = true;
    expect((await reader.read({ baseUrl, login, ...window, signal })).orders).toBe(130);
    expect(logins).toBe(2);
    await expect(
      new MedusaOrders().read({ baseUrl, login: { ...login, password: 'wrong' }, ...window, signal }),
    ).rejects.toThrow(/answered 401/);
  });

  it('WooCommerce: lists the window’s orders with Basic authentication, page by page', async () => {
    const orders = Array.from({ length: 120 }, (_, i) => ({ id: i, total: '20.00', currency: 'USD' }));
    const expected = `Basic ${Buffer.from('storeadmin:secret-password').toString('base64')}`;
    const baseUrl = await standIn((req, url, res) => {
      if (url.pathname !== '/wp-json/wc/v3/orders') return json(res, 404, {});
      if (req.headers.authorization !== expected)
        return json(res, 401, { code: 'woocommerce_rest_cannot_view' });
      expect(url.searchParams.get('after')).toBe(window.from.toISOString());
      expect(url.searchParams.get('before')).toBe(window.to.toISOString());
      const page = Number(url.searchParams.get('page'));
      const perPage = Number(url.searchParams.get('per_page'));
      json(res, 200, orders.slice((page - 1) * perPage, page * perPage), {
        'x-wp-totalpages': String(Math.ceil(orders.length / perPage)),
      });
    });
    const signal = AbortSignal.timeout(5_000);
    expect(await new WooCommerceOrders().read({ baseUrl, login, ...window, signal })).toEqual({
      orders: 120,
      revenue: 2400,
      currency: 'usd',
    });
    await expect(
      new WooCommerceOrders().read({ baseUrl, login: { ...login, password: 'x' }, ...window, signal }),
    ).rejects.toThrow(/answered 401/);
  });
});
