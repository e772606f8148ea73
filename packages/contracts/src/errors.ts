// The API's error answers.
import { z } from 'zod';

/**
 * Every code an error answer of the API may carry. Clients switch on these; a new one is a change of
 * the API. The HTTP status of each comes from its kind (see the orchestrator's http/errors.ts).
 */
export const ERROR_CODES = [
  // 400
  'INVALID_INPUT',
  'INVALID_STORE_NAME',
  'ENGINE_UNAVAILABLE',
  'ENGINE_UNKNOWN',
  'REVISION_NOT_FOUND',
  'BACKUP_NOT_RESTORABLE',
  'BACKUP_SCHEDULE_UNAVAILABLE',
  'DOMAIN_INVALID',
  // 401
  'AUTHENTICATION_REQUIRED',
  'INVALID_TOKEN',
  'INVALID_CREDENTIALS',
  // 403
  'FORBIDDEN',
  'CSRF_TOKEN_INVALID',
  'SIGNUP_DISABLED',
  'STORE_LIMIT_REACHED',
  'USER_STORE_LIMIT_REACHED',
  'BACKUP_QUOTA_EXCEEDED',
  // 404, 405
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  // 409
  'EMAIL_TAKEN',
  'STORE_NAME_TAKEN',
  'STORE_CHANGED',
  'STORE_NOT_DEPLOYED',
  'STORE_NOT_FAILED',
  'STORE_NOT_READY',
  'ALREADY_AT_REVISION',
  'CREDENTIALS_UNAVAILABLE',
  'IDEMPOTENCY_KEY_REUSED',
  'INVALID_STATE_TRANSITION',
  'STORE_NOT_RETRYABLE',
  'STORE_DELETED',
  'NO_READY_STORES',
  'STORE_BUSY',
  'STORE_NOT_ASLEEP',
  'DOMAIN_TAKEN',
  'DOMAIN_NOT_ACTIVE',
  'MAIL_NOT_CONFIGURED',
  'MAIL_UNSUPPORTED',
  'BACKUP_ALREADY_KNOWN',
  // 413, 415, 429
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  // 500, 502, 503
  'INTERNAL',
  'CLUSTER_REQUEST_FAILED',
  'CLUSTER_UNAVAILABLE',
  'STORE_UNREACHABLE',
  'MAILBOX_UNAVAILABLE',
  'BACKUP_BUCKET_NOT_CONFIGURED',
  'BACKUP_BUCKET_FAILED',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;
