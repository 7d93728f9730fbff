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

  async renew(id: string, fromEnd: string, newEnd: string, db: Db): Promise<boolean> {
    const r = await db
      .updateTable('contracts')
      .set({ end_date: newEnd, quota_used: 0, updated_at: Date.now() })
      .where('id', '=', id)
      .where('end_date', '=', fromEnd)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async markReminded(id: string, marks: string[]): Promise<void> {
    await this.db
      .updateTable('contracts')
      .set({ reminded: marks.join(','), updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  /** Post a fee once: the reference makes a second posting for the same period impossible. */
  async chargeFee(
    tenantId: string,
    currency: string,
    fee: FeeItem,
    ref: string,
    db: Db = this.db,
  ): Promise<boolean> {
    const seen = await db
      .selectFrom('ledger_entries')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('external_ref', '=', ref)
      .executeTakeFirst();
    if (seen) return false;
    await post(
      db,
      { tenantId, currency, kind: 'fee', amount: -fee.amount, reason: fee.name, externalRef: ref },
      Date.now(),
    );
    return true;
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
