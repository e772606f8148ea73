// HTTPS and a custom domain on the real node, end to end: a Medusa store served over https by the
// node's Traefik with a certificate from Pebble (a real ACME server, TLS-ALPN-01 against Traefik), the
// domain shop.example.test (records served by challtestsrv's DNS) going PendingDns → Verified → Active,
// Chromium (trusting Pebble's root) ordering at https://shop.example.test:<port> and signing in to the
// store's Medusa admin there, and over plain http. Also: wrong records never reach Pebble (its log is
// the count), a second store claiming the host gets 409, a challenge that fails shows its reason, and
// removing the domain takes its host off the Ingress. The dashboard shows the failed challenge's reason
// in Chromium.
import { readFileSync } from 'node:fs';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { Store } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIST, ensureDashboardBuilt } from '../../../../scripts/build-dashboard.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import type { Platform } from '../../src/platform.ts';
import { type Browser, launchBrowser } from '../support/browser.ts';
import { TestDns } from '../support/challtestsrv.ts';
import { startClusterPlatform } from '../support/cluster-platform.ts';
import { domainOnStorePage, openStorePage } from '../support/dashboard-page.ts';
import { signedIn, testConfig, waitFor, waitForState } from '../support/harness.ts';
import { adminSeesOrder, pebbleRoot, servedCertificate } from '../support/https-node.ts';
import { adminConfig, testCluster } from '../support/kube.ts';
import { realNode, realNodeEnvironment } from '../support/real-node.ts';
import { checkout } from '../support/storefront-checkout.ts';

const cluster = testCluster();
const node = realNode(cluster);
const networking = adminConfig(cluster).makeApiClient(NetworkingV1Api);
const core = adminConfig(cluster).makeApiClient(CoreV1Api);
const READY_TIMEOUT_MS = 12 * 60_000;
const suffix = Date.now().toString(36).slice(-5);
const SHOP = 'shop.example.test';
const WRONG = `wrong-${suffix}.example.test`;
const BROKEN = `broken-${suffix}.example.test`;
const MERCHANT = `merchant-${suffix}@example.com`;

let database: Database;
let platform: Platform;
let auth: Record<string, string>;
let browser: Browser | undefined;
let store: Store;
let root: string;
let dns: TestDns;
let dashboardUrl: string;
const figures: Record<string, number> = {};

const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers = auth) => {
  const payload = body === undefined ? {} : { payload: body as object };
  const response = await platform.app.inject({ method, url, headers, ...payload });
  return {
    status: response.statusCode,
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    body: (response.body ? response.json() : {}) as Record<string, any>,
  };
};
const tlsPort = () => node?.ingressTlsPort ?? 0;
const pebbleLog = () => readFileSync(node?.acme?.logFile ?? '/dev/null', 'utf8');
const domain = async (id: string) => (await api('GET', `/api/stores/${store.id}/domains/${id}`)).body;
const inState = (id: string, state: string, timeoutMs = 180_000) =>
  waitFor(
    async () => ((await domain(id)).state === state ? domain(id) : undefined),
    `domain ${id} ${state}`,
    timeoutMs,
    500,
  );

const served = (host: string) => servedCertificate(tlsPort(), host, root);

