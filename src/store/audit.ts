// The audit log: append-only. Nothing here updates or deletes a row.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** Who did something, from where. */
export interface Actor {
  type: 'user' | 'api_key' | 'system' | 'anonymous';
  id: string | null;
  ip: string | null;
}

export interface AuditEntry {
  tenantId: string | null;
  actor: Actor;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export interface AuditRecord {
  id: number;
  tenantId: string | null;
  actorType: Actor['type'];
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip: string | null;
  details?: Record<string, unknown>;
  createdAt: number;
}

type Db = Kysely<Database> | Transaction<Database>;

export class AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: AuditEntry, db: Db = this.db): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        tenant_id: e.tenantId,
        actor_type: e.actor.type,
        actor_id: e.actor.id,
        action: e.action,
        target_type: e.targetType ?? null,
        target_id: e.targetId ?? null,
        ip: e.actor.ip,
        details: e.details ? JSON.stringify(e.details) : null,
        created_at: Date.now(),
      })
      .execute();
  }

  /** Newest first. `tenantId` undefined = everyone's (operator admins only). */
  async list(f: {
    tenantId?: string;
    action?: string;
    before?: number;
    limit: number;
  }): Promise<AuditRecord[]> {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (f.tenantId !== undefined) q = q.where('tenant_id', '=', f.tenantId);
    if (f.action) q = q.where('action', '=', f.action);
    if (f.before !== undefined) q = q.where('id', '<', f.before);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      tenantId: r.tenant_id,
      actorType: r.actor_type as Actor['type'],
      actorId: r.actor_id,
      action: r.action,
      ...(r.target_type ? { targetType: r.target_type } : {}),
      ...(r.target_id ? { targetId: r.target_id } : {}),
      ip: r.ip,
      ...(r.details ? { details: JSON.parse(r.details) as Record<string, unknown> } : {}),
      createdAt: r.created_at,
    }));
  }
}
