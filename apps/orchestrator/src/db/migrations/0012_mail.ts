import type { Kysely } from 'kysely';

// How far the platform has read a store's sends: failed sends after this are new (activity entries).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stores').addColumn('mail_checked_until', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stores').dropColumn('mail_checked_until').execute();
}
