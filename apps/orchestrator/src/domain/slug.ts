// Store names become DNS-1123 labels ("slugs"). The namespace and the Helm release are
// `<prefix><slug>`; Helm caps release names at 53 characters, so the slug is capped well below.
import { AppError } from '../errors.ts';

export const SLUG_MIN_LENGTH = 3;
export const SLUG_MAX_LENGTH = 40;

const RESERVED_SLUGS = new Set([
  'admin',
  'api',
  'app',
  'assets',
  'dashboard',
  'default',
  'healthz',
  'kube',
  'mail',
  'metrics',
  'readyz',
  'static',
  'status',
  'storefleet',
  'system',
  'www',
]);
const RESERVED_PREFIXES = ['kube-', 'storefleet-', 'system-'];

/** Addresses no store may have: the platform's own hosts may use them. */
export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug) || RESERVED_PREFIXES.some((prefix) => slug.startsWith(prefix));
}

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const invalidName = (message: string) => new AppError('INVALID_STORE_NAME', message, 'validation');

/** Returns the slug for a store name, or throws an error saying why the name cannot be used. */
export function slugForStoreName(name: string): string {
  if (/\p{Cc}/u.test(name)) throw invalidName('Store name must not contain control characters.');
  const slug = slugify(name);
  if (slug.length === 0) {
    throw invalidName(`Store name "${name}" has no letters or digits; use a name like "Acme Shoes".`);
  }
  if (slug.length < SLUG_MIN_LENGTH) {
    throw invalidName(
      `Store name "${name}" is too short: its address "${slug}" needs at least ${SLUG_MIN_LENGTH} letters or digits.`,
    );
  }
  if (slug.length > SLUG_MAX_LENGTH) {
    throw invalidName(
      `Store name "${name}" is too long: its address "${slug}" has ${slug.length} characters, the limit is ${SLUG_MAX_LENGTH}.`,
    );
  }
  if (isReservedSlug(slug)) {
    throw invalidName(`Store name "${name}" is reserved (address "${slug}"); choose another name.`);
  }
  return slug;
}
