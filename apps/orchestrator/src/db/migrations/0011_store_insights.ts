import { type Kysely, sql } from 'kysely';

// Store insights: one row per store and point in time, at two resolutions: `minute` (one per sample,
// kept 24 hours) and `hour` (rolled up from the minute rows, kept 30 days). A null column is a
// measure that was not reported, not a zero.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('store_samples')
    .addColumn('store_id', 'uuid', (c) => c.notNull().references('stores.id'))
    .addColumn('resolution', 'text', (c) => c.notNull().check(sql`resolution in ('minute', 'hour')`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('seconds', 'integer', (c) => c.notNull())
    .addColumn('requests', 'integer')
    .addColumn('client_errors', 'integer')
    .addColumn('server_errors', 'integer')
    .addColumn('latency_p95_ms', 'real')
    .addColumn('cpu_millicores', 'real')
    .addColumn('cpu_limit_millicores', 'real')
    .addColumn('memory_bytes', 'bigint')
    .addColumn('memory_limit_bytes', 'bigint')
    .addColumn('disk_bytes', 'bigint')
    .addColumn('orders', 'integer')
    .addColumn('revenue', 'double precision')
    .addColumn('currency', 'text')
    .addPrimaryKeyConstraint('store_samples_pkey', ['store_id', 'resolution', 'at'])
    .execute();
  // Retention deletes by age across stores; the fleet summary reads the latest points of all stores.
  await db.schema
    .createIndex('store_samples_age')
    .on('store_samples')
    .columns(['resolution', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('store_samples').execute();
}
