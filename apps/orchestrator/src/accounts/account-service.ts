// Accounts: sign-up, sign-in with database-backed sessions, sign-out, personal API tokens.
// Session ids and API tokens are random secrets handed out once; only their SHA-256 is stored.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lockForTransaction } from '../db/locks.ts';
import type { Schema } from '../db/schema.ts';
import type { Actor, Role } from '../domain/actor.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { hashPassword, newSecret, sha256, verifyPassword } from './secrets.ts';

export const API_TOKEN_PREFIX = 'sf_';

export interface AccountOptions {
  db: Kysely<Schema>;
  signupEnabled: boolean;
  adminEmails: readonly string[];
  sessionTtlMs: number;
  now?: () => Date;
}

export interface NewSession {
  actor: Actor;
  /** The cookie value; never stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const invalidCredentials = () =>
  new AppError('INVALID_CREDENTIALS', 'The e-mail address or the password is wrong.', 'unauthenticated');

export class AccountService {
  private readonly options: AccountOptions;
  private readonly db: Kysely<Schema>;
  private readonly now: () => Date;
  /** A real hash to verify against when the e-mail is unknown, so both paths take the same time. */
  private readonly decoyHash: Promise<string>;

  constructor(options: AccountOptions) {
    this.options = options;
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
    this.decoyHash = hashPassword(newSecret());
  }

  /** Creates an account. The first account, and any e-mail in ADMIN_EMAILS, is an admin. */
  async signUp(email: string, password: string): Promise<Actor> {
    if (!this.options.signupEnabled) {
      throw new AppError(
        'SIGNUP_DISABLED',
        'Sign-up is turned off on this platform; ask an admin for an account.',
        'forbidden',
      );
    }
    const normalized = email.trim().toLowerCase();
    const passwordHash = await hashPassword(password);
    const id = randomUUID();
    try {
      const role = await this.db.transaction().execute(async (trx) => {
        await lockForTransaction(trx, 'user-signup');
        const anyone = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
        const role: Role = !anyone || this.options.adminEmails.includes(normalized) ? 'admin' : 'merchant';
        await trx
          .insertInto('users')
          .values({ id, email: normalized, password_hash: passwordHash, role, created_at: this.now() })
          .execute();
        return role;
      });
      return { userId: id, email: normalized, role, via: 'session' };
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw conflict('EMAIL_TAKEN', 'An account with this e-mail address already exists; sign in instead.');
      }
      throw error;
    }
  }

  /** Checks the password and opens a new session (a fresh id every time: no fixation). */
  async signIn(email: string, password: string): Promise<NewSession> {
    const user = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    const valid = await verifyPassword(password, user?.password_hash ?? (await this.decoyHash));
    if (!user || !valid) throw invalidCredentials();
    const token = newSecret();
    const csrfToken = newSecret();
    const expiresAt = new Date(this.now().getTime() + this.options.sessionTtlMs);
    await this.db
      .insertInto('sessions')
      .values({
        token_hash: sha256(token),
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: this.now(),
        expires_at: expiresAt,
      })
      .execute();
    return { actor: toActor(user, 'session'), token, csrfToken, expiresAt };
  }

  async signOut(sessionToken: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', sha256(sessionToken)).execute();
  }

  /** The actor of a live session, with its CSRF token; undefined when unknown or expired. */
  async fromSession(sessionToken: string): Promise<{ actor: Actor; csrfToken: string } | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.email', 'users.role', 'sessions.csrf_token', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', sha256(sessionToken))
      .executeTakeFirst();
    if (!row || row.expires_at.getTime() <= this.now().getTime()) return undefined;
    return { actor: toActor(row, 'session'), csrfToken: row.csrf_token };
  }

  async fromApiToken(token: string): Promise<Actor | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
    const row = await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: this.now() })
      .from('users')
      .whereRef('users.id', '=', 'api_tokens.user_id')
      .where('api_tokens.token_hash', '=', sha256(token))
      .where('api_tokens.revoked_at', 'is', null)
      .returning(['users.id', 'users.email', 'users.role'])
      .executeTakeFirst();
    return row ? toActor(row, 'token') : undefined;
  }

  /** A new personal API token; its value is returned this once and never again. */
  async createApiToken(actor: Actor, name: string): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = newSecret(API_TOKEN_PREFIX);
    const info: ApiTokenInfo = {
      id: randomUUID(),
      name,
      prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
      createdAt: this.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.db
      .insertInto('api_tokens')
      .values({
        id: info.id,
        user_id: actor.userId,
        name,
        token_hash: sha256(token),
        prefix: info.prefix,
        created_at: info.createdAt,
      })
      .execute();
    return { token, info };
  }

  async listApiTokens(actor: Actor): Promise<ApiTokenInfo[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', actor.userId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
    }));
  }

  async revokeApiToken(actor: Actor, id: string): Promise<void> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: this.now() })
      .where('id', '=', id)
      .where('user_id', '=', actor.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound('API token');
  }

  /** Drops expired sessions; called now and then. */
  async pruneSessions(): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', this.now()).execute();
  }
}

function toActor(row: { id: string; email: string; role: string }, via: Actor['via']): Actor {
  return { userId: row.id, email: row.email, role: row.role as Role, via };
}
