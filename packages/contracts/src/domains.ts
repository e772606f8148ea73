// A store's custom domains: the request that adds one, the DNS records its merchant creates, and the
// domain as the API shows it while the platform verifies its DNS, gets its certificate and keeps
// checking what the ingress serves for it.
import { z } from 'zod';

/**
 * PendingDns: waiting for the records; Verified: the records are right (no certificate asked for
 * before); Issuing: the host is on the store's Ingress and the ACME certificate is on its way; Active:
 * the ingress serves a certificate for the host; Failed: the reason says what went wrong.
 */
export const DOMAIN_STATES = ['PendingDns', 'Verified', 'Issuing', 'Active', 'Failed'] as const;
export const DomainState = z.enum(DOMAIN_STATES);
export type DomainState = z.infer<typeof DomainState>;

export const DnsRecord = z.object({
  type: z.enum(['CNAME', 'A', 'TXT']),
  /** The record's name, fully qualified. */
  name: z.string(),
  value: z.string(),
  purpose: z.enum(['routing', 'ownership']),
});
export type DnsRecord = z.infer<typeof DnsRecord>;

/** What a TLS handshake with the ingress (SNI = the host) showed. */
export const CertificateCheck = z.object({
  /** True when the ingress serves a certificate for the host that is not its own default one. */
  ready: z.boolean(),
  reason: z.string(),
  message: z.string(),
  issuer: z.string().nullable(),
  /** Start of the served certificate's validity (absent in checks from before it was recorded). */
  notBefore: z.iso.datetime().nullable().optional(),
  notAfter: z.iso.datetime().nullable(),
  checkedAt: z.iso.datetime(),
  /** When `ready` last changed (the first check: its own time). */
  lastTransitionTime: z.iso.datetime(),
});
export type CertificateCheck = z.infer<typeof CertificateCheck>;

/** Kubernetes-style: CertificateReady is True while the ingress serves the domain's own certificate. */
export const DomainCondition = z.object({
  type: z.literal('CertificateReady'),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.iso.datetime(),
});
export type DomainCondition = z.infer<typeof DomainCondition>;

export const Domain = z.object({
  id: z.uuid(),
  storeId: z.uuid(),
  /** The host as the DNS knows it (an IDN in punycode). */
  hostname: z.string(),
  /** The host as people write it (an IDN in Unicode); equal to hostname otherwise. */
  displayName: z.string(),
  state: DomainState,
  /** Why the domain is in its state, in one word (DnsRecordsMissing, CertificateIssued, …). */
  reason: z.string(),
  message: z.string(),
  primary: z.boolean(),
  records: z.array(DnsRecord),
  certificate: CertificateCheck.nullable(),
  conditions: z.array(DomainCondition),
  /** True when the certificate needs someone: it expires within 14 days, its renewals fail, or the ingress falls back to its default one. */
  attention: z.boolean(),
  /**
   * Why, in one word (null when it does not): CertificateExpiringSoon, RenewalFailed (still served
   * well after it was due for renewal), DefaultCertificate, CertificateExpired, IngressUnreachable.
   */
  attentionReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  verifiedAt: z.iso.datetime().nullable(),
  activeAt: z.iso.datetime().nullable(),
});
export type Domain = z.infer<typeof Domain>;

export const DomainList = z.object({ items: z.array(Domain) });
export type DomainList = z.infer<typeof DomainList>;

/**
 * What JSON Schema can say of a domain: no spaces, controls or URL punctuation, and a dot between two
 * parts. The rest (labels of 1 to 63 letters, digits or dashes once in punycode, no IP address, not
 * the platform's) the API checks after this schema: 400 DOMAIN_INVALID.
 */
const NOT_IN_A_NAME = '\\s\\x00-\\x1f\\x7f*/\\\\:@?#[\\]';
export const HOSTNAME_PATTERN = new RegExp(`^[^${NOT_IN_A_NAME}]+\\.[^${NOT_IN_A_NAME}.]+\\.?$`);

export const AddDomainRequest = z.strictObject({
  hostname: z
    .string()
    .min(3)
    .max(253)
    .regex(HOSTNAME_PATTERN, 'hostname must be a domain name such as shop.example.com')
    .describe(
      'The domain to serve the store at, such as shop.example.com (an internationalized name may be written in Unicode). Each part has 1 to 63 letters, digits or dashes (in punycode); not a wildcard, an IP address, the platform’s own domain or a domain another store uses. A name breaking these rules is answered 400 DOMAIN_INVALID; one another store uses, 409 DOMAIN_TAKEN.',
    ),
});
export type AddDomainRequest = z.infer<typeof AddDomainRequest>;

export const DomainParams = z.strictObject({
  id: z.uuid({ message: 'store id must be a UUID' }),
  domainId: z.uuid({ message: 'domain id must be a UUID' }),
});

/** The domains part of a store's chart values: the platform sets it, never an upgrade request. */
export const StoreDomainValues = z.strictObject({
  hosts: z.array(z.string()).max(20),
  primary: z.string().optional(),
});
export type StoreDomainValues = z.infer<typeof StoreDomainValues>;

/** Certificates expiring within this many days are flagged (activity entry and badge). */
export const CERTIFICATE_WARNING_DAYS = 14;
