// Compliance records: signatures and templates under review, the operator's content rules, the
// manual review queue, opt-outs, consents and the block list.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, ReviewItemTable, SignatureTable, TemplateTable } from './schema.ts';
import { newId } from '../core/ids.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type Decision = 'approved' | 'rejected';

export interface Signature {
  id: string;
  tenantId: string;
  text: string;
  proofRef: string | null;
  isDefault: boolean;
  status: string;
  reason: string | null;
  createdAt: number;
  reviewedAt: number | null;
}

export interface Template {
  id: string;
  tenantId: string;
  name: string;
  body: string;
  variables: string[];
  class: string;
  status: string;
  reason: string | null;
  createdAt: number;
  reviewedAt: number | null;
}

export interface ReviewItem {
  id: string;
  tenantId: string;
  batchId: string;
  messages: number;
  ruleId: string | null;
  category: string | null;
  matched: string | null;
  status: string;
  reason: string | null;
  createdAt: number;
  decidedAt: number | null;
  expiresAt: number;
}

export class ComplianceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async addSignature(tenantId: string, text: string, proofRef: string | null): Promise<Signature> {
    const row: SignatureTable = {
      id: newId('sig'),
      tenant_id: tenantId,
      text,
      proof_ref: proofRef,
      is_default: 0,
      status: 'pending',
      reason: null,
      reviewed_by: null,
      created_at: Date.now(),
      reviewed_at: null,
    };
    await this.db.insertInto('signatures').values(row).execute();
    return toSignature(row);
  }

  async signatures(tenantId?: string, status?: string): Promise<Signature[]> {
    let q = this.db.selectFrom('signatures').selectAll();
    if (tenantId) q = q.where('tenant_id', '=', tenantId);
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('created_at', 'desc').execute()).map(toSignature);
  }

  async signature(id: string): Promise<Signature | undefined> {
    const r = await this.db
      .selectFrom('signatures')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toSignature(r);
  }

  /** Approve or reject once: a decided item cannot be decided again. */
  async decide(
    table: 'signatures' | 'templates',
    id: string,
    decision: Decision,
    reason: string,
    by: string | null,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable(table)
      .set({ status: decision, reason, reviewed_by: by, reviewed_at: Date.now() })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setDefaultSignature(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const ok = await trx
        .selectFrom('signatures')
        .select('id')
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'approved')
        .executeTakeFirst();
      if (!ok) return false;
      await trx
        .updateTable('signatures')
        .set({ is_default: 0 })
        .where('tenant_id', '=', tenantId)
        .execute();
      await trx.updateTable('signatures').set({ is_default: 1 }).where('id', '=', id).execute();
      return true;
    });
  }

  async addTemplate(
    tenantId: string,
    t: { name: string; body: string; variables: string[]; class: string },
  ): Promise<Template> {
    const row: TemplateTable = {
      id: newId('tpl'),
      tenant_id: tenantId,
      name: t.name,
      body: t.body,
      variables: JSON.stringify(t.variables),
      class: t.class,
      status: 'pending',
      reason: null,
      reviewed_by: null,
      created_at: Date.now(),
      reviewed_at: null,
    };
    await this.db.insertInto('templates').values(row).execute();
    return toTemplate(row);
  }

  async templates(tenantId?: string, status?: string): Promise<Template[]> {
    let q = this.db.selectFrom('templates').selectAll();
    if (tenantId) q = q.where('tenant_id', '=', tenantId);
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('created_at', 'desc').execute()).map(toTemplate);
  }

  async template(id: string): Promise<Template | undefined> {
    const r = await this.db
      .selectFrom('templates')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toTemplate(r);
  }

  async contentRules(): Promise<
    Array<{ id: string; term: string; category: string; action: string }>
  > {
    return this.db
      .selectFrom('content_rules')
      .select(['id', 'term', 'category', 'action'])
      .orderBy('id')
      .execute();
  }

  /** Replace the whole list in one transaction (the caller has validated it). */
  async replaceContentRules(
    rules: Array<{ id: string; term: string; category: string; action: string }>,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('content_rules').execute();
      const now = Date.now();
      for (let i = 0; i < rules.length; i += 500) {
        const chunk = rules.slice(i, i + 500);
        if (chunk.length)
          await trx
            .insertInto('content_rules')
            .values(chunk.map((r) => ({ ...r, created_at: now })))
            .execute();
      }
    });
  }

  async addReviewItem(
    trx: Db,
    item: {
      tenantId: string;
      batchId: string;
      messages: number;
      ruleId: string | null;
      category: string | null;
      matched: string | null;
      expiresAt: number;
    },
  ): Promise<string> {
    const id = newId('rev');
    await trx
      .insertInto('review_items')
      .values({
        id,
        tenant_id: item.tenantId,
        batch_id: item.batchId,
        messages: item.messages,
        rule_id: item.ruleId,
        category: item.category,
        matched: item.matched,
        status: 'pending',
        reason: null,
        decided_by: null,
        created_at: Date.now(),
        decided_at: null,
        expires_at: item.expiresAt,
      })
      .execute();
    return id;
  }

  async reviewItems(status?: string, tenantId?: string): Promise<ReviewItem[]> {
    let q = this.db.selectFrom('review_items').selectAll();
    if (status) q = q.where('status', '=', status);
    if (tenantId) q = q.where('tenant_id', '=', tenantId);
    return (await q.orderBy('created_at').limit(500).execute()).map(toReview);
  }

  async reviewItem(id: string): Promise<ReviewItem | undefined> {
    const r = await this.db
      .selectFrom('review_items')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toReview(r);
  }

  async decideReview(
    trx: Db,
    id: string,
    status: 'approved' | 'rejected' | 'expired',
    reason: string,
    by: string | null,
  ): Promise<ReviewItem | undefined> {
    const r = await trx
      .updateTable('review_items')
      .set({ status, reason, decided_by: by, decided_at: Date.now() })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    return r && toReview(r);
  }

  async expiredReviews(now: number): Promise<ReviewItem[]> {
    return (
      await this.db
        .selectFrom('review_items')
        .selectAll()
        .where('status', '=', 'pending')
        .where('expires_at', '<=', now)
        .execute()
    ).map(toReview);
  }

  /** Of these numbers, the ones a tenant may not send to: its opt-outs and the global block list. */
  async suppressed(
    tenantId: string,
    numbers: string[],
  ): Promise<Map<string, 'opted_out' | 'blocked'>> {
    const out = new Map<string, 'opted_out' | 'blocked'>();
    for (let i = 0; i < numbers.length; i += 1000) {
      const chunk = numbers.slice(i, i + 1000);
      const opted = await this.db
        .selectFrom('opt_outs')
        .select('number')
        .where('tenant_id', '=', tenantId)
        .where('number', 'in', chunk)
        .execute();
      for (const r of opted) out.set(r.number, 'opted_out');
      const blocked = await this.db
        .selectFrom('block_list')
        .select('number')
        .where('number', 'in', chunk)
        .execute();
      for (const r of blocked) out.set(r.number, 'blocked');
    }
    return out;
  }

  /** Returns true when the number was not opted out before. */
  async optOut(tenantId: string, number: string, source: string): Promise<boolean> {
    const r = await this.db
      .insertInto('opt_outs')
      .values({ tenant_id: tenantId, number, source, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['tenant_id', 'number']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async optOuts(
    tenantId: string,
  ): Promise<Array<{ number: string; source: string; createdAt: number }>> {
    return (
      await this.db
        .selectFrom('opt_outs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .execute()
    ).map((r) => ({ number: r.number, source: r.source, createdAt: r.created_at }));
  }

  /** Re-subscribe: only with consent on record. */
  async resubscribe(
    tenantId: string,
    number: string,
  ): Promise<'removed' | 'no_consent' | 'not_opted_out'> {
    const consent = await this.db
      .selectFrom('consents')
      .select('number')
      .where('tenant_id', '=', tenantId)
      .where('number', '=', number)
      .executeTakeFirst();
    if (!consent) return 'no_consent';
    const r = await this.db
      .deleteFrom('opt_outs')
      .where('tenant_id', '=', tenantId)
      .where('number', '=', number)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1 ? 'removed' : 'not_opted_out';
  }

  async addConsents(
    tenantId: string,
    rows: Array<{ number: string; evidence: string }>,
  ): Promise<number> {
    let added = 0;
    for (const r of rows) {
      const res = await this.db
        .insertInto('consents')
        .values({
          tenant_id: tenantId,
          number: r.number,
          evidence: r.evidence,
          created_at: Date.now(),
        })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'number']).doUpdateSet({ evidence: r.evidence }),
        )
        .executeTakeFirst();
      added += Number(res.numInsertedOrUpdatedRows ?? 0) > 0 ? 1 : 0;
    }
    return added;
  }

  async consents(
    tenantId: string,
  ): Promise<Array<{ number: string; evidence: string; createdAt: number }>> {
    return (
      await this.db
        .selectFrom('consents')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .execute()
    ).map((r) => ({ number: r.number, evidence: r.evidence, createdAt: r.created_at }));
  }

  async block(number: string, reason: string): Promise<void> {
    await this.db
      .insertInto('block_list')
      .values({ number, reason, created_at: Date.now() })
      .onConflict((oc) => oc.column('number').doNothing())
      .execute();
  }

  /** Recent sends to these numbers by this tenant in this class (for frequency caps). */
  async recentSends(
    tenantId: string,
    cls: string,
    numbers: string[],
    since: number,
  ): Promise<Map<string, Array<{ at: number; textHash: string }>>> {
    const out = new Map<string, Array<{ at: number; textHash: string }>>();
    for (let i = 0; i < numbers.length; i += 1000) {
      const rows = await sql<{ to: string; created_at: number; text_hash: string | null }>`
        select "to", created_at, text_hash from messages
        where tenant_id = ${tenantId} and class = ${cls} and created_at >= ${since} and "to" in (${sql.join(numbers.slice(i, i + 1000))})
          and status not in ('failed', 'rejected')`.execute(this.db);
      for (const r of rows.rows)
        out.set(r.to, [
          ...(out.get(r.to) ?? []),
          { at: Number(r.created_at), textHash: r.text_hash ?? '' },
        ]);
    }
    return out;
  }
}

function toSignature(r: SignatureTable): Signature {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    text: r.text,
    proofRef: r.proof_ref,
    isDefault: Number(r.is_default) === 1,
    status: r.status,
    reason: r.reason,
    createdAt: r.created_at,
    reviewedAt: r.reviewed_at,
  };
}

function toTemplate(r: TemplateTable): Template {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    body: r.body,
    variables: JSON.parse(r.variables) as string[],
    class: r.class,
    status: r.status,
    reason: r.reason,
    createdAt: r.created_at,
    reviewedAt: r.reviewed_at,
  };
}

function toReview(r: ReviewItemTable): ReviewItem {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    batchId: r.batch_id,
    messages: Number(r.messages),
    ruleId: r.rule_id,
    category: r.category,
    matched: r.matched,
    status: r.status,
    reason: r.reason,
    createdAt: r.created_at,
    decidedAt: r.decided_at,
    expiresAt: r.expires_at,
  };
}
