// The per-store Secret: generated once with node:crypto, written before the release, referenced by
// the chart as `existingSecret`. Values never appear on a command line, in a log or in the database.
import type { Engine } from '@storefleet/contracts';
import { engineModule } from '../engines/registry.ts';

export const STORE_SECRET_NAME = 'store-credentials';
/** The platform's SMTP password, copied into each store namespace (rewritten when it changes). */
export const SMTP_SECRET_NAME = 'store-smtp';
export const SMTP_PASSWORD_KEY = 'smtp-password';

/** The keys each engine's chart reads (see its engine module). */
export function generateStoreSecrets(engine: Engine, slug: string): Record<string, string> {
  return engineModule(engine).secrets(slug);
}
