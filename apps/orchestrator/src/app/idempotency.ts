// Idempotency keys: a request repeated with the same key answers with the store the first one made;
// the same key with another body is refused.
import { createHash } from 'node:crypto';
import type { CreateStoreRequest } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { conflict } from '../errors.ts';

/** What a key is bound to: the request body that matters (name and engine). */
export function requestHash(input: Pick<CreateStoreRequest, 'name' | 'engine'>): string {
  return createHash('sha256')
    .update(JSON.stringify([input.name, input.engine]))
    .digest('hex');
}

/** The store an earlier request with this key made, if any; a key reused with another body is a conflict. */
export async function replayedStoreId(
  db: Kysely<Schema>,
  ownerId: string,
  key: string,
  hash: string,
): Promise<string | undefined> {
  const existing = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!existing) return undefined;
  if (existing.request_hash !== hash) {
    throw conflict(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
    );
  }
  return existing.store_id;
}

/** Binds the key to the store; call it in the transaction that creates the store. */
export async function rememberKey(
  trx: Kysely<Schema>,
  entry: { ownerId: string; key: string; hash: string; storeId: string; now: Date },
): Promise<void> {
  await trx
    .insertInto('idempotency_keys')
    .values({
      owner_id: entry.ownerId,
      key: entry.key,
      request_hash: entry.hash,
      store_id: entry.storeId,
      created_at: entry.now,
    })
    .execute();
}

/** The constraint that refuses a second row for the same key. */
export const IDEMPOTENCY_KEY_CONSTRAINT = 'idempotency_keys_pk';
