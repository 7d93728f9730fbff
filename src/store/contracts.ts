// Contracts and the fee postings they cause.
import type { Kysely, Transaction } from 'kysely';
import type { ContractTable, Database } from './schema.ts';
import type { ContractTerms, FeeItem } from '../core/billing/contract.ts';
import { newId } from '../core/ids.ts';
import { post } from './ledger.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface Contract extends ContractTerms {
  id: string;
  tenantId: string;
  quotaUsed: number;
  reminded: string[];
  createdAt: number;
}

export class ContractStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(tenantId: string, t: ContractTerms, db: Db = this.db): Promise<Contract> {
    const now = Date.now();
    const row: ContractTable = {
      id: newId('con'),
      tenant_id: tenantId,
      number: t.number,
      start_date: t.startDate,
      end_date: t.endDate,
      quota: t.quota,
      quota_used: 0,
      fees: JSON.stringify(t.fees),
      auto_renew: t.autoRenew ? 1 : 0,
      renew_months: t.renewMonths,
      reminded: '',
      created_at: now,
      updated_at: now,
    };
    await db.insertInto('contracts').values(row).execute();
    return toContract(row);
  }

  async numberTaken(number: string): Promise<boolean> {
    return (
      (await this.db
        .selectFrom('contracts')
        .select('id')
        .where('number', '=', number)
        .executeTakeFirst()) !== undefined
    );
  }

  async list(tenantId: string): Promise<Contract[]> {
    return (
      await this.db
        .selectFrom('contracts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('end_date', 'desc')
        .execute()
    ).map(toContract);
  }

  /** The contract that governs a tenant now: the one with the latest end date. */
  async current(tenantId: string, db: Db = this.db): Promise<Contract | undefined> {
    const row = await db
      .selectFrom('contracts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('end_date', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toContract(row);
  }

  async all(): Promise<Contract[]> {
    return (await this.db.selectFrom('contracts').selectAll().execute()).map(toContract);
  }

  /** Use `parts` of the package, guarded so two requests never use the same quota. */
  async useQuota(id: string, parts: number, db: Db): Promise<boolean> {
    const r = await db
      .updateTable('contracts')
      .set((eb) => ({ quota_used: eb('quota_used', '+', parts) }))
      .where('id', '=', id)
      .where((eb) => eb(eb('quota', '-', eb.ref('quota_used')), '>=', parts))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Guarded by the old end date: of two runs renewing at once, one does. */
  async renew(
    id: string,
    fromEnd: string,
    newEnd: string,
    db: Db,
    now = Date.now(),
  ): Promise<boolean> {
    const r = await db
      .updateTable('contracts')
      .set({ end_date: newEnd, quota_used: 0, updated_at: now })
      .where('id', '=', id)
      .where('end_date', '=', fromEnd)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Record reminders sent, guarded by the marks read before: of two runs reminding at once only
   * one gets `true` (and sends); the other sees the marks changed under it.
   */
  async markReminded(
    id: string,
    seen: readonly string[],
    marks: readonly string[],
    now = Date.now(),
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('contracts')
      .set({ reminded: marks.join(','), updated_at: now })
      .where('id', '=', id)
      .where('reminded', '=', seen.join(','))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Post a fee once: the reference makes a second posting for the same period impossible. In the
   * caller's transaction when given one (its own guard decides); otherwise in one of its own, so
   * the balance and the ledger row go together: when two runs pass the check at once, the unique
   * (tenant_id, external_ref) index refuses the second row and its whole transaction rolls back.
   */
  async chargeFee(
    tenantId: string,
    currency: string,
    fee: FeeItem,
    ref: string,
    db?: Db,
    now = Date.now(),
  ): Promise<boolean> {
    const charge = async (trx: Db) => {
      if (await this.#charged(trx, tenantId, ref)) return false;
      await post(
        trx,
        {
          tenantId,
          currency,
          kind: 'fee',
          amount: -fee.amount,
          reason: fee.name,
          externalRef: ref,
        },
        now,
      );
      return true;
    };
    if (db) return charge(db);
    try {
      return await this.db.transaction().execute(charge);
    } catch (err) {
      if (await this.#charged(this.db, tenantId, ref)) return false;
      throw err;
    }
  }

  async #charged(db: Db, tenantId: string, ref: string): Promise<boolean> {
    const seen = await db
      .selectFrom('ledger_entries')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('external_ref', '=', ref)
      .executeTakeFirst();
    return seen !== undefined;
  }
}

function toContract(r: ContractTable): Contract {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    number: r.number,
    startDate: r.start_date,
    endDate: r.end_date,
    quota: r.quota === null ? null : Number(r.quota),
    quotaUsed: Number(r.quota_used),
    fees: JSON.parse(r.fees) as FeeItem[],
    autoRenew: Number(r.auto_renew) === 1,
    renewMonths: Number(r.renew_months),
    reminded: r.reminded ? r.reminded.split(',') : [],
    createdAt: r.created_at,
  };
}
