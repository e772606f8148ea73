// Drives each store's domains: checks the DNS of pending ones (no certificate is ever asked for before
// the records are right), puts verified hosts on the store's release (a store upgrade with the
// platform-set `domains` value, so the chart owns the Ingress), watches what the ingress serves for
// issuing and active hosts (TLS handshake with SNI), and takes removed hosts off before deleting their
// certificate Secret. One round per store at a time in this process; every write is conditioned on
// the state it was read in, so replicas do not fight.
import type { CertificateCheck } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { StoreCommands } from '../app/store-commands.ts';
import type { StoreQueries } from '../app/store-queries.ts';
import { type Cluster, storeTarget } from '../cluster/port.ts';
import { ActivityRepository } from '../db/activity-repository.ts';
import { type DomainRecord, DomainsRepository } from '../db/domains-repository.ts';
import type { Schema } from '../db/schema.ts';
import type { ActivityType } from '../domain/activity-types.ts';
import { attentionReason, judgeRenewal } from '../domain/certificate-attention.ts';
import { judgeDns, judgeIssuing } from '../domain/custom-domains.ts';
import type { Store } from '../domain/store.ts';
import type { DnsChecker } from './dns-checker.ts';
import { type DomainSettings, recordTargets } from './domain-settings.ts';
import { desiredDomainValues, sameValues, settled, withTransition } from './release-hosts.ts';
import type { TlsProbe } from './tls-probe.ts';

export interface DomainCheckerOptions {
  db: Kysely<Schema>;
  queries: Pick<StoreQueries, 'get'>;
  commands: Pick<StoreCommands, 'upgrade'>;
  cluster: Pick<Cluster, 'certificates'>;
  dns: DnsChecker;
  tls: TlsProbe;
  settings: DomainSettings;
  logger: Logger;
  now?: () => Date;
}

