// Statement figures from the ledger and the message rows, and the statements kept once a month ends.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Statement, StatementFigures } from '../core/billing/statement.ts';

export class StatementStore {
  constructor(private readonly db: Kysely<Database>) {}

  async figures(tenantId: string, start: number, end: number): Promise<StatementFigures> {
    const totals = await sql<{ opening: number; closing: number; held: number }>`
      select coalesce(sum(case when created_at < ${start} then amount + held_change else 0 end), 0) as opening,
             coalesce(sum(amount + held_change), 0) as closing,
             coalesce(sum(held_change), 0) as held
      from ledger_entries where tenant_id = ${tenantId} and created_at < ${end}`.execute(this.db);
    const kinds = await sql<{ kind: string; amount: number; held: number }>`
      select kind, coalesce(sum(amount), 0) as amount, coalesce(sum(held_change), 0) as held
      from ledger_entries where tenant_id = ${tenantId} and created_at >= ${start} and created_at < ${end}
      group by kind`.execute(this.db);
    const k = (kind: string) => kinds.rows.find((r) => r.kind === kind);
    const lines = await sql<{
      class: string;
      destination: string | null;
      parts: number;
      amount: number;
    }>`
      select class, destination, coalesce(sum(case when price > 0 then charged / price else 0 end), 0) as parts, coalesce(sum(charged), 0) as amount
      from messages where tenant_id = ${tenantId} and settled_at >= ${start} and settled_at < ${end} and charged > 0
      group by class, destination order by class, destination`.execute(this.db);
    const t = totals.rows[0]!;
    return {
      opening: Number(t.opening),
      closing: Number(t.closing),
      heldAtClose: Number(t.held),
      recharges: Number(k('recharge')?.amount ?? 0),
      refunds: Number(k('refund')?.amount ?? 0),
      adjustments: Number(k('adjustment')?.amount ?? 0),
      fees: -Number(k('fee')?.amount ?? 0),
      charges: -Number(k('charge')?.held ?? 0),
      lines: lines.rows.map((l) => ({
        class: l.class,
        destination: l.destination ?? 'other',
        parts: Number(l.parts),
        amount: Number(l.amount),
      })),
    };
  }

  async save(s: Statement): Promise<void> {
    await this.db
      .insertInto('statements')
      .values({
        tenant_id: s.tenantId,
        month: s.month,
        data: JSON.stringify(s),
        generated_at: Date.parse(s.generatedAt),
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'month']).doNothing())
      .execute();
  }

  async load(tenantId: string, month: string): Promise<Statement | undefined> {
    const row = await this.db
      .selectFrom('statements')
      .select('data')
      .where('tenant_id', '=', tenantId)
      .where('month', '=', month)
      .executeTakeFirst();
    return row && (JSON.parse(row.data) as Statement);
  }

  async months(tenantId: string): Promise<string[]> {
    return (
      await this.db
        .selectFrom('statements')
        .select('month')
        .where('tenant_id', '=', tenantId)
        .orderBy('month', 'desc')
        .execute()
    ).map((r) => r.month);
  }

  /** Tenants with no stored statement for the month yet (and that existed before it ended). */
  async missing(
    month: string,
    end: number,
  ): Promise<Array<{ id: string; name: string; currency: string }>> {
    return this.db
      .selectFrom('tenants')
      .select(['id', 'name', 'currency'])
      .where('created_at', '<', end)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('statements')
              .select('month')
              .whereRef('statements.tenant_id', '=', 'tenants.id')
              .where('statements.month', '=', month),
          ),
        ),
      )
      .execute();
  }
}
