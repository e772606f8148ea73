import { type Kysely, sql } from 'kysely';

// Custom domains: one row per domain a merchant added to a store. `hostname` (punycode, lower case) is
// unique across the platform, which is how a second store claiming it is refused. `certificate` holds
// the last TLS check of the host (issuer, expiry, whether it is the ingress' default certificate);
// `issuing_since` is when its host was put on the store's Ingress. A removed domain keeps its row
// (`removing`, hidden from the API, its name still taken) until its host has left the Ingress and its
// certificate Secret is deleted.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('store_domains')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('store_id', 'uuid', (c) => c.notNull().references('stores.id'))
    .addColumn('hostname', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('PendingDns','Verified','Issuing','Active','Failed')`),
    )
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('verification_token', 'text', (c) => c.notNull())
    .addColumn('is_primary', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('removing', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('certificate', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('verified_at', 'timestamptz')
    .addColumn('issuing_since', 'timestamptz')
    .addColumn('active_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('store_domains_store').on('store_domains').column('store_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('store_domains').execute();
}
