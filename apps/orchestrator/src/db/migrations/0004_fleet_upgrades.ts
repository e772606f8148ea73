import { type Kysely, sql } from 'kysely';

// Fleet upgrades: one row per run over many stores, with its progress.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fleet_upgrades')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('running', 'succeeded', 'halted')`))
    .addColumn('store_ids', 'jsonb', (c) => c.notNull())
    .addColumn('upgraded_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('concurrency', 'integer', (c) => c.notNull())
    .addColumn('failed_store_id', 'uuid')
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fleet_upgrades').execute();
}