export class DomainChecker {
  private readonly options: DomainCheckerOptions;
  private readonly domains: DomainsRepository;
  private readonly activity: ActivityRepository;
  private readonly rounds = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: DomainCheckerOptions) {
    this.options = options;
    this.domains = new DomainsRepository(options.db);
    this.activity = new ActivityRepository(options.db);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  start(): void {
    const tick = async () => {
      try {
        for (const storeId of await this.domains.storeIds()) await this.checkStore(storeId);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'domain check round failed; it runs again');
      }
      if (!this.stopped) this.timer = setTimeout(tick, this.options.settings.checkIntervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.rounds.values()]);
  }

  /** One round for one store, after any round already running for it. */
  checkStore(storeId: string): Promise<void> {
    const previous = this.rounds.get(storeId) ?? Promise.resolve();
    const round = previous
      .then(() => this.round(storeId))
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error, storeId }, 'domain check failed; it runs again');
      });
    this.rounds.set(storeId, round);
    void round.finally(() => {
      if (this.rounds.get(storeId) === round) this.rounds.delete(storeId);
    });
    return round;
  }

  private async round(storeId: string): Promise<void> {
    let store = await this.options.queries.get(storeId);
    if (store.state === 'Deleted') {
      // The namespace took the hosts and Secrets with it; the names are free again.
      for (const domain of await this.domains.listForStore(storeId)) await this.domains.delete(domain.id);
      return;
    }
    for (const domain of await this.domains.listForStore(storeId)) {
      if (domain.removing) continue;
      if (domain.state === 'PendingDns') await this.checkDns(store, domain);
      else if (domain.state === 'Issuing' || domain.state === 'Active')
        await this.checkCertificate(store, domain);
    }
    store = await this.applyHosts(store);
    await this.cleanUpRemoved(store);
  }

  private async checkDns(store: Store, domain: DomainRecord): Promise<void> {
    const seen = await this.options.dns.observe(domain.hostname);
    const verdict = judgeDns(
      domain.hostname,
      domain.token,
      recordTargets(this.options.settings, store.slug),
      seen,
    );
    const now = this.now();
    if (verdict.ok) {
      const moved = await this.domains.update(
        domain.id,
        'PendingDns',
        {
          state: 'Verified',
          reason: 'DnsVerified',
          message: `The DNS records of ${domain.displayName} are right; its host goes on the store next.`,
          verifiedAt: now,
        },
        now,
      );
      if (moved)
        await this.note(
          store,
          'domain.verified',
          `Domain ${domain.displayName} verified: its DNS records are right.`,
          domain,
        );
    } else if (verdict.reason !== domain.reason || verdict.message !== domain.message) {
      await this.domains.update(
        domain.id,
        'PendingDns',
        { reason: verdict.reason, message: verdict.message },
        now,
      );
    }
  }

  private async checkCertificate(store: Store, domain: DomainRecord): Promise<void> {
    const now = this.now();
    const last = domain.certificate ? new Date(domain.certificate.checkedAt).getTime() : 0;
    if (domain.state === 'Active' && now.getTime() - last < this.options.settings.certificateCheckIntervalMs)
      return;
    const served = await this.options.tls.check(domain.hostname);
    const check = withTransition(domain.certificate, judgeRenewal(served, domain.displayName, now));
    if (domain.state === 'Issuing') {
      // The clock runs only while the store carries the host: an upgrade still on its way is not the ACME server's fault.
      const carries = settled(store) && (store.values.domains?.hosts ?? []).includes(domain.hostname);
      const next = judgeIssuing(
        { state: 'Issuing', issuingSince: carries ? domain.issuingSince : null },
        domain.displayName,
        check,
        now,
        this.options.settings.issueTimeoutMs,
      );
      if (!next) {
        await this.domains.update(domain.id, 'Issuing', { certificate: check }, now);
        return;
      }
      const active = next.state === 'Active';
      const moved = await this.domains.update(
        domain.id,
        'Issuing',
        { ...next, certificate: check, ...(active ? { activeAt: now } : { issuingSince: null }) },
        now,
      );
      if (!moved) return;
      const seconds = ((now.getTime() - domain.createdAt.getTime()) / 1000).toFixed(1);
      if (active) {
        await this.note(
          store,
          'domain.active',
          `Domain ${domain.displayName} is Active: ${next.message}`,
          domain,
          {
            secondsSinceAdded: Number(seconds),
            issuer: check.issuer,
            notAfter: check.notAfter,
          },
        );
        await this.noteAttention(store, domain, null, check, now);
      } else {
        const message = `Domain ${domain.displayName} failed: ${next.message}`;
        await this.note(store, 'domain.failed', message, domain, { reason: next.reason });
      }
      return;
    }
    await this.domains.update(domain.id, 'Active', { certificate: check }, now);
    await this.noteAttention(store, domain, attentionReason(domain.certificate, now), check, now);
  }

  /**
   * An activity entry when an Active domain's certificate starts to need someone, or for another
   * reason than before (a failing renewal, then the default certificate); not at every check.
   */
  private async noteAttention(
    store: Store,
    domain: DomainRecord,
    before: string | null,
    check: CertificateCheck,
    now: Date,
  ): Promise<void> {
    const reason = attentionReason(check, now);
    if (reason === null || reason === before) return;
    const why =
      reason === 'CertificateExpiringSoon'
        ? `it expires on ${check.notAfter?.slice(0, 10)} and has not been renewed yet`
        : check.message;
    const message = `Certificate of ${domain.displayName} needs attention: ${why}`;
    await this.note(store, 'certificate.attention', message, domain, { reason });
  }

  /** Puts the hosts the store should carry on its release, when the store can take an upgrade. */
  private async applyHosts(store: Store): Promise<Store> {
    const domains = await this.domains.listForStore(store.id);
    const desired = desiredDomainValues(domains);
    const now = this.now();
    if (!sameValues(store.values.domains, desired)) {
      if (!settled(store)) return store;
      try {
        store = await this.options.commands.upgrade(store.id, { domains: desired });
      } catch (error) {
        // Busy (another operation started meanwhile): the next round tries again.
        this.options.logger.info({ storeId: store.id, err: error }, 'store not ready for its domains yet');
        return store;
      }
    }
    for (const domain of domains) {
      if (domain.removing || domain.state !== 'Verified' || !desired.hosts.includes(domain.hostname))
        continue;
      const moved = await this.domains.update(
        domain.id,
        'Verified',
        {
          state: 'Issuing',
          reason: 'CertificateRequested',
          message: `${domain.displayName} is on the store's ingress; its certificate is being issued.`,
          issuingSince: now,
        },
        now,
      );
      if (moved)
        await this.note(
          store,
          'domain.issuing',
          `Domain ${domain.displayName} added to the store's ingress: certificate requested.`,
          domain,
        );
    }
    return store;
  }

  /** A removed domain's Secret goes once its host is off the deployed release; then its row. */
  private async cleanUpRemoved(store: Store): Promise<void> {
    const removed = (await this.domains.listForStore(store.id)).filter((d) => d.removing);
    const deployed = store.values.domains?.hosts ?? [];
    for (const domain of removed) {
      if (!settled(store) || deployed.includes(domain.hostname)) continue;
      await this.options.cluster.certificates.deleteHostCertificate(
        storeTarget(store),
        domain.hostname,
        AbortSignal.timeout(30_000),
      );
      await this.domains.delete(domain.id);
      await this.note(
        store,
        'domain.deleted',
        `Domain ${domain.displayName} is off the store: host, certificate and Secret removed.`,
        domain,
      );
    }
  }

  private async note(
    store: Store,
    type: ActivityType,
    message: string,
    domain: DomainRecord,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.activity.append(
      { storeId: store.id, type, message, details: { hostname: domain.hostname, ...details } },
      this.now(),
    );
    this.options.logger.info({ storeId: store.id, hostname: domain.hostname, event: type }, message);
  }
}
