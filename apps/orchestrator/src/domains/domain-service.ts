// What merchants do with their stores' domains: add one (validated, unique across the platform), list
// them, check one now, make one primary, remove one. The checker (domain-checker.ts) does the rest:
// DNS, the store's release, certificates.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ActivityRepository } from '../db/activity-repository.ts';
import { type DomainRecord, DomainsRepository, isDuplicateHostname } from '../db/domains-repository.ts';
import type { Schema } from '../db/schema.ts';
import { checkHostname } from '../domain/custom-domains.ts';
import type { Store } from '../domain/store.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import type { DomainSettings } from './domain-settings.ts';

export interface DomainServiceOptions {
  db: Kysely<Schema>;
  settings: DomainSettings;
  /** Runs the checker for one store now (after a change), resolving when that round is done. */
  checkNow: (storeId: string) => Promise<void>;
  now?: () => Date;
}

const taken = (hostname: string) =>
  conflict(
    'DOMAIN_TAKEN',
    `${hostname} is already in use by a store on this platform; a domain serves one store.`,
  );

export class DomainService {
  private readonly options: DomainServiceOptions;
  private readonly domains: DomainsRepository;
  private readonly activity: ActivityRepository;

  constructor(options: DomainServiceOptions) {
    this.options = options;
    this.domains = new DomainsRepository(options.db);
    this.activity = new ActivityRepository(options.db);
  }

  get settings(): DomainSettings {
    return this.options.settings;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async list(store: Store): Promise<DomainRecord[]> {
    return (await this.domains.listForStore(store.id)).filter((domain) => !domain.removing);
  }

  async get(store: Store, id: string): Promise<DomainRecord> {
    const domain = await this.domains.get(id);
    if (!domain || domain.storeId !== store.id || domain.removing) throw notFound('Domain');
    return domain;
  }

  async add(store: Store, input: string): Promise<DomainRecord> {
    if (store.state === 'Deleting' || store.state === 'Deleted')
      throw conflict('STORE_NOT_DEPLOYED', `The store is ${store.state}: it takes no new domains.`);
    const checked = checkHostname(input, this.options.settings.baseDomain);
    if (!checked.ok) throw new AppError('DOMAIN_INVALID', checked.message, 'validation', { hostname: input });
    if (await this.domains.byHostname(checked.hostname)) throw taken(checked.displayName);
    const now = this.now();
    const domain: DomainRecord = {
      id: randomUUID(),
      storeId: store.id,
      hostname: checked.hostname,
      displayName: checked.displayName,
      state: 'PendingDns',
      reason: 'DnsRecordsMissing',
      message: `Create the DNS records shown for ${checked.displayName}; the platform checks them every ${Math.round(this.options.settings.checkIntervalMs / 1000)} s.`,
      token: randomBytes(16).toString('hex'),
      primary: false,
      removing: false,
      certificate: null,
      createdAt: now,
      updatedAt: now,
      verifiedAt: null,
      issuingSince: null,
      activeAt: null,
    };
    try {
      await this.domains.insert(domain);
    } catch (error) {
      if (isDuplicateHostname(error)) throw taken(checked.displayName);
      throw error;
    }
    await this.activity.append(
      {
        storeId: store.id,
        type: 'domain.added',
        message: `Domain ${checked.displayName} added: waiting for its DNS records.`,
        details: { hostname: checked.hostname },
      },
      now,
    );
    this.kick(store.id);
    return domain;
  }

  /** Checks a domain now; a Failed one starts over from its DNS (the merchant fixed something). */
  async verify(store: Store, id: string): Promise<DomainRecord> {
    const domain = await this.get(store, id);
    if (domain.state === 'Failed') {
      await this.domains.update(
        id,
        'Failed',
        {
          state: 'PendingDns',
          reason: 'VerificationRequested',
          message: 'Checking the DNS records again.',
          issuingSince: null,
        },
        this.now(),
      );
    }
    await this.options.checkNow(store.id);
    return this.get(store, id);
  }

  /** Makes an Active domain the store's primary host (its URLs and the engine's own settings follow). */
  async makePrimary(store: Store, id: string): Promise<DomainRecord> {
    const domain = await this.get(store, id);
    if (domain.state !== 'Active')
      throw conflict(
        'DOMAIN_NOT_ACTIVE',
        `${domain.displayName} is ${domain.state}: only an Active domain (with its certificate) can be primary.`,
      );
    await this.domains.setPrimary(store.id, id, this.now());
    await this.activity.append(
      {
        storeId: store.id,
        type: 'domain.primary',
        message: `${domain.displayName} is now the store's primary domain.`,
        details: { hostname: domain.hostname },
      },
      this.now(),
    );
    this.kick(store.id);
    return this.get(store, id);
  }

  /** Removes a domain: its host leaves the Ingress, then its certificate Secret and its row go. */
  async remove(store: Store, id: string): Promise<void> {
    const domain = await this.get(store, id);
    await this.domains.update(id, domain.state, { removing: true, primary: false }, this.now());
    await this.activity.append(
      {
        storeId: store.id,
        type: 'domain.removed',
        message: `Domain ${domain.displayName} removed: its host and certificate are being taken off the store.`,
        details: { hostname: domain.hostname },
      },
      this.now(),
    );
    this.kick(store.id);
  }

  private kick(storeId: string): void {
    // The answer does not wait for DNS or the cluster; failures are the checker's to report.
    this.options.checkNow(storeId).catch(() => {});
  }
}
