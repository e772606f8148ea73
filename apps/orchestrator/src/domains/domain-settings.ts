// What the domain module needs to know of the platform, from its configuration.
import type { RecordTargets } from '../domain/custom-domains.ts';

export interface DomainSettings {
  /** Store hosts are `<slug>.<baseDomain>`; no domain under it may be claimed. */
  baseDomain: string;
  /** The ingress's public IPv4 address, for A records (apex domains). */
  ingressAddress: string | undefined;
  /** How long an Issuing domain may wait for its certificate before it is Failed. */
  issueTimeoutMs: number;
  /** How often domains are checked (DNS of pending ones, certificates of the others). */
  checkIntervalMs: number;
  /** How often an Active domain's certificate is checked again. */
  certificateCheckIntervalMs: number;
}

export function recordTargets(settings: DomainSettings, slug: string): RecordTargets {
  return { storeHost: `${slug}.${settings.baseDomain}`, ingressAddress: settings.ingressAddress };
}
