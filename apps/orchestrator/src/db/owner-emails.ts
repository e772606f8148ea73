// The e-mail addresses of the owners of some stores (an admin's store list shows whose each is).
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

export async function ownerEmails(
  db: Kysely<Schema>,
  stores: readonly { ownerId: string }[],
): Promise<Map<string, string>> {
  const ids = [...new Set(stores.map((s) => s.ownerId))];
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.email]));
}
