// http → https of a production store, on a real Traefik (the real node's binary, with the Kubernetes
// CRD provider on as in k3s) reading the chart's Middleware and Ingresses from the test cluster: http
// answers every host with a permanent redirect to the https URL, https serves the store's routes, and
// an ACME HTTP-01 challenge (cert-manager's solver Ingress) still answers over http. The store's
// Services are ExternalName Services naming a server of this test, so no pod is needed.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCluster } from '../../../apps/orchestrator/test/support/kube.ts';
import { chartOnCluster } from '../../test-support/cluster.ts';
import type { Manifest } from '../../test-support/helm-chart.ts';
import { redirectObjects } from '../../test-support/ingress-redirect-suite.ts';
import {
  installTraefikCrds,
  type RunningTraefik,
  startTraefik,
  TRAEFIK_CONTROLLER,
  traefikBinary,
} from '../../test-support/traefik.ts';
import { CHART, orchestratorValues, RELEASE, render, VALUES_PROD } from './support/chart.ts';

const binary = await traefikBinary();
const cluster = chartOnCluster(CHART, 'medusa-redirect');
const HOST = 'cube-shop.stores.example.com';
const DOMAIN = 'shop.example.com';
const TOKEN = 'k3x9-challenge-token';
const ingressClass = `redirect-test-${Date.now().toString(36)}`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request to Traefik on loopback for `host` (SNI too, over https; Traefik's default certificate). */
function ask(scheme: 'http' | 'https', port: number, host: string, path: string, method = 'GET') {
  const send = scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = send(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: { host: `${host}:${port}` },
        agent: false,
        ...(scheme === 'https' ? { servername: host, rejectUnauthorized: false } : {}),
      },
      (res) => {
        res.setEncoding('utf8');
        res
          .toArray()
          .then(
            (parts) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parts.join('') }),
            reject,
          );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let traefik: RunningTraefik;
const backends: Server[] = [];
let namespace: string;

describe.runIf(binary)('http → https of a production store on Traefik with its CRD provider', () => {
  beforeAll(async () => {
    const admin = cluster.admin();
    await installTraefikCrds(admin);
    namespace = await cluster.newNamespace('t');
    const networking = admin.makeApiClient(NetworkingV1Api);
    await networking.createIngressClass({
      body: { metadata: { name: ingressClass }, spec: { controller: TRAEFIK_CONTROLLER } },
    });
    traefik = await startTraefik({
      binary: binary!,
      kubeconfig: testCluster().adminKubeconfig,
      namespace,
      ingressClass,
    });
    const base = orchestratorValues('cube-shop', { baseDomain: 'stores.example.com' });
    const objects = render({
      namespace,
      files: [VALUES_PROD],
      values: {
        ...base,
        ingress: {
          ...(base.ingress as object),
          className: ingressClass,
          domains: [DOMAIN],
          httpsRedirect: { enabled: true, port: traefik.httpsPort },
        },
      },
    });
    const { middleware, http, routes } = redirectObjects(objects);
    const core = admin.makeApiClient(CoreV1Api);
    // The store's pods, as far as routing goes: one server per Service, each answering with its name.
    const service = async (name: string) => {
      const backend = createServer((req, res) => res.end(`${name} ${req.url}`));
      backends.push(backend);
      await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
      const port = (backend.address() as AddressInfo).port;
      await core.createNamespacedService({
        namespace,
        body: {
          metadata: { name },
          spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'http', port }] },
        },
      });
    };
    for (const name of [`${RELEASE}-app`, `${RELEASE}-storefront`, 'cm-acme-http-solver'])
      await service(name);
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'traefik.io',
      version: 'v1alpha1',
      namespace,
      plural: 'middlewares',
      body: middleware!,
    });
    // What cert-manager's HTTP-01 solver adds for a challenge: an Ingress of its own, no annotations.
    const solver: Manifest = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'cm-acme-http-solver' },
      spec: {
        ingressClassName: ingressClass,
        rules: [
          {
            host: DOMAIN,
            http: {
              paths: [
                {
                  path: `/.well-known/acme-challenge/${TOKEN}`,
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: 'cm-acme-http-solver', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    };
    for (const ingress of [...routes, http!, solver])
      await networking.createNamespacedIngress({ namespace, body: ingress });
    const deadline = Date.now() + 30_000;
    while ((await ask('http', traefik.httpPort, HOST, '/')).status !== 301) {
      if (Date.now() > deadline) throw new Error(`Traefik never redirected: ${traefik.log().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 120_000);

  afterAll(async () => {
    await traefik?.stop();
    for (const backend of backends) backend.close();
    await cluster
      .admin()
      .makeApiClient(NetworkingV1Api)
      .deleteIngressClass({ name: ingressClass })
      .catch(() => {});
  });

  it('answers http on every host with a permanent redirect to the same URL over https', async () => {
    for (const host of [HOST, DOMAIN]) {
      const get = await ask('http', traefik.httpPort, host, '/products/shirt?size=m');
      expect(get.status).toBe(301);
      expect(get.headers.location).toBe(`https://${host}:${traefik.httpsPort}/products/shirt?size=m`);
      // Not a GET: 308, so that the method and body survive.
      const post = await ask('http', traefik.httpPort, host, '/store/carts', 'POST');
      expect(post.status).toBe(308);
      expect(post.headers.location).toBe(`https://${host}:${traefik.httpsPort}/store/carts`);
    }
  });

  it("serves the store's routes over https, without redirecting again", async () => {
    const storefront = await ask('https', traefik.httpsPort, DOMAIN, '/products/shirt');
    expect(storefront.status).toBe(200);
    expect(storefront.body).toBe(`${RELEASE}-storefront /products/shirt`);
    const api = await ask('https', traefik.httpsPort, HOST, '/store/products');
    expect(api.status).toBe(200);
    expect(api.body).toBe(`${RELEASE}-app /store/products`);
  });

  it('keeps answering the ACME HTTP-01 challenge over http', async () => {
    const challenge = await ask('http', traefik.httpPort, DOMAIN, `/.well-known/acme-challenge/${TOKEN}`);
    expect(challenge.status).toBe(200);
    expect(challenge.body).toBe(`cm-acme-http-solver /.well-known/acme-challenge/${TOKEN}`);
  });

  it("is judged by Traefik's CRD schema: a Middleware that is not one is refused", async () => {
    await expect(
      cluster
        .admin()
        .makeApiClient(CustomObjectsApi)
        .createNamespacedCustomObject({
          group: 'traefik.io',
          version: 'v1alpha1',
          namespace,
          plural: 'middlewares',
          body: {
            apiVersion: 'traefik.io/v1alpha1',
            kind: 'Middleware',
            metadata: { name: 'broken' },
            spec: { redirectScheme: { scheme: 'https', permanent: 'yes' } },
          },
          dryRun: 'All',
        }),
    ).rejects.toThrow(/permanent/);
  });
});