describe.runIf(node)(
  'HTTPS and custom domains on the real node',
  { timeout: READY_TIMEOUT_MS + 10 * 60_000 },
  () => {
    beforeAll(async () => {
      if (!node?.acme || !node.ingressTlsPort)
        throw new Error(
          `the real node has no ACME server (${node?.acmeUnavailable ?? 'it was started by code from before Pebble was added'}): ` +
            '`npm run cluster:up` adds it to the running node (a test run does too, through its cluster set-up)',
        );
      // Pebble's root is new at every start.
      root = await pebbleRoot(node.acme);
      await ensureDashboardBuilt();
      dns = new TestDns(node.acme.dnsManagementUrl, node.acme.dnsServer);
      const config = testConfig({
        ...(await realNodeEnvironment(cluster, node, READY_TIMEOUT_MS)),
        STORE_TLS: 'ingress',
        STORE_URL_TLS_PORT: String(node.ingressTlsPort),
        DOMAIN_DNS_SERVERS: node.acme.dnsServer,
        DOMAIN_TLS_PROBE_ADDRESS: `127.0.0.1:${node.ingressTlsPort}`,
        DOMAIN_CHECK_INTERVAL: '1s',
        DOMAIN_ISSUE_TIMEOUT: '40s',
        CERTIFICATE_CHECK_INTERVAL: '5s',
        DASHBOARD_DIR: DASHBOARD_DIST,
      });
      database = await openDatabase({ inMemory: true });
      platform = await startClusterPlatform(config, database);
      dashboardUrl = await platform.app.listen({ port: 0, host: '127.0.0.1' });
      auth = (await signedIn(platform, MERCHANT)).headers;
      for (const host of [SHOP, WRONG, BROKEN]) await dns.clear(host).catch(() => {});
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      if (store && platform) {
        await platform.commands.delete(store.id).catch(() => undefined);
        await waitForState(database, store.id, 'Deleted', 240_000).catch(() => undefined);
      }
      await platform?.stop();
      await database?.close();
      for (const host of [SHOP, WRONG, BROKEN]) await dns?.clear(host).catch(() => {});
      console.info(`https and domains figures: ${JSON.stringify(figures)}`);
    }, 300_000);

    it('serves a Medusa store at https://<slug>.localhost:<port> with a certificate issued by Pebble', async () => {
      const created = await api('POST', '/api/stores', { name: `Secure ${suffix}`, engine: 'medusa' });
      expect(created.status).toBe(202);
      store = Store.parse(created.body);
      await waitForState(database, store.id, 'Ready', READY_TIMEOUT_MS);
      store = Store.parse((await api('GET', `/api/stores/${store.id}`)).body);
      expect(store.urls.storefront).toBe(`https://${store.slug}.localhost:${tlsPort()}`);
      const certificate = await waitFor(
        async () => {
          const seen = await served(`${store.slug}.localhost`);
          return seen.authorized ? seen : undefined;
        },
        'the store host to be served with a Pebble certificate',
        120_000,
        1000,
      );
      expect(certificate.issuer).toMatch(/Pebble/);
    });

    let wrongId: string;
    it('keeps a domain with wrong records PendingDns, and it never reaches the ACME server', async () => {
      const added = await api('POST', `/api/stores/${store.id}/domains`, { hostname: WRONG });
      expect(added.status).toBe(201);
      wrongId = added.body.id;
      await dns.cname(WRONG, `${store.slug}.localhost`);
      await dns.txt(`_storefleet.${WRONG}`, 'storefleet-verification=someone-elses-token');
      const judged = await waitFor(
        async () => {
          const current = await domain(wrongId);
          return /is not "storefleet-verification=/.test(current.message) ? current : undefined;
        },
        'the wrong TXT record to be judged',
        30_000,
        500,
      );
      expect(judged).toMatchObject({ state: 'PendingDns', reason: 'DnsRecordsWrong' });
    });

    let shopId: string;
    it(`takes ${SHOP} PendingDns → Verified → Active once challtestsrv serves its records`, async () => {
      const validations = () => pebbleLog().split(`Value:"${SHOP}"`).length - 1;
      const validationsBefore = validations();
      const started = Date.now();
      const added = await api('POST', `/api/stores/${store.id}/domains`, { hostname: SHOP });
      expect(added.status).toBe(201);
      shopId = added.body.id;
      expect(added.body.state).toBe('PendingDns');
      await dns.create(added.body.records);
      const seen = new Set<string>();
      const active = await waitFor(
        async () => {
          const current = await domain(shopId);
          seen.add(current.state);
          return current.state === 'Active' || current.state === 'Failed' ? current : undefined;
        },
        `${SHOP} to be Active`,
        180_000,
        250,
      );
      expect(active.state, active.message).toBe('Active');
      figures.addedToActiveSeconds = Math.round((Date.now() - started) / 100) / 10;
      // 0 when Traefik still held a certificate for the host from an earlier run on this node.
      figures.pebbleValidationsDuringTheTest = validations() - validationsBefore;
      expect([...seen]).toEqual(expect.arrayContaining(['Active']));
      expect(active.certificate).toMatchObject({ ready: true, issuer: expect.stringMatching(/Pebble/) });
      expect((await served(SHOP)).authorized).toBe(true);
      // Pebble validated the good domain and never heard of the wrong one.
      expect(pebbleLog()).toContain(SHOP);
      expect(pebbleLog()).not.toContain(WRONG);
      expect((await domain(wrongId)).state).toBe('PendingDns');
    });

    it('refuses the host to a second store with 409', async () => {
      const rival = await signedIn(platform, `rival-${suffix}@example.com`);
      const other = await api(
        'POST',
        '/api/stores',
        { name: `Rival ${suffix}`, engine: 'medusa' },
        rival.headers,
      );
      expect(other.status).toBe(202);
      const claimed = await api(
        'POST',
        `/api/stores/${other.body.id}/domains`,
        { hostname: SHOP },
        rival.headers,
      );
      expect(claimed.status).toBe(409);
      expect(claimed.body.error).toMatchObject({ code: 'DOMAIN_TAKEN' });
      // Deleted at once (delete wins over provisioning), so that it costs the node next to nothing.
      expect((await api('DELETE', `/api/stores/${other.body.id}`, undefined, rival.headers)).status).toBe(
        202,
      );
      await waitForState(database, other.body.id, 'Deleted', 240_000);
    });

    it(`orders in Chromium at https://${SHOP}:<port>, then signs in to the store's Medusa admin and sees the order`, async () => {
      browser = await launchBrowser(
        { width: 1280, height: 900 },
        { trustedRoots: [root], args: [`--host-resolver-rules=MAP ${SHOP} 127.0.0.1`] },
      );
      const { page } = browser;
      const base = `https://${SHOP}:${tlsPort()}`;
      const { orderNumber } = await checkout(page, base, `shopper-${suffix}@example.com`);
      expect(orderNumber).toMatch(/^\d+$/);

      const { email, password } = (await api('POST', `/api/stores/${store.id}/credentials`, {})).body as {
        email: string;
        password: string;
      };
      for (const admin of [`${base}/app`, `http://${store.slug}.localhost:${node?.ingressPort}/app`]) {
        const tab = await browser.context.newPage();
        await adminSeesOrder(tab, admin, { email, password }, orderNumber);
        await browser.context.clearCookies();
        await tab.close();
      }
    });

    it('fails a domain whose ACME challenge fails, with the reason in words on the store page in Chromium', async () => {
      const added = await api('POST', `/api/stores/${store.id}/domains`, { hostname: BROKEN });
      await dns.create(added.body.records);
      // Its records were right when the platform checked them; then its DNS breaks, so Pebble cannot
      // resolve the name it validates.
      await waitFor(
        async () => ['Verified', 'Issuing'].includes((await domain(added.body.id)).state),
        `${BROKEN} verified`,
        60_000,
        200,
      );
      await dns.servfail(BROKEN);
      const failed = await inState(added.body.id, 'Failed', 240_000);
      expect(failed.reason).toBe('CertificateNotIssued');
      expect(failed.message).toMatch(/default certificate/);
      expect(failed.message).toMatch(/reaches this platform's ingress/);
      expect(pebbleLog()).toContain(BROKEN);
      // The merchant sees that reason on the store page, in Chromium.
      browser ??= await launchBrowser({ width: 1280, height: 900 }, { trustedRoots: [root] });
      await openStorePage(browser.page, dashboardUrl, MERCHANT, store.id);
      const shown = await domainOnStorePage(browser.page, BROKEN);
      expect(shown).toMatchObject({
        state: 'Failed',
        reason: 'CertificateNotIssued',
        message: failed.message,
      });
      expect(shown.text).toContain('Failed');
    });

    it('removes the domain: its host leaves the Ingress, its certificate Secret goes, the store is back on its own host', async () => {
      // What cert-manager would have made of the host's tls entry (Traefik's resolver keeps its own).
      const secret = `tls-${SHOP}`;
      await core.createNamespacedSecret({
        namespace: store.namespace,
        body: { metadata: { name: secret }, type: 'Opaque', stringData: { 'tls.crt': 'x', 'tls.key': 'y' } },
      });
      expect((await api('DELETE', `/api/stores/${store.id}/domains/${shopId}`)).status).toBe(204);
      await waitFor(
        async () => {
          const ingresses = await networking.listNamespacedIngress({ namespace: store.namespace });
          const hosts = ingresses.items.flatMap((i) => i.spec?.rules?.map((r) => r.host) ?? []);
          return !hosts.includes(SHOP) && hosts.includes(`${store.slug}.localhost`);
        },
        `${SHOP} to leave the Ingress`,
        180_000,
        1000,
      );
      const activity = async () =>
        JSON.stringify((await api('GET', `/api/stores/${store.id}/activity`)).body);
      await waitFor(
        async () => (await activity()).includes('domain.deleted'),
        'the domain to be deleted',
        60_000,
        500,
      );
      expect(await activity()).toContain('domain.active');
      const secrets = await core.listNamespacedSecret({ namespace: store.namespace });
      expect(secrets.items.map((item) => item.metadata?.name)).not.toContain(secret);
      expect(Store.parse((await api('GET', `/api/stores/${store.id}`)).body).urls.storefront).toBe(
        `https://${store.slug}.localhost:${tlsPort()}`,
      );
    });
  },
);
