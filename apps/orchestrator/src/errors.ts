// Errors are values: a stable code for programs (one of the contract's ERROR_CODES), a message a
// person can act on, and a kind. Only the HTTP layer (http/errors.ts) turns a kind into a status.
import type { ErrorCode } from '@storefleet/contracts';

/** What went wrong, as far as a caller is concerned; each kind has one HTTP status. */
export type ErrorKind =
  /** The request is malformed or breaks a rule of its own (400). */
  | 'validation'
  /** No identity, or a wrong one (401). */
  | 'unauthenticated'
  /** The identity may not do this (403). */
  | 'forbidden'
  /** The thing named does not exist, or the caller may not see it (404). */
  | 'not_found'
  /** The request does not fit the current state (409). */
  | 'conflict'
  /** A quota of the platform or the user is used up (403). */
  | 'limit'
  /** Too many requests in the window (429). */
  | 'rate_limited'
  /** A dependency is not configured or does not answer; retrying later or configuring it helps (503). */
  | 'unavailable'
  /** A dependency answered, but with a failure (502). */
  | 'upstream';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, kind: ErrorKind, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.kind = kind;
    this.details = details;
  }
}

export const invalidInput = (message: string, details?: unknown) =>
  new AppError('INVALID_INPUT', message, 'validation', details);

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found`, 'not_found');

export const conflict = (code: ErrorCode, message: string, details?: unknown) =>
  new AppError(code, message, 'conflict', details);
