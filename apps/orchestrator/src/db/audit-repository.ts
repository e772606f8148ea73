// The audit trail. Append-only by construction: this module has no update or delete path.
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

export type AuditOutcome = 'success' | 'denied' | 'error';

export interface AuditEntry {
  actor: string;
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

  async list(options: { limit: number; beforeId?: number }): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(options.limit);
    if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      actor: row.actor,
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
