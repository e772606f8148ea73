// The age keys of the backups. Uploading needs only the recipient (the public half, so a store's
// namespace can hold it without being able to read any backup); verifying and downloading need the
// identity. A fingerprint of the recipient goes into each manifest, so a reader with another key is
// told so before it reads a byte of the backup, and without either key being written anywhere. age is
// loaded when a key is read, not before: the platform reads this module without using a key.
import { createHash } from 'node:crypto';
import { fail, ok, type Result } from './errors.ts';

export interface RecipientKey {
  recipient: string;
  fingerprint: string;
}

export interface IdentityKey extends RecipientKey {
  identity: string;
}

export function keyFingerprint(recipient: string): string {
  return `sha256:${createHash('sha256').update(recipient).digest('hex').slice(0, 32)}`;
}

/** A recipient (`age1…`, or `age1pq1…` for the post-quantum hybrid); `variable` names it in errors. */
export async function parseRecipient(recipient: string, variable: string): Promise<Result<RecipientKey>> {
  const { Encrypter } = await import('age-encryption');
  try {
    new Encrypter().addRecipient(recipient);
  } catch {
    return fail('CONFIG_INVALID', `${variable} is not an age recipient (expected "age1…")`);
  }
  return ok({ recipient, fingerprint: keyFingerprint(recipient) });
}

/** An identity (`AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…`); its value never appears in an error. */
export async function parseIdentity(identity: string, variable: string): Promise<Result<IdentityKey>> {
  const { identityToRecipient } = await import('age-encryption');
  try {
    const recipient = await identityToRecipient(identity);
    return ok({ identity, recipient, fingerprint: keyFingerprint(recipient) });
  } catch {
    return fail('CONFIG_INVALID', `${variable} is not an age identity (expected "AGE-SECRET-KEY-1…")`);
  }
}
