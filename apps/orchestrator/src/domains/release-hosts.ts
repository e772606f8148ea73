// What the domain checker decides from rows and the store, pure: the hosts a store's release should
// carry, whether its values already do, whether the store can take an upgrade, and a certificate
// check's transition time.
import type { CertificateCheck, StoreDomainValues } from '@storefleet/contracts';
import type { DomainRecord } from '../db/domains-repository.ts';
import type { Store } from '../domain/store.ts';

/** The hosts a store's release should carry: its domains that are verified or further, oldest first. */
export function desiredDomainValues(domains: DomainRecord[]): StoreDomainValues {
  const live = domains.filter((d) => !d.removing && ['Verified', 'Issuing', 'Active'].includes(d.state));
  const primary = live.find((d) => d.primary && d.state === 'Active');
  return { hosts: live.map((d) => d.hostname), ...(primary ? { primary: primary.hostname } : {}) };
}

export const sameValues = (a: StoreDomainValues | undefined, b: StoreDomainValues) =>
  JSON.stringify({ hosts: a?.hosts ?? [], primary: a?.primary }) ===
  JSON.stringify({ hosts: b.hosts, primary: b.primary });

/** A check keeps the previous one's transition time while `ready` does not change. */
export const withTransition = (
  previous: CertificateCheck | null,
  check: CertificateCheck,
): CertificateCheck =>
  previous && previous.ready === check.ready
    ? { ...check, lastTransitionTime: previous.lastTransitionTime ?? previous.checkedAt }
    : check;

/** The store runs the release its values ask for (no operation in flight or pending). */
export const settled = (store: Store) =>
  store.state === 'Ready' && store.observedGeneration === store.generation;
