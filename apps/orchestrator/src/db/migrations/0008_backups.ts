import { type Kysely, sql } from 'kysely';

const STATES_BEFORE = `'Queued','Provisioning','Ready','Failed','Upgrading','RollingBack','Deleting','Deleted'`;
const STATES_AFTER = `${STATES_BEFORE},'BackingUp','Restoring','Sleeping','Asleep','Waking'`;

// Backups: one row per backup of a store (its database dump and files, kept in backup storage under
// `storage_key`), the store's backup schedule and retention, and the hash of the token its backup
// CronJob presents when it asks for a scheduled backup. `last_traffic_at` is when the ingress last
// saw a request for the store: idle sleep measures from it. Stores gain the states of backup,
// restore, sleep and wake.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table stores drop constraint stores_state_check`.execute(db);
  await sql
    .raw(`alter table stores add constraint stores_state_check check (state in (${STATES_AFTER}))`)
    .execute(db);
  await db.schema
    .createTable('backups')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('store_id', 'uuid', (c) => c.notNull().references('stores.id'))
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('parts', 'jsonb', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint')
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('failure', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('backups_store').on('backups').columns(['store_id', 'created_at']).execute();
  await db.schema.createIndex('backups_owner').on('backups').column('owner_id').execute();
  await db.schema
    .alterTable('stores')
    .addColumn('backup_cron', 'text')
    .addColumn('backup_keep', 'integer', (c) => c.notNull().defaultTo(7))
    .addColumn('backup_token_hash', 'text')
    .addColumn('last_traffic_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('stores')
    .dropColumn('backup_cron')
    .dropColumn('backup_keep')
    .dropColumn('backup_token_hash')
    .dropColumn('last_traffic_at')
    .execute();
  await db.schema.dropTable('backups').execute();
  await sql`alter table stores drop constraint stores_state_check`.execute(db);
  await sql
    .raw(`alter table stores add constraint stores_state_check check (state in (${STATES_BEFORE}))`)
    .execute(db);
}
