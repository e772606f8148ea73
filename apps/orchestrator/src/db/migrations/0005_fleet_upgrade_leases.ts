import type { Kysely } from 'kysely';

// A fleet upgrade is paced by one replica at a time, under a lease: when that replica dies, another
// (or the same one, restarted) takes the run over where it stopped.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('fleet_upgrades')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('fleet_upgrades')
    .dropColumn('lease_owner')
    .dropColumn('lease_expires_at')
    .execute();
}
