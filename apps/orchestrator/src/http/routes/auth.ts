import {
  ApiToken,
  AuditList,
  CreateApiTokenRequest,
  CreatedApiToken,
  Credentials,
  ListAuditQuery,
  SessionInfo,
} from '@storefleet/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiTokenInfo } from '../../accounts/account-service.ts';
import { AuditRepository } from '../../db/audit-repository.ts';
import { BackupsRepository } from '../../db/backups-repository.ts';
import type { Actor } from '../../domain/actor.ts';
import { invalidInput } from '../../errors.ts';
import { enforce, requireActor, requireAdmin, SESSION_COOKIE } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';

/** Sign-up and sign-in: public, rate-limited per IP and e-mail. */
const signIn = (codes: Parameters<typeof errorResponses>[0]['codes']) =>
  errorResponses({ access: 'public', change: true, codes });

export function authRoutes({ app, services, auth }: HttpContext): void {
  const { accounts, queries, limiter } = services;

  const sessionInfo = async (actor: Actor, csrfToken: string | null) => ({
    user: { id: actor.userId, email: actor.email, role: actor.role },
    csrfToken,
    limits: {
      backupQuotaBytes: auth.backupQuotaBytes,
      maxStores: auth.maxStores,
      maxStoresPerUser: auth.maxStoresPerUser,
      rateLimit: { max: auth.rateLimit.max, windowSeconds: Math.round(auth.rateLimit.windowMs / 1000) },
    },
    usage: {
      stores: await queries.liveStoreCount(actor),
      backupBytes: await new BackupsRepository(services.database.db).bytesOfOwner(actor.userId),
    },
  });

  /** Opens a fresh session (and ends the one the browser came with, so no id is ever carried over). */
  const startSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
    email: string,
    password: string,
  ) => {
    if (request.sessionToken) await accounts.signOut(request.sessionToken);
    const session = await accounts.signIn(email, password);
    request.actor = session.actor;
    reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: auth.secureCookies,
      path: '/',
      expires: session.expiresAt,
    });
    return sessionInfo(session.actor, session.csrfToken);
  };

  const limitSignIns = async (request: FastifyRequest, reply: FastifyReply, email: string) => {
    const { max, windowMs } = auth.signInRateLimit;
    await enforce(limiter, reply, `signin-ip:${request.ip}`, max, windowMs);
    await enforce(limiter, reply, `signin-email:${email.trim().toLowerCase()}`, max, windowMs);
  };

  app.post(
    '/api/auth/signup',
    {
      config: { auditAction: 'auth.signup' },
      schema: {
        summary: 'Create an account and sign in',
        tags: ['auth'],
        body: Credentials,
        security: [],
        response: { 201: SessionInfo, ...signIn({ 403: ['SIGNUP_DISABLED'], 409: ['EMAIL_TAKEN'] }) },
      },
    },
    async (request, reply) => {
      request.auditTarget = request.body.email.toLowerCase();
      await limitSignIns(request, reply, request.body.email);
      await accounts.signUp(request.body.email, request.body.password);
      const info = await startSession(request, reply, request.body.email, request.body.password);
      return reply.status(201).send(info);
    },
  );

  app.post(
    '/api/auth/signin',
    {
      config: { auditAction: 'auth.signin' },
      schema: {
        summary: 'Sign in (sets an HttpOnly session cookie)',
        tags: ['auth'],
        body: Credentials,
        security: [],
        response: { 200: SessionInfo, ...signIn({ 401: ['INVALID_CREDENTIALS'] }) },
      },
    },
    async (request, reply) => {
      request.auditTarget = request.body.email.toLowerCase();
      await limitSignIns(request, reply, request.body.email);
      return startSession(request, reply, request.body.email, request.body.password);
    },
  );

  app.post(
    '/api/auth/signout',
    {
      config: { auditAction: 'auth.signout' },
      schema: {
        summary: 'Sign out',
        tags: ['auth'],
        response: { 204: z.null(), ...errorResponses({ access: 'user', change: true }) },
      },
    },
    async (request, reply) => {
      requireActor(request);
      if (request.sessionToken) await accounts.signOut(request.sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/session',
    {
      schema: {
        summary: 'Who is signed in, with their limits and usage',
        tags: ['auth'],
        response: { 200: SessionInfo, ...errorResponses({ access: 'user' }) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const session = request.sessionToken ? await accounts.fromSession(request.sessionToken) : undefined;
      return sessionInfo(actor, session?.csrfToken ?? null);
    },
  );

  app.get(
    '/api/tokens',
    {
      schema: {
        summary: 'Your personal API tokens',
        tags: ['auth'],
        response: { 200: z.object({ items: z.array(ApiToken) }), ...errorResponses({ access: 'user' }) },
      },
    },
    async (request) => ({ items: (await accounts.listApiTokens(requireActor(request))).map(presentToken) }),
  );

  app.post(
    '/api/tokens',
    {
      config: { auditAction: 'token.create' },
      schema: {
        summary: 'Create a personal API token (its value is shown only in this answer)',
        tags: ['auth'],
        body: CreateApiTokenRequest,
        response: { 201: CreatedApiToken, ...errorResponses({ access: 'user', change: true }) },
      },
    },
    async (request, reply) => {
      const { token, info } = await accounts.createApiToken(requireActor(request), request.body.name);
      request.auditTarget = info.id;
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ token, apiToken: presentToken(info) });
    },
  );

  app.delete(
    '/api/tokens/:id',
    {
      config: { auditAction: 'token.revoke' },
      schema: {
        summary: 'Revoke a personal API token',
        tags: ['auth'],
        params: z.strictObject({ id: z.uuid() }),
        response: { 204: z.null(), ...errorResponses({ access: 'user', change: true, params: true }) },
      },
    },
    async (request, reply) => {
      await accounts.revokeApiToken(requireActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/audit',
    {
      schema: {
        summary: 'The audit trail, newest first (admins only)',
        tags: ['audit'],
        querystring: ListAuditQuery,
        response: { 200: AuditList, ...errorResponses({ access: 'admin' }) },
      },
    },
    async (request) => {
      requireAdmin(request);
      const { cursor, limit, ...filters } = request.query;
      const beforeId = cursor === undefined ? undefined : Number(Buffer.from(cursor, 'base64url').toString());
      if (beforeId !== undefined && !Number.isInteger(beforeId))
        throw invalidInput('cursor is not one this API returned');
      const rows = await new AuditRepository(services.database.db).list({
        ...filters,
        beforeId,
        limit: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
        nextCursor: rows.length > limit && last ? Buffer.from(String(last.id)).toString('base64url') : null,
      };
    },
  );
}

function presentToken(info: ApiTokenInfo) {
  return {
    id: info.id,
    name: info.name,
    prefix: info.prefix,
    createdAt: info.createdAt.toISOString(),
    lastUsedAt: info.lastUsedAt?.toISOString() ?? null,
    revokedAt: info.revokedAt?.toISOString() ?? null,
  };
}
