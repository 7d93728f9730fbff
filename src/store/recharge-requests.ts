// Recharge requests: a tenant's "we paid, please credit us", with its proof file kept in the
// database (every node can serve it). Lists never read the file; deciding is a guarded update.
import type { Kysely, Transaction } from 'kysely';
import type { Database, RechargeRequestTable } from './schema.ts';
import { newId } from '../core/ids.ts';
import type { RechargeRequestStatus } from '../core/billing/recharge-request.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface RechargeRequest {
  id: string;
  tenantId: string;
  amount: number;
  currency: string;
  paymentReference: string;
  note: string | null;
  status: RechargeRequestStatus;
  proofType: string | null;
  proofSize: number | null;
  createdBy: string | null;
  createdAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  creditedAmount: number | null;
  ledgerEntryId: number | null;
  rejectReason: string | null;
}

export interface NewRechargeRequest {
  tenantId: string;
  amount: number;
  currency: string;
  paymentReference: string;
  note: string | null;
  proof: { data: Buffer; type: string } | null;
  createdBy: string | null;
}

/** Every column but the proof's bytes. */
const COLUMNS = [
  'id',
  'tenant_id',
  'amount',
  'currency',
  'payment_reference',
  'note',
  'status',
  'proof_type',
  'proof_size',
  'created_by',
  'created_at',
  'decided_by',
  'decided_at',
  'credited_amount',
  'ledger_entry_id',
  'reject_reason',
] as const;

export class RechargeRequestStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(r: NewRechargeRequest, now = Date.now()): Promise<RechargeRequest> {
    const id = newId('rcr', now);
    await this.db
      .insertInto('recharge_requests')
      .values({
        id,
        tenant_id: r.tenantId,
        amount: r.amount,
        currency: r.currency,
        payment_reference: r.paymentReference,
        note: r.note,
        status: 'pending',
        proof: r.proof?.data ?? null,
        proof_type: r.proof?.type ?? null,
        proof_size: r.proof?.data.length ?? null,
        created_by: r.createdBy,
        created_at: now,
        decided_by: null,
        decided_at: null,
        credited_amount: null,
        ledger_entry_id: null,
        reject_reason: null,
      })
      .execute();
    return (await this.get(id))!;
  }

  /** One request; within a tenant when `tenantId` is given (another tenant's id: undefined). */
  async get(id: string, tenantId?: string, db: Db = this.db): Promise<RechargeRequest | undefined> {
    let q = db.selectFrom('recharge_requests').select(COLUMNS).where('id', '=', id);
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    const row = await q.executeTakeFirst();
    return row && toRequest(row);
  }

  /** Is this payment reference pending or confirmed for the tenant already? */
  async referenceInUse(tenantId: string, reference: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('recharge_requests')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('payment_reference', '=', reference)
      .where('status', '<>', 'rejected')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Newest first; by tenant and/or status. */
  async list(f: {
    tenantId?: string;
    status?: RechargeRequestStatus;
    after?: string;
    limit: number;
  }): Promise<RechargeRequest[]> {
    let q = this.db.selectFrom('recharge_requests').select(COLUMNS);
    if (f.tenantId !== undefined) q = q.where('tenant_id', '=', f.tenantId);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.after !== undefined) q = q.where('id', '<', f.after);
    return (await q.orderBy('id', 'desc').limit(f.limit).execute()).map(toRequest);
  }

  async proof(
    id: string,
    tenantId?: string,
  ): Promise<{ data: Buffer; type: string } | null | undefined> {
    let q = this.db
      .selectFrom('recharge_requests')
      .select(['proof', 'proof_type'])
      .where('id', '=', id);
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    const row = await q.executeTakeFirst();
    if (!row) return undefined;
    if (row.proof === null || row.proof_type === null) return null;
    return { data: Buffer.from(row.proof), type: row.proof_type };
  }

  /**
   * Decide a pending request, guarded by its status: of two operators deciding at once exactly
   * one moves it (PostgreSQL re-checks the WHERE on the row it waited for). False for the other.
   */
  async decide(
    id: string,
    d:
      | { status: 'confirmed'; creditedAmount: number; by: string | null }
      | { status: 'rejected'; reason: string; by: string | null },
    db: Db,
    now = Date.now(),
  ): Promise<boolean> {
    const r = await db
      .updateTable('recharge_requests')
      .set({
        status: d.status,
        decided_by: d.by,
        decided_at: now,
        ...(d.status === 'confirmed'
          ? { credited_amount: d.creditedAmount }
          : { reject_reason: d.reason }),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setLedgerEntry(id: string, entryId: number, db: Db): Promise<void> {
    await db
      .updateTable('recharge_requests')
      .set({ ledger_entry_id: entryId })
      .where('id', '=', id)
      .execute();
  }
}

function toRequest(r: Omit<RechargeRequestTable, 'proof'>): RechargeRequest {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    amount: Number(r.amount),
    currency: r.currency,
    paymentReference: r.payment_reference,
    note: r.note,
    status: r.status as RechargeRequestStatus,
    proofType: r.proof_type,
    proofSize: r.proof_size === null ? null : Number(r.proof_size),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    creditedAmount: r.credited_amount === null ? null : Number(r.credited_amount),
    ledgerEntryId: r.ledger_entry_id === null ? null : Number(r.ledger_entry_id),
    rejectReason: r.reject_reason,
  };
}
