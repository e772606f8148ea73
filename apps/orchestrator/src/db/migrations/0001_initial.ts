import { type Kysely, sql } from 'kysely';

// Migrations take Kysely<unknown>: they must not depend on the current schema types.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stores')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('conditions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('failure_operation', 'text')
    .addColumn('failure_step', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('failure_retryable', 'boolean')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('step_timings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('release', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('provisioning_started_at', 'timestamptz')
    .addColumn('ready_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addCheckConstraint(
      'stores_state_check',
      sql`state in ('Queued','Provisioning','Ready','Failed','Upgrading','RollingBack','Deleting','Deleted')`,
    )
    .execute();
  // A slug is taken while its store exists; a deleted store's tombstone frees it.
  await sql`create unique index stores_live_slug on stores (slug) where state <> 'Deleted'`.execute(db);
  await sql`create index stores_created on stores (created_at desc, id desc)`.execute(db);
  await sql`create index stores_owner on stores (owner_id, state)`.execute(db);

  await db.schema
    .createTable('work_queue')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('store_id', 'uuid', (c) => c.notNull().unique().references('stores.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_token', 'uuid')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index work_queue_due on work_queue (run_at)`.execute(db);

  // One row per lock name. Work that must be serialised across replicas (claiming jobs under a
  // concurrency limit, creating stores under a quota) locks its row for the length of a transaction.
  await db.schema
    .createTable('locks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .execute();
  await sql`insert into locks (name) values ('queue-claim'), ('store-create')`.execute(db);

  await db.schema
    .createTable('activity')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('store_id', 'uuid')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index activity_store on activity (store_id, id desc)`.execute(db);

  await db.schema
    .createTable('audit')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index audit_created on audit (created_at desc, id desc)`.execute(db);

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('store_id', 'uuid', (c) => c.notNull().references('stores.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['owner_id', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['idempotency_keys', 'audit', 'activity', 'locks', 'work_queue', 'stores']) {
    await db.schema.dropTable(table).execute();
  }
}
