// A store's custom domains, pure: which hostnames are acceptable, the DNS records their merchant
// creates, what the DNS must show before the domain counts as verified, and how a domain moves
// PendingDns → Verified → Issuing → Active | Failed from what the platform observed.
import { domainToASCII, domainToUnicode } from 'node:url';
import type { CertificateCheck, DnsRecord, DomainState } from '@storefleet/contracts';

/** The TXT record proving ownership lives at `_storefleet.<hostname>`. */
export const OWNERSHIP_LABEL = '_storefleet';
const TOKEN_PREFIX = 'storefleet-verification=';

export type HostnameCheck =
  | { ok: true; hostname: string; displayName: string }
  | { ok: false; message: string };

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The hostname a merchant typed, as the DNS knows it (IDNs in punycode, lower case, no trailing dot),
 * or why it cannot be a store's domain. `platformDomain`: the base domain of store hosts (no domain
 * under it may be claimed).
 */
export function checkHostname(input: string, platformDomain: string): HostnameCheck {
  const typed = input.trim().replace(/\.$/, '');
  if (typed === '') return { ok: false, message: 'Enter a domain such as shop.example.com.' };
  if (typed.includes('*'))
    return { ok: false, message: `${typed} is a wildcard: add each domain by its full name.` };
  if (/^\[?[0-9a-f:.]+\]?$/i.test(typed) && (typed.includes(':') || /^[0-9.]+$/.test(typed)))
    return { ok: false, message: `${typed} is an IP address: a store's domain must be a name.` };
  if (/[/\s@:?#]/.test(typed))
    return {
      ok: false,
      message: `${typed} is not a domain name: give only the name, without scheme, port or path.`,
    };
  const hostname = domainToASCII(typed.toLowerCase());
  if (hostname === '') return { ok: false, message: `${typed} is not a valid domain name.` };
  const labels = hostname.split('.');
  if (hostname.length > 253 || labels.some((label) => !LABEL.test(label)))
    return {
      ok: false,
      message: `${typed} is not a valid domain name: each part has 1 to 63 letters, digits or dashes.`,
    };
  if (labels.length < 2)
    return { ok: false, message: `${typed} is not a full domain name: it needs a dot, as in example.com.` };
  if (/^[0-9]+$/.test(labels.at(-1) ?? ''))
    return { ok: false, message: `${typed} is an IP address: a store's domain must be a name.` };
  const platform = platformDomain.toLowerCase();
  if (hostname === platform || hostname.endsWith(`.${platform}`) || labels.at(-1) === 'localhost')
    return {
      ok: false,
      message: `${typed} belongs to the platform: every store already answers at its own ${platform} address.`,
    };
  return { ok: true, hostname, displayName: domainToUnicode(hostname) };
}

/** An apex (example.com) cannot hold a CNAME: it gets an A record to the ingress instead. */
export function isApex(hostname: string): boolean {
  return hostname.split('.').length === 2;
}

export interface RecordTargets {
  /** The store's own host, which a CNAME points at. */
  storeHost: string;
  /** The ingress's public address, which an A record points at (unset: not configured). */
  ingressAddress: string | undefined;
}

export function expectedRecords(hostname: string, token: string, targets: RecordTargets): DnsRecord[] {
  const routing: DnsRecord =
    isApex(hostname) && targets.ingressAddress
      ? { type: 'A', name: hostname, value: targets.ingressAddress, purpose: 'routing' }
      : { type: 'CNAME', name: hostname, value: targets.storeHost, purpose: 'routing' };
  return [
    routing,
    {
      type: 'TXT',
      name: `${OWNERSHIP_LABEL}.${hostname}`,
      value: `${TOKEN_PREFIX}${token}`,
      purpose: 'ownership',
    },
  ];
}

/** What the DNS answered for a domain (lookups that failed are empty, with the error code kept). */
export interface DnsObservation {
  txt: string[];
  cname: string[];
  addresses: string[];
  /** A lookup that failed for a reason other than "no such record" (SERVFAIL, timeout). */
  error?: string;
}

export type DnsVerdict = { ok: true } | { ok: false; reason: string; message: string };

const bare = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** Verified when the ownership TXT is there and the name routes to the store (CNAME or A to the ingress). */
export function judgeDns(
  hostname: string,
  token: string,
  targets: RecordTargets,
  seen: DnsObservation,
): DnsVerdict {
  if (seen.error)
    return {
      ok: false,
      reason: 'DnsLookupFailed',
      message: `The DNS lookup of ${hostname} failed (${seen.error}); it is tried again.`,
    };
  const problems: string[] = [];
  const wanted = `${TOKEN_PREFIX}${token}`;
  if (!seen.txt.includes(wanted)) {
    problems.push(
      seen.txt.length === 0
        ? `no TXT record at ${OWNERSHIP_LABEL}.${hostname}`
        : `the TXT record at ${OWNERSHIP_LABEL}.${hostname} is not "${wanted}" (found ${seen.txt.map((t) => `"${t}"`).join(', ')})`,
    );
  }
  const cnameOk = seen.cname.some((target) => bare(target) === bare(targets.storeHost));
  const aOk = targets.ingressAddress !== undefined && seen.addresses.includes(targets.ingressAddress);
  if (!cnameOk && !aOk) {
    const found =
      seen.cname.length > 0
        ? `its CNAME points at ${seen.cname.join(', ')}`
        : seen.addresses.length > 0
          ? `it resolves to ${seen.addresses.join(', ')}`
          : 'it has no CNAME or A record';
    const want = targets.ingressAddress
      ? `a CNAME to ${targets.storeHost} or an A record to ${targets.ingressAddress}`
      : `a CNAME to ${targets.storeHost}`;
    problems.push(`${hostname} needs ${want}, but ${found}`);
  }
  if (problems.length === 0) return { ok: true };
  const missing = seen.txt.length === 0 && seen.cname.length === 0 && seen.addresses.length === 0;
  return {
    ok: false,
    reason: missing ? 'DnsRecordsMissing' : 'DnsRecordsWrong',
    message: `${capitalize(problems.join('; '))}. No certificate is requested until the records are right.`,
  };
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export interface DomainFacts {
  state: DomainState;
  issuingSince: Date | null;
}

export type DomainTransition = { state: DomainState; reason: string; message: string } | undefined;

/** Issuing → Active once the ingress serves a certificate for the host; Failed after `timeoutMs` without. */
export function judgeIssuing(
  domain: DomainFacts,
  hostname: string,
  check: CertificateCheck,
  now: Date,
  timeoutMs: number,
): DomainTransition {
  if (domain.state !== 'Issuing') return undefined;
  if (check.ready)
    return {
      state: 'Active',
      reason: 'CertificateIssued',
      message: `${hostname} is served with a certificate from ${check.issuer ?? 'its issuer'}${check.notAfter ? `, valid until ${check.notAfter.slice(0, 10)}` : ''}.`,
    };
  const since = domain.issuingSince;
  if (!since || now.getTime() - since.getTime() < timeoutMs) return undefined;
  return {
    state: 'Failed',
    reason: 'CertificateNotIssued',
    message: `No certificate for ${hostname} after ${Math.round(timeoutMs / 1000)} s: ${check.message} The ACME server could not validate the domain: check that ${hostname} reaches this platform's ingress (its CNAME or A record, and ports 80 and 443 open), then verify it again.`,
  };
}
