import { type Kysely, sql } from 'kysely';

// Upgrades and rollbacks: a job carries what it was asked (values, revision); a store remembers its
// own value overrides and the chart version it runs.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('work_queue')
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .alterTable('stores')
    .addColumn('values', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.alterTable('stores').addColumn('chart_version', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stores').dropColumn('chart_version').execute();
  await db.schema.alterTable('stores').dropColumn('values').execute();
  await db.schema.alterTable('work_queue').dropColumn('payload').execute();
}
