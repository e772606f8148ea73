// Who is asking: a personal API token (Authorization: Bearer sf_…) or a session cookie. Cookie-
// authenticated changes must carry the session's CSRF token. Every /api route needs an identity
// except the few that let one get it.

import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService } from '../accounts/account-service.ts';
import type { RateLimiter } from '../accounts/rate-limiter.ts';
import { SCHEDULED_BACKUP_PATH } from '../app/store-operations.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The session cookie the request came with, when it named a live session. */
    sessionToken: string | null;
  }
}

export const SESSION_COOKIE = 'sf_session';
export const CSRF_HEADER = 'x-csrf-token';

const PUBLIC_ROUTES = new Set([
  '/api/auth/signup',
  '/api/auth/signin',
  '/api/auth/session',
  '/api/platform',
  '/api/openapi.json',
  // A store's backup CronJob: it authenticates with the store's own backup token, not as a user.
  SCHEDULED_BACKUP_PATH,
]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Signing in acts with no session's authority, so it needs no CSRF token (and replaces any session). */
const SIGN_IN_ROUTES = new Set(['/api/auth/signup', '/api/auth/signin']);

export interface AuthOptions {
  accounts: AccountService;
  limiter: RateLimiter;
  rateLimit: { max: number; windowMs: number };
  secureCookies: boolean;
}

export async function registerAuth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  await app.register(fastifyCookie);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);

  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    request.actor = await identify(request, options.accounts, SIGN_IN_ROUTES.has(path));
    if (path.startsWith('/api/') && !PUBLIC_ROUTES.has(path) && !request.actor) {
      throw new AppError(
        'AUTHENTICATION_REQUIRED',
        'Sign in, or send a personal API token as a Bearer token.',
        'unauthenticated',
      );
    }
  });

  // Per-IP and per-user limits on every change, counted in the database so that they hold across replicas;
  // counted before validation, so that malformed requests count too.
  app.addHook('preValidation', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    const { max, windowMs } = options.rateLimit;
    const keys = [`ip:${request.ip}`, ...(request.actor ? [`user:${request.actor.userId}`] : [])];
    for (const key of keys) await enforce(options.limiter, reply, key, max, windowMs);
  });
}

/** Counts a request against `key`; answers 429 with Retry-After when over the limit. */
export async function enforce(
  limiter: RateLimiter,
  reply: FastifyReply,
  key: string,
  max: number,
  windowMs: number,
) {
  const decision = await limiter.hit(key, max, windowMs);
  reply.header('x-ratelimit-limit', decision.limit);
  reply.header('x-ratelimit-remaining', decision.remaining);
  reply.header('x-ratelimit-reset', decision.resetSeconds);
  if (!decision.allowed) {
    reply.header('retry-after', decision.resetSeconds);
    throw new AppError(
      'RATE_LIMITED',
      `Too many requests; try again in ${decision.resetSeconds} s (at most ${decision.limit} per ${Math.round(windowMs / 1000)} s).`,
      'rate_limited',
      { retryAfterSeconds: decision.resetSeconds },
    );
  }
}

async function identify(
  request: FastifyRequest,
  accounts: AccountService,
  signingIn: boolean,
): Promise<Actor | null> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    // Auth scheme names are case-insensitive (RFC 9110 §11.1).
    const match = /^Bearer +(\S+)$/i.exec(authorization.trim());
    const actor = match?.[1] ? await accounts.fromApiToken(match[1]) : undefined;
    if (!actor)
      throw new AppError('INVALID_TOKEN', 'This API token is unknown or was revoked.', 'unauthenticated');
    return actor;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const session = await accounts.fromSession(cookie);
  if (!session) return null;
  request.sessionToken = cookie;
  if (!signingIn && !SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken) {
    throw new AppError(
      'CSRF_TOKEN_INVALID',
      `Changes made with a session cookie must send the session's CSRF token in the ${CSRF_HEADER} header.`,
      'forbidden',
    );
  }
  return session.actor;
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('AUTHENTICATION_REQUIRED', 'Sign in first.', 'unauthenticated');
  return request.actor;
}

export function requireAdmin(request: FastifyRequest): Actor {
  const actor = requireActor(request);
  if (actor.role !== 'admin')
    throw new AppError('FORBIDDEN', 'Only platform admins can do this.', 'forbidden');
  return actor;
}
