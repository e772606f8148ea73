// The per-store Secret: generated once with node:crypto, written before the release, referenced by
// the chart as `existingSecret`. Values never appear on a command line, in a log or in the database.
import { randomBytes } from 'node:crypto';
import type { Engine } from '@storefleet/contracts';

export const STORE_SECRET_NAME = 'store-credentials';

const password = (bytes = 24) => randomBytes(bytes).toString('base64url');

export function generateStoreSecrets(engine: Engine, slug: string): Record<string, string> {
  const common = {
    'admin-username': 'storeadmin',
    'admin-password': password(18),
    'admin-email': `admin@${slug}.store.invalid`,
    'database-password': password(),
    'database-root-password': password(),
  };
  if (engine === 'medusa') {
    return { ...common, 'jwt-secret': password(32), 'cookie-secret': password(32) };
  }
  const salts = [
    'auth-key',
    'secure-auth-key',
    'logged-in-key',
    'nonce-key',
    'auth-salt',
    'secure-auth-salt',
    'logged-in-salt',
    'nonce-salt',
  ];
  return { ...common, ...Object.fromEntries(salts.map((name) => [name, password(48)])) };
}
