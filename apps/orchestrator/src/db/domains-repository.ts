// Custom domains as rows. Every state change is conditioned on the state it was read in, so two
// replicas checking the same domain cannot both move it.
import type { CertificateCheck, DomainState } from '@storefleet/contracts';
import type { Kysely, Selectable } from 'kysely';
import type { StoreDomainsTable } from './domains-table.ts';
import type { Schema } from './schema.ts';

export interface DomainRecord {
  id: string;
  storeId: string;
  hostname: string;
  displayName: string;
  state: DomainState;
  reason: string;
  message: string;
  token: string;
  primary: boolean;
  removing: boolean;
  certificate: CertificateCheck | null;
  createdAt: Date;
  updatedAt: Date;
  verifiedAt: Date | null;
  issuingSince: Date | null;
  activeAt: Date | null;
}

export interface DomainChange {
  state?: DomainState;
  reason?: string;
  message?: string;
  primary?: boolean;
  removing?: boolean;
  certificate?: CertificateCheck | null;
  verifiedAt?: Date | null;
  issuingSince?: Date | null;
  activeAt?: Date | null;
}

/** The unique constraint that says a hostname is taken (PostgreSQL's and PGlite's code). */
export function isDuplicateHostname(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

export class DomainsRepository {
  private readonly db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.db = db;
  }

  async insert(domain: DomainRecord): Promise<void> {
    await this.db
      .insertInto('store_domains')
      .values({
        id: domain.id,
        store_id: domain.storeId,
        hostname: domain.hostname,
        display_name: domain.displayName,
        state: domain.state,
        reason: domain.reason,
        message: domain.message,
        verification_token: domain.token,
        is_primary: domain.primary,
        removing: domain.removing,
        certificate: domain.certificate ? JSON.stringify(domain.certificate) : null,
        created_at: domain.createdAt,
        updated_at: domain.updatedAt,
        verified_at: domain.verifiedAt,
        issuing_since: domain.issuingSince,
        active_at: domain.activeAt,
      })
      .execute();
  }

  async get(id: string): Promise<DomainRecord | undefined> {
    const row = await this.db.selectFrom('store_domains').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async byHostname(hostname: string): Promise<DomainRecord | undefined> {
    const row = await this.db
      .selectFrom('store_domains')
      .selectAll()
      .where('hostname', '=', hostname)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** A store's domains, oldest first (removed ones included: callers filter). */
  async listForStore(storeId: string): Promise<DomainRecord[]> {
    const rows = await this.db
      .selectFrom('store_domains')
      .selectAll()
      .where('store_id', '=', storeId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  /** The stores that have domains, for the checker's rounds. */
  async storeIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('store_domains').select('store_id').distinct().execute();
    return rows.map((row) => row.store_id);
  }

  /** Applies `change` when the domain is still in `expected` state; false when it moved meanwhile. */
  async update(id: string, expected: DomainState, change: DomainChange, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('store_domains')
      .set({
        updated_at: now,
        ...(change.state !== undefined ? { state: change.state } : {}),
        ...(change.reason !== undefined ? { reason: change.reason } : {}),
        ...(change.message !== undefined ? { message: change.message } : {}),
        ...(change.primary !== undefined ? { is_primary: change.primary } : {}),
        ...(change.removing !== undefined ? { removing: change.removing } : {}),
        ...(change.certificate !== undefined
          ? { certificate: change.certificate ? JSON.stringify(change.certificate) : null }
          : {}),
        ...(change.verifiedAt !== undefined ? { verified_at: change.verifiedAt } : {}),
        ...(change.issuingSince !== undefined ? { issuing_since: change.issuingSince } : {}),
        ...(change.activeAt !== undefined ? { active_at: change.activeAt } : {}),
      })
      .where('id', '=', id)
      .where('state', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Makes `id` the store's only primary domain (undefined: none, the store's own host is). */
  async setPrimary(storeId: string, id: string | undefined, now: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('store_domains')
        .set({ is_primary: false, updated_at: now })
        .where('store_id', '=', storeId)
        .where('is_primary', '=', true)
        .execute();
      if (id)
        await tx
          .updateTable('store_domains')
          .set({ is_primary: true, updated_at: now })
          .where('id', '=', id)
          .execute();
    });
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('store_domains').where('id', '=', id).execute();
  }
}

function fromRow(row: Selectable<StoreDomainsTable>): DomainRecord {
  return {
    id: row.id,
    storeId: row.store_id,
    hostname: row.hostname,
    displayName: row.display_name,
    state: row.state as DomainState,
    reason: row.reason,
    message: row.message,
    token: row.verification_token,
    primary: row.is_primary,
    removing: row.removing,
    certificate: row.certificate,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    verifiedAt: row.verified_at ? new Date(row.verified_at) : null,
    issuingSince: row.issuing_since ? new Date(row.issuing_since) : null,
    activeAt: row.active_at ? new Date(row.active_at) : null,
  };
}
