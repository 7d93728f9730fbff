// The ledger: append-only entries, each changing what a tenant has available and what is held
// for messages in flight. A balances row per tenant caches the sums for the accept path's check;
// `verify()` recomputes everything from the entries and the messages. Holds are posted at
// acceptance (store/messages.ts) and settled as messages end (store/settlement.ts).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './db.ts';
import { DomainError } from '../core/errors.ts';
import { formatAmount } from '../core/billing/money.ts';

type Db = Kysely<Database> | Transaction<Database>;

export const LEDGER_KINDS = [
  'recharge',
  'hold',
  'release',
  'charge',
  'refund',
  'fee',
  'adjustment',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface Posting {
  tenantId: string;
  currency: string;
  kind: LedgerKind;
  /** Change to the available balance (minor units). */
  amount: number;
  /** Change to the held amount. */
  heldChange?: number;
  reason: string;
  reference?: string | null;
  batchId?: string | null;
  quantity?: number | null;
  actor?: string | null;
  externalRef?: string | null;
}

export interface Balance {
  available: number;
  held: number;
}

export interface LedgerEntry {
  id: number;
  kind: string;
  amount: number;
  heldChange: number;
  balanceAfter: number;
  heldAfter: number;
  currency: string;
  reason: string;
  reference: string | null;
  batchId: string | null;
  quantity: number | null;
  actor: string | null;
  externalRef: string | null;
  createdAt: number;
}

/** Post one entry and move the cached balance with it, in the caller's transaction. */
export async function post(trx: Db, p: Posting, now: number): Promise<Balance> {
  const held = p.heldChange ?? 0;
  await trx
    .insertInto('balances')
    .values({ tenant_id: p.tenantId, available: 0, held: 0, updated_at: now })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
  const b = await trx
    .updateTable('balances')
    .set((eb) => ({
      available: eb('available', '+', p.amount),
      held: eb('held', '+', held),
      updated_at: now,
    }))
    .where('tenant_id', '=', p.tenantId)
    .returning(['available', 'held'])
    .executeTakeFirstOrThrow();
  const balance = { available: Number(b.available), held: Number(b.held) };
  await trx
    .insertInto('ledger_entries')
    .values({
      tenant_id: p.tenantId,
      amount: p.amount,
      held_change: held,
      balance_after: balance.available,
      held_after: balance.held,
      currency: p.currency,
      kind: p.kind,
      reason: p.reason,
      reference: p.reference ?? null,
      batch_id: p.batchId ?? null,
      quantity: p.quantity ?? null,
      actor: p.actor ?? null,
      external_ref: p.externalRef ?? null,
      created_at: now,
    })
    .execute();
  return balance;
}

/**
 * On termination the unused balance is paid back (docs/billing.md, Termination): one refund entry
 * taking the available balance to zero. Amounts still held settle as their messages finish.
 */
export async function refundUnused(
  trx: Db,
  tenantId: string,
  currency: string,
  actor: string | null,
  now: number,
): Promise<number> {
  // An update that changes nothing still locks the row on PostgreSQL, so the amount read is final.
  const row = await trx
    .updateTable('balances')
    .set({ updated_at: now })
    .where('tenant_id', '=', tenantId)
    .returning('available')
    .executeTakeFirst();
  const available = Number(row?.available ?? 0);
  if (available <= 0) return 0;
  await post(
    trx,
    {
      tenantId,
      currency,
      kind: 'refund',
      amount: -available,
      reason: 'unused balance paid back on termination',
      actor,
    },
    now,
  );
  return available;
}

/** The available balance, locked for this transaction on PostgreSQL (the accept path's check). */
export async function lockBalance(
  trx: Db,
  dialect: Dialect,
  tenantId: string,
  now: number,
): Promise<Balance> {
  await trx
    .insertInto('balances')
    .values({ tenant_id: tenantId, available: 0, held: 0, updated_at: now })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
  const lock = dialect === 'postgres' ? sql`for update` : sql``;
  const r = await sql<{
    available: number;
    held: number;
  }>`select available, held from balances where tenant_id = ${tenantId} ${lock}`.execute(trx);
  return { available: Number(r.rows[0]!.available), held: Number(r.rows[0]!.held) };
}

export interface VerifyReport {
  tenants: number;
  messages: number;
  differences: Array<{ tenantId: string; check: string; expected: number; actual: number }>;
}

export class LedgerStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async balance(tenantId: string): Promise<Balance> {
    const b = await this.db
      .selectFrom('balances')
      .select(['available', 'held'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return { available: Number(b?.available ?? 0), held: Number(b?.held ?? 0) };
  }

  async entries(
    tenantId: string,
    f: { before?: number; limit: number; kind?: string },
  ): Promise<LedgerEntry[]> {
    let q = this.db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', tenantId);
    if (f.before !== undefined) q = q.where('id', '<', f.before);
    if (f.kind) q = q.where('kind', '=', f.kind);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      amount: Number(r.amount),
      heldChange: Number(r.held_change),
      balanceAfter: Number(r.balance_after),
      heldAfter: Number(r.held_after),
      currency: r.currency,
      reason: r.reason,
      reference: r.reference,
      batchId: r.batch_id,
      quantity: r.quantity === null ? null : Number(r.quantity),
      actor: r.actor,
      externalRef: r.external_ref,
      createdAt: r.created_at,
    }));
  }

  /**
   * Money in: once per payment reference. In the caller's transaction when given one (a confirmed
   * recharge request: the request's status and its ledger row are committed together).
   */
  async recharge(
    tenantId: string,
    currency: string,
    amount: number,
    externalRef: string,
    note: string,
    actor: string | null,
    within?: Transaction<Database>,
  ): Promise<Balance> {
    if (!Number.isSafeInteger(amount) || amount <= 0)
      throw new DomainError('invalid_amount', 'a recharge must be a positive amount', {
        field: 'amount',
      });
    const run = async (trx: Transaction<Database>) => {
      const seen = await trx
        .selectFrom('ledger_entries')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('external_ref', '=', externalRef)
        .executeTakeFirst();
      if (seen)
        throw new DomainError(
          'duplicate_reference',
          `payment reference ${externalRef} was already recorded`,
          { field: 'reference' },
        );
      return post(
        trx,
        {
          tenantId,
          currency,
          kind: 'recharge',
          amount,
          reason: note || 'recharge',
          externalRef,
          actor,
        },
        Date.now(),
      );
    };
    return within ? run(within) : this.db.transaction().execute(run);
  }

  /**
   * Credit a tenant for the operator's mistake (docs/billing.md, The ledger). With a batch:
   * exactly what was charged for it, less what was refunded for it before; otherwise an amount no
   * larger than everything charged and not yet refunded.
   */
  async refund(
    tenantId: string,
    currency: string,
    input: { batchId?: string; amount?: number },
    reason: string,
    actor: string | null,
  ): Promise<{ amount: number; balance: Balance }> {
    if (!reason.trim())
      throw new DomainError('invalid_request', 'a refund needs a reason', { field: 'reason' });
    return this.db.transaction().execute(async (trx) => {
      await lockBalance(trx, this.dialect, tenantId, Date.now());
      const scope = input.batchId;
      const charged = await sql<{
        s: number;
      }>`select coalesce(sum(-held_change), 0) as s from ledger_entries
        where tenant_id = ${tenantId} and kind = 'charge' ${scope ? sql`and batch_id = ${scope}` : sql``}`.execute(
        trx,
      );
      const refunded = await sql<{
        s: number;
      }>`select coalesce(sum(amount), 0) as s from ledger_entries
        where tenant_id = ${tenantId} and kind = 'refund' and amount > 0 ${scope ? sql`and batch_id = ${scope}` : sql``}`.execute(
        trx,
      );
      const refundable = Number(charged.rows[0]!.s) - Number(refunded.rows[0]!.s);
      const amount = input.amount ?? refundable;
      if (input.amount !== undefined && (!Number.isSafeInteger(amount) || amount <= 0))
        throw new DomainError('invalid_amount', 'a refund must be a positive amount', {
          field: 'amount',
        });
      if (amount > refundable || amount <= 0) {
        throw new DomainError(
          'invalid_amount',
          `${formatAmount(amount)} is more than the ${formatAmount(Math.max(0, refundable))} ${currency} charged${scope ? ` for batch ${scope}` : ''} and not yet refunded`,
          {
            field: input.amount !== undefined ? 'amount' : 'batchId',
            refundable: formatAmount(Math.max(0, refundable)),
          },
        );
      }
      const balance = await post(
        trx,
        {
          tenantId,
          currency,
          kind: 'refund',
          amount,
          reason: reason.trim(),
          batchId: scope ?? null,
          actor,
        },
        Date.now(),
      );
      return { amount, balance };
    });
  }

  /** Recompute every tenant's balance from its entries and from its messages; list every difference. */
  async verify(): Promise<VerifyReport> {
    const differences: VerifyReport['differences'] = [];
    const cached = new Map(
      (
        await this.db.selectFrom('balances').select(['tenant_id', 'available', 'held']).execute()
      ).map((b) => [b.tenant_id, { available: Number(b.available), held: Number(b.held) }]),
    );
    const ledger = await sql<{
      tenant_id: string;
      available: number;
      held: number;
      charged: number;
    }>`
      select tenant_id, coalesce(sum(amount), 0) as available, coalesce(sum(held_change), 0) as held,
             coalesce(sum(case when kind = 'charge' then -held_change else 0 end), 0) as charged
      from ledger_entries group by tenant_id`.execute(this.db);
    const fromMessages = await sql<{ tenant_id: string; held: number; charged: number; n: number }>`
      select tenant_id, coalesce(sum(case when billing = 'held' then amount else 0 end), 0) as held,
             coalesce(sum(charged), 0) as charged, count(*) as n
      from messages group by tenant_id`.execute(this.db);
    const msgs = new Map(fromMessages.rows.map((r) => [r.tenant_id, r]));
    const tenants = new Set([
      ...cached.keys(),
      ...ledger.rows.map((r) => r.tenant_id),
      ...msgs.keys(),
    ]);
    const check = (tenantId: string, name: string, expected: number, actual: number) => {
      if (expected !== actual) differences.push({ tenantId, check: name, expected, actual });
    };
    const byTenant = new Map(ledger.rows.map((r) => [r.tenant_id, r]));
    let messages = 0;
    for (const t of tenants) {
      const l = byTenant.get(t);
      const c = cached.get(t) ?? { available: 0, held: 0 };
      const m = msgs.get(t);
      messages += Number(m?.n ?? 0);
      check(t, 'available: balance row vs ledger', Number(l?.available ?? 0), c.available);
      check(t, 'held: balance row vs ledger', Number(l?.held ?? 0), c.held);
      check(t, 'held: ledger vs messages on hold', Number(l?.held ?? 0), Number(m?.held ?? 0));
      check(t, 'charged: ledger vs messages', Number(l?.charged ?? 0), Number(m?.charged ?? 0));
      // A negative available balance is allowed (fees may exceed it: it is then owed), not a difference.
    }
    return { tenants: tenants.size, messages, differences };
  }
}
