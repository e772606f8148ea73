// Custom domains through the API, with a real DNS (challtestsrv, whose records the test sets as a
// merchant would) and real TLS handshakes against a stand-in ingress that serves its self-signed
// default certificate until the test "issues" one for a host from its own CA. The release is the
// in-memory cluster's; the real node proves the same with Traefik and Pebble (test/cluster/domains.test.ts).
import type { ActivityEntry } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform.ts';
import { startTestDns, type TestDns } from '../support/challtestsrv.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, startTestPlatform, waitFor } from '../support/harness.ts';
import { MemoryCluster } from '../support/memory-cluster.ts';
import { StandInIngress } from '../support/stand-in-ingress.ts';

describe('custom domains', () => {
  let test: TestDatabase;
  let platform: Platform;
  let cluster: MemoryCluster;
  let dns: TestDns;
  let stopDns: () => Promise<void>;
  const ingress = new StandInIngress();
  let merchant: Record<string, string>;
  let other: Record<string, string>;
  let storeId: string;
  let otherStoreId: string;

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers = merchant, payload?: object) =>
    platform.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const domainOf = async (id: string, domainId: string) =>
    (await call('GET', `/api/stores/${id}/domains/${domainId}`)).json();
  const inState = (domainId: string, state: string, id = storeId) =>
    waitFor(
      async () => {
        const domain = await domainOf(id, domainId);
        return domain.state === state ? domain : undefined;
      },
      `domain ${domainId} to be ${state}`,
      20_000,
    );
  /** The hosts of each revision of the store's release, oldest first. */
  const deployedHosts = () =>
    (cluster.releases.revisions.get('store-harbour-goods') ?? []).map(
      (revision) => revision.values.domains?.hosts ?? [],
    );

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    cluster = new MemoryCluster();
    ({ dns, stop: stopDns } = await startTestDns());
    await ingress.start();
    platform = await startTestPlatform(test.database, cluster, {
      STORE_BASE_DOMAIN: 'stores.test',
      STORE_TLS: 'ingress',
      DOMAIN_DNS_SERVERS: dns.server,
      DOMAIN_TLS_PROBE_ADDRESS: `127.0.0.1:${ingress.port}`,
      DOMAIN_CHECK_INTERVAL: '200ms',
      DOMAIN_ISSUE_TIMEOUT: '2s',
      CERTIFICATE_CHECK_INTERVAL: '200ms',
    });
    merchant = (await signedIn(platform, 'shop@example.com')).headers;
    other = (await signedIn(platform, 'rival@example.com')).headers;
    const create = async (name: string, headers: Record<string, string>) => {
      const store = (await call('POST', '/api/stores', headers, { name, engine: 'woocommerce' })).json();
      await waitFor(async () => (await platform.queries.get(store.id)).state === 'Ready', `${name} Ready`);
      return store.id as string;
    };
    storeId = await create('Harbour Goods', merchant);
    otherStoreId = await create('Rival Goods', other);
  });
  afterAll(async () => {
    await platform?.stop();
    await test?.close();
    await stopDns?.();
    await ingress.stop();
  });

  it('refuses hostnames that cannot be a store domain, with the reason', async () => {
    const refused: [string, string, RegExp][] = [
      // What the schema's pattern says (no wildcard, a dot): 400 INVALID_INPUT.
      ['*.example.test', 'INVALID_INPUT', /domain name such as shop.example.com/],
      ['example', 'INVALID_INPUT', /domain name such as shop.example.com/],
      // The rest, checked after the schema: 400 DOMAIN_INVALID, in words.
      ['192.0.2.1', 'DOMAIN_INVALID', /IP address/],
      ['acme.stores.test', 'DOMAIN_INVALID', /belongs to the platform/],
      [`${'a'.repeat(64)}.example.test`, 'DOMAIN_INVALID', /1 to 63 letters/],
    ];
    for (const [hostname, code, message] of refused) {
      const response = await call('POST', `/api/stores/${storeId}/domains`, merchant, { hostname });
      expect(response.statusCode, hostname).toBe(400);
      expect(response.json().error.code, hostname).toBe(code);
      expect(JSON.stringify(response.json().error), hostname).toMatch(message);
    }
  });

  let shopId: string;
  it('answers the records to create, and a second store claiming the host gets 409', async () => {
    const response = await call('POST', `/api/stores/${storeId}/domains`, merchant, {
      hostname: 'Shop.Example.test',
    });
    expect(response.statusCode).toBe(201);
    const domain = response.json();
    shopId = domain.id;
    expect(domain).toMatchObject({ hostname: 'shop.example.test', state: 'PendingDns', primary: false });
    expect(domain.records).toEqual([
      { type: 'CNAME', name: 'shop.example.test', value: 'harbour-goods.stores.test', purpose: 'routing' },
      expect.objectContaining({ type: 'TXT', name: '_storefleet.shop.example.test', purpose: 'ownership' }),
    ]);
    const rival = await call('POST', `/api/stores/${otherStoreId}/domains`, other, {
      hostname: 'shop.example.test',
    });
    expect(rival.statusCode).toBe(409);
    expect(rival.json().error.code).toBe('DOMAIN_TAKEN');
    // Another merchant cannot see the domain either.
    expect((await call('GET', `/api/stores/${storeId}/domains/${shopId}`, other)).statusCode).toBe(404);
  });

  let wrongId: string;
  it('keeps a domain with wrong records PendingDns and off the release, saying what is wrong', async () => {
    const domain = (
      await call('POST', `/api/stores/${storeId}/domains`, merchant, { hostname: 'wrong.example.test' })
    ).json();
    wrongId = domain.id;
    await dns.cname('wrong.example.test', 'harbour-goods.stores.test');
    await dns.txt('_storefleet.wrong.example.test', 'storefleet-verification=not-the-token');
    const checked = await waitFor(async () => {
      const current = await domainOf(storeId, wrongId);
      return /is not "storefleet-verification=/.test(current.message) ? current : undefined;
    }, 'the wrong records to be judged');
    expect(checked).toMatchObject({ state: 'PendingDns', reason: 'DnsRecordsWrong' });
    expect(checked.message).toMatch(/is not "storefleet-verification=/);
  });

  let addedAt: number;
  it('goes PendingDns → Verified → Issuing → Active once the records are right and the certificate served', async () => {
    addedAt = Date.now();
    await dns.create((await domainOf(storeId, shopId)).records);
    await inState(shopId, 'Issuing');
    expect(deployedHosts().at(-1)).toEqual(['shop.example.test']);
    // The ingress still serves its default certificate: no Active before the certificate is there.
    expect((await domainOf(storeId, shopId)).state).toBe('Issuing');
    ingress.issue('shop.example.test');
    const active = await inState(shopId, 'Active');
    expect(active.certificate).toMatchObject({ ready: true, issuer: 'Test ACME Root' });
    expect(active.conditions).toEqual([
      expect.objectContaining({ type: 'CertificateReady', status: 'True', reason: 'CertificateServed' }),
    ]);
    expect(active.activeAt).not.toBeNull();
    expect(Date.now() - addedAt).toBeLessThan(20_000);
    const activity = (await call('GET', `/api/stores/${storeId}/activity`)).json();
    const types = JSON.stringify(activity);
    for (const type of ['domain.added', 'domain.verified', 'domain.issuing', 'domain.active'])
      expect(types).toContain(type);
    // The wrong one never reached the release.
    expect(deployedHosts().flat()).not.toContain('wrong.example.test');
  });

  it('makes an Active domain primary: the store URLs and the release follow', async () => {
    expect((await call('POST', `/api/stores/${storeId}/domains/${wrongId}/primary`)).json().error.code).toBe(
      'DOMAIN_NOT_ACTIVE',
    );
    const response = await call('POST', `/api/stores/${storeId}/domains/${shopId}/primary`);
    expect(response.statusCode).toBe(200);
    expect(response.json().primary).toBe(true);
    const store = await waitFor(async () => {
      const current = (await call('GET', `/api/stores/${storeId}`)).json();
      return current.urls.storefront === 'https://shop.example.test' && current.state === 'Ready'
        ? current
        : undefined;
    }, 'the store URL to follow the primary domain');
    expect(store.values.domains).toEqual({ hosts: ['shop.example.test'], primary: 'shop.example.test' });
  });

  it('fails a domain whose certificate never comes, with the reason, and takes its host off', async () => {
    const domain = (
      await call('POST', `/api/stores/${storeId}/domains`, merchant, { hostname: 'broken.example.test' })
    ).json();
    await dns.create(domain.records);
    await inState(domain.id, 'Issuing');
    const failed = await inState(domain.id, 'Failed');
    expect(failed.reason).toBe('CertificateNotIssued');
    expect(failed.message).toMatch(/default certificate/);
    expect(failed.conditions[0]).toMatchObject({
      type: 'CertificateReady',
      status: 'False',
      reason: 'DefaultCertificate',
    });
    await waitFor(
      async () => !(deployedHosts().at(-1) ?? []).includes('broken.example.test'),
      'the failed host to leave the release',
    );
  });

  it('flags a certificate that expires within 14 days', async () => {
    const domain = (
      await call('POST', `/api/stores/${storeId}/domains`, merchant, { hostname: 'soon.example.test' })
    ).json();
    await dns.create(domain.records);
    ingress.issue('soon.example.test', 5);
    const active = await inState(domain.id, 'Active');
    expect(active).toMatchObject({ attention: true, attentionReason: 'CertificateExpiringSoon' });
    await waitFor(
      async () =>
        JSON.stringify((await call('GET', `/api/stores/${storeId}/activity`)).json()).includes(
          'certificate.attention',
        ),
      'the attention entry',
    );
  });

  it('tells a failed renewal of an Active domain apart: its own reason, activity entry and badge', async () => {
    const host = 'renewed.example.test';
    const domain = (
      await call('POST', `/api/stores/${storeId}/domains`, merchant, { hostname: host })
    ).json();
    await dns.create(domain.records);
    ingress.issue(host);
    expect((await inState(domain.id, 'Active')).attention).toBe(false);
    // Time passes and no renewal comes: the ingress still serves a certificate 65 days old, 25 days
    // from its end, five days after its issuer should have renewed it (not yet within 14 days).
    ingress.issue(host, 25, 65);
    const failing = await waitFor(async () => {
      const current = await domainOf(storeId, domain.id);
      return current.attentionReason === 'RenewalFailed' ? current : undefined;
    }, 'the failed renewal to be seen');
    expect(failing).toMatchObject({ state: 'Active', attention: true });
    expect(failing.conditions[0]).toMatchObject({ status: 'True', reason: 'RenewalFailed' });
    expect(failing.certificate.message).toMatch(/renewals are failing/);
    const entries = async () =>
      ((await call('GET', `/api/stores/${storeId}/activity`)).json().items as ActivityEntry[]).filter(
        (entry) => entry.type === 'certificate.attention' && entry.details.hostname === host,
      );
    const [entry] = await waitFor(
      async () => ((await entries()).length > 0 ? entries() : undefined),
      'entry',
    );
    expect(entry?.details.reason).toBe('RenewalFailed');
    expect(entry?.message).toMatch(/renewed\.example\.test needs attention: .*renewals are failing/);
    // The renewal finally succeeds: the attention goes, with no further entry.
    ingress.issue(host);
    await waitFor(async () => (await domainOf(storeId, domain.id)).attention === false, 'renewed');
    expect(await entries()).toHaveLength(1);
  });

  it('removes a domain: its host leaves the release, its certificate Secret goes, the name is free again', async () => {
    expect((await call('DELETE', `/api/stores/${storeId}/domains/${shopId}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/stores/${storeId}/domains/${shopId}`)).statusCode).toBe(404);
    await waitFor(
      async () => cluster.certificates.deleted.includes('store-harbour-goods/shop.example.test'),
      'the Secret to be deleted',
    );
    expect(deployedHosts().at(-1)).not.toContain('shop.example.test');
    const store = (await call('GET', `/api/stores/${storeId}`)).json();
    expect(store.urls.storefront).toBe('https://harbour-goods.stores.test');
    const again = await call('POST', `/api/stores/${otherStoreId}/domains`, other, {
      hostname: 'shop.example.test',
    });
    expect(again.statusCode).toBe(201);
  });
});
