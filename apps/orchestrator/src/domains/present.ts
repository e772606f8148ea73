// Domain rows to the API's shape: the records to create are derived, never stored.
import type { Domain, DomainCondition } from '@storefleet/contracts';
import type { DomainRecord } from '../db/domains-repository.ts';
import { attentionReason } from '../domain/certificate-attention.ts';
import { expectedRecords } from '../domain/custom-domains.ts';
import { type DomainSettings, recordTargets } from './domain-settings.ts';

export function presentDomain(
  domain: DomainRecord,
  slug: string,
  settings: DomainSettings,
  now = new Date(),
): Domain {
  const reason = domain.state === 'Active' ? attentionReason(domain.certificate, now) : null;
  return {
    id: domain.id,
    storeId: domain.storeId,
    hostname: domain.hostname,
    displayName: domain.displayName,
    state: domain.state,
    reason: domain.reason,
    message: domain.message,
    primary: domain.primary,
    records: expectedRecords(domain.hostname, domain.token, recordTargets(settings, slug)),
    certificate: domain.certificate,
    conditions: [certificateReady(domain)],
    attention: reason !== null,
    attentionReason: reason,
    createdAt: domain.createdAt.toISOString(),
    verifiedAt: domain.verifiedAt?.toISOString() ?? null,
    activeAt: domain.activeAt?.toISOString() ?? null,
  };
}

/** CertificateReady from the last TLS check of the host; Unknown before the host is on the ingress. */
function certificateReady(domain: DomainRecord): DomainCondition {
  const check = domain.certificate;
  if (!check)
    return {
      type: 'CertificateReady',
      status: 'Unknown',
      reason: domain.state === 'Failed' ? domain.reason : 'NotRequested',
      message: 'No certificate is asked for before the DNS records are verified.',
      lastTransitionTime: domain.createdAt.toISOString(),
    };
  return {
    type: 'CertificateReady',
    status: check.ready ? 'True' : 'False',
    reason: check.reason,
    message: check.message,
    lastTransitionTime: check.lastTransitionTime,
  };
}
