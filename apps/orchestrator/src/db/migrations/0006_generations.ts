import { type Kysely, sql } from 'kysely';

// Generations: every request that changes what is asked of a store bumps `generation`; a settled
// operation records the generation it settled as `observed_generation`. `deployed` is the release the
// last release step deployed and for which generation: a resumed attempt finds it in sync and waits.
// Stores that exist already count as settled at generation 1 unless work on them is under way.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('stores')
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('observed_generation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deployed', 'jsonb')
    .execute();
  await sql`update stores set observed_generation = generation where state in ('Ready', 'Failed', 'Deleted')`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('stores')
    .dropColumn('deployed')
    .dropColumn('observed_generation')
    .dropColumn('generation')
    .execute();
}
