// The custom-domain rules, row by row: which hostnames are refused and why, the records a merchant
// creates, what the DNS must show, and how Issuing ends.
import type { CertificateCheck } from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import { checkHostname, expectedRecords, judgeDns, judgeIssuing } from '../../src/domain/custom-domains.ts';

describe('hostnames', () => {
  const accepted: [string, string, string][] = [
    ['shop.example.com', 'shop.example.com', 'shop.example.com'],
    ['  Shop.Example.COM. ', 'shop.example.com', 'shop.example.com'],
    ['bücher.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['example.test', 'example.test', 'example.test'],
  ];
  it.each(accepted)('accepts %j as %s', (input, hostname, displayName) => {
    expect(checkHostname(input, 'stores.example.net')).toEqual({ ok: true, hostname, displayName });
  });

  const refused: [string, RegExp][] = [
    ['', /Enter a domain/],
    ['*.example.com', /wildcard/],
    ['192.0.2.10', /IP address/],
    ['[2001:db8::1]', /IP address/],
    ['2001:db8::1', /IP address/],
    ['1.2.3.4.5', /IP address/],
    ['https://shop.example.com/', /without scheme/],
    ['shop.example.com:8443', /without scheme/],
    ['localhost', /full domain name|platform/],
    ['example', /full domain name/],
    ['shop..example.com', /not a valid domain name/],
    ['-shop.example.com', /not a valid domain name/],
    [`${'a'.repeat(64)}.example.com`, /not a valid domain name/],
    ['acme.stores.example.net', /belongs to the platform/],
    ['stores.example.net', /belongs to the platform/],
    ['shop.localhost', /belongs to the platform/],
  ];
  it.each(refused)('refuses %j', (input, message) => {
    const result = checkHostname(input, 'stores.example.net');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

const targets = { storeHost: 'acme.stores.example.net', ingressAddress: '203.0.113.10' };

describe('records to create', () => {
  it('a CNAME to the store host for a subdomain, and the ownership TXT', () => {
    expect(expectedRecords('shop.example.com', 'abc', targets)).toEqual([
      { type: 'CNAME', name: 'shop.example.com', value: 'acme.stores.example.net', purpose: 'routing' },
      {
        type: 'TXT',
        name: '_storefleet.shop.example.com',
        value: 'storefleet-verification=abc',
        purpose: 'ownership',
      },
    ]);
  });

  it('an A record to the ingress for an apex (a CNAME cannot sit there)', () => {
    expect(expectedRecords('example.com', 'abc', targets)[0]).toEqual({
      type: 'A',
      name: 'example.com',
      value: '203.0.113.10',
      purpose: 'routing',
    });
    // Without a configured ingress address the apex is told to CNAME (ALIAS) to the store host.
    expect(expectedRecords('example.com', 'abc', { ...targets, ingressAddress: undefined })[0]?.type).toBe(
      'CNAME',
    );
  });
});

describe('the DNS verdict', () => {
  const token = 'abc';
  const txt = ['storefleet-verification=abc'];
  const cases: [string, Parameters<typeof judgeDns>[3], string | true][] = [
    ['CNAME and TXT right', { txt, cname: ['acme.stores.example.net.'], addresses: [] }, true],
    ['A to the ingress and TXT right', { txt, cname: [], addresses: ['203.0.113.10'] }, true],
    ['nothing there', { txt: [], cname: [], addresses: [] }, 'DnsRecordsMissing'],
    [
      'TXT with another token',
      { txt: ['storefleet-verification=zzz'], cname: ['acme.stores.example.net'], addresses: [] },
      'DnsRecordsWrong',
    ],
    ['CNAME elsewhere', { txt, cname: ['other.example.org'], addresses: [] }, 'DnsRecordsWrong'],
    ['A elsewhere', { txt, cname: [], addresses: ['198.51.100.7'] }, 'DnsRecordsWrong'],
    ['a failing resolver', { txt: [], cname: [], addresses: [], error: 'ETIMEOUT' }, 'DnsLookupFailed'],
  ];
  it.each(cases)('%s', (_, seen, expected) => {
    const verdict = judgeDns('shop.example.com', token, targets, seen);
    if (expected === true) expect(verdict).toEqual({ ok: true });
    else {
      expect(verdict).toMatchObject({ ok: false, reason: expected });
      if (!verdict.ok) expect(verdict.message.length).toBeGreaterThan(20);
    }
  });

  it('says what is wrong, in words', () => {
    const verdict = judgeDns('shop.example.com', token, targets, {
      txt: ['storefleet-verification=zzz'],
      cname: ['other.example.org'],
      addresses: [],
    });
    expect(verdict.ok || verdict.message).toMatch(
      /TXT record at _storefleet.shop.example.com is not "storefleet-verification=abc"/,
    );
    expect(verdict.ok || verdict.message).toMatch(/its CNAME points at other.example.org/);
    expect(verdict.ok || verdict.message).toMatch(/No certificate is requested/);
  });
});

describe('issuing', () => {
  const now = new Date('2026-12-07T10:00:00Z');
  const check = (ready: boolean, notAfter = '2027-03-07T10:00:00.000Z'): CertificateCheck => ({
    ready,
    reason: ready ? 'CertificateServed' : 'DefaultCertificate',
    message: ready ? 'served' : 'The ingress serves its default certificate for shop.example.com.',
    issuer: ready ? 'Pebble Intermediate CA' : 'TRAEFIK DEFAULT CERT',
    notAfter,
    checkedAt: now.toISOString(),
    lastTransitionTime: now.toISOString(),
  });
  const issuing = (secondsAgo: number | null) => ({
    state: 'Issuing' as const,
    issuingSince: secondsAgo === null ? null : new Date(now.getTime() - secondsAgo * 1000),
  });

  it('becomes Active once the ingress serves a certificate for the host', () => {
    expect(judgeIssuing(issuing(5), 'shop.example.com', check(true), now, 60_000)).toMatchObject({
      state: 'Active',
      reason: 'CertificateIssued',
      message: expect.stringContaining('Pebble Intermediate CA'),
    });
  });

  it('waits while the default certificate is served within the timeout, or while the clock is stopped', () => {
    expect(judgeIssuing(issuing(30), 'shop.example.com', check(false), now, 60_000)).toBeUndefined();
    expect(judgeIssuing(issuing(null), 'shop.example.com', check(false), now, 60_000)).toBeUndefined();
  });

  it('fails after the timeout with the reason and what to check', () => {
    const next = judgeIssuing(issuing(61), 'shop.example.com', check(false), now, 60_000);
    expect(next).toMatchObject({ state: 'Failed', reason: 'CertificateNotIssued' });
    expect(next?.message).toMatch(/default certificate/);
    expect(next?.message).toMatch(/reaches this platform's ingress/);
  });
});
