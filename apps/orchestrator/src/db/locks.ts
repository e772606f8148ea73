import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';

export type LockName = 'queue-claim' | 'store-create' | 'user-signup';

/** Holds the named lock until the surrounding transaction ends; serialises work across replicas. */
export async function lockForTransaction(trx: Kysely<Schema>, name: LockName): Promise<void> {
  await sql`select name from locks where name = ${name} for update`.execute(trx);
}
