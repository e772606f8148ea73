// Accounts, sessions, API tokens and the audit trail.
import { z } from 'zod';
import { pageCursor, text } from './text.ts';

export const Role = z.enum(['admin', 'merchant']);
export type Role = z.infer<typeof Role>;

export const Credentials = z.strictObject({
  // zod's e-mail rule, as a plain pattern: the OpenAPI document then states exactly what is checked
  // (a `format: email` lets each client guess its own rules).
  email: z.string().regex(z.regexes.email, 'enter a valid e-mail address').max(254),
  password: text().min(10, 'the password needs at least 10 characters').max(200),
});
export type Credentials = z.infer<typeof Credentials>;

export const User = z.object({ id: z.uuid(), email: z.string(), role: Role });
export type User = z.infer<typeof User>;

export const SessionInfo = z.object({
  user: User,
  /** Send it as the X-CSRF-Token header on every cookie-authenticated change. */
  csrfToken: z.string().nullable(),
  limits: z.object({
    backupQuotaBytes: z.number().int(),
    maxStores: z.number().int(),
    maxStoresPerUser: z.number().int(),
    rateLimit: z.object({ max: z.number().int(), windowSeconds: z.number().int() }),
  }),
  usage: z.object({ stores: z.number().int(), backupBytes: z.number().int() }),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const CreateApiTokenRequest = z.strictObject({
  name: text()
    .trim()
    .min(1, 'Give the token a name, so that you can tell it apart later.')
    .max(100, 'A token name is at most 100 characters.'),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;

export const ApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const CreatedApiToken = z.object({ token: z.string(), apiToken: ApiToken });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const AuditOutcome = z.enum(['success', 'denied', 'error']);

export const AuditRecord = z.object({
  id: z.number().int(),
  actor: z.string(),
  actorId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: AuditOutcome,
  statusCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const ListAuditQuery = z.strictObject({
  actor: text().max(254).optional(),
  action: text().max(100).optional(),
  outcome: AuditOutcome.optional(),
  target: text().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: pageCursor(),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

export const AuditList = z.object({ items: z.array(AuditRecord), nextCursor: z.string().nullable() });
export type AuditList = z.infer<typeof AuditList>;
