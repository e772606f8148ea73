// The audit trail. Append-only by construction: this module has no update or delete path, and in
// production the orchestrator's database role is granted only INSERT and SELECT on the table.
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

export type AuditOutcome = 'success' | 'denied' | 'error';

export interface AuditEntry {
  actor: string;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  statusCode: number | null;
  reason: string | null;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  createdAt: Date;
}

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  outcome?: AuditOutcome | undefined;
  target?: string | undefined;
  beforeId?: number | undefined;
  limit: number;
}

export class AuditRepository {
  private readonly db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.db = db;
  }

  async append(entry: AuditEntry, now = new Date()): Promise<void> {
    await this.db
      .insertInto('audit')
      .values({
        actor: entry.actor,
        actor_id: entry.actorId,
        ip: entry.ip,
        user_agent: entry.userAgent,
        action: entry.action,
        target: entry.target,
        outcome: entry.outcome,
        status_code: entry.statusCode,
        reason: entry.reason,
        created_at: now,
      })
      .execute();
  }

  /** Newest first. */
  async list(filter: AuditFilter): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.target !== undefined) query = query.where('target', '=', filter.target);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      actor: row.actor,
      actorId: row.actor_id,
      ip: row.ip,
      userAgent: row.user_agent,
      action: row.action,
      target: row.target,
      outcome: row.outcome as AuditOutcome,
      statusCode: row.status_code,
      reason: row.reason,
      createdAt: row.created_at,
    }));
  }
}
