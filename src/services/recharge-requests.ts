// Recharge requests (docs/billing.md): a tenant asks to be credited for a bank transfer, with its
// payment reference and optionally a proof file; an operator confirms it into exactly one ledger
// recharge (the same LedgerStore.recharge as POST /v1/admin/tenants/{id}/recharges, in the
// transaction that decides the request) or rejects it with a reason. Both sides are audited and
// the tenant is told (notifier: email and SMS to its contact).
import type { Kysely } from 'kysely';
import { DomainError } from '../core/errors.ts';
import { formatAmount } from '../core/billing/money.ts';
import {
  amountToCredit,
  assertPending,
  parseRequestedAmount,
  PROOF_MAX_BYTES,
  sniffProofType,
} from '../core/billing/recharge-request.ts';
import type { Database } from '../store/schema.ts';
import type { Actor, AuditStore } from '../store/audit.ts';
import type { Balance, LedgerStore } from '../store/ledger.ts';
import type { RechargeRequest, RechargeRequestStore } from '../store/recharge-requests.ts';
import type { Tenant } from '../store/tenants.ts';
import type { Notice, Notifier } from '../events/notifications.ts';
import type { Logger } from '../logger.ts';

export type { RechargeRequest };

export const REFERENCE_MAX = 64;
export const NOTE_MAX = 500;
export const REASON_MAX = 500;

export interface RechargeRequestDeps {
  db: Kysely<Database>;
  requests: RechargeRequestStore;
  ledger: LedgerStore;
  audit: AuditStore;
  /** Tells the tenant of the decision; absent: nobody is told (tests of the store alone). */
  notifier?: Notifier;
  log?: Logger;
}

export interface RechargeRequestInput {
  amount: string;
  paymentReference: string;
  note?: string;
  proof?: Buffer;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export async function submitRechargeRequest(
  deps: RechargeRequestDeps,
  tenant: Tenant,
  input: RechargeRequestInput,
  actor: Actor,
): Promise<RechargeRequest> {
  const amount = parseRequestedAmount(input.amount, tenant.currency, 'amount');
  const reference = input.paymentReference.trim();
  if (!reference || [...reference].length > REFERENCE_MAX || CONTROL.test(reference))
    throw new DomainError(
      'invalid_request',
      `paymentReference must be 1-${REFERENCE_MAX} characters on one line`,
      { field: 'paymentReference' },
    );
  const note = input.note?.trim() || null;
  if (note !== null && [...note].length > NOTE_MAX)
    throw new DomainError('invalid_request', `note is longer than ${NOTE_MAX} characters`, {
      field: 'note',
    });
  let proof: { data: Buffer; type: string } | null = null;
  if (input.proof !== undefined) {
    if (input.proof.length > PROOF_MAX_BYTES)
      throw new DomainError('payload_too_large', 'the proof file is larger than 5 MB', {
        field: 'proof',
      });
    const type = sniffProofType(input.proof);
    if (!type)
      throw new DomainError('invalid_proof', 'the proof must be a PNG, JPEG or PDF file', {
        field: 'proof',
      });
    proof = { data: input.proof, type };
  }
  const duplicate = () =>
    new DomainError(
      'duplicate_reference',
      `payment reference ${reference} is already in a request that is pending or confirmed`,
      { field: 'paymentReference' },
    );
  if (await deps.requests.referenceInUse(tenant.id, reference)) throw duplicate();
  let request: RechargeRequest;
  try {
    request = await deps.requests.create({
      tenantId: tenant.id,
      amount,
      currency: tenant.currency,
      paymentReference: reference,
      note,
      proof,
      createdBy: actor.id,
    });
  } catch (err) {
    // Two submissions of one reference at once: the unique index took one.
    if (await deps.requests.referenceInUse(tenant.id, reference)) throw duplicate();
    throw err;
  }
  await deps.audit.record({
    tenantId: tenant.id,
    actor,
    action: 'billing.recharge_requested',
    targetType: 'recharge_request',
    targetId: request.id,
    details: {
      amount: formatAmount(amount),
      paymentReference: reference,
      proof: proof ? { type: proof.type, bytes: proof.data.length } : null,
    },
  });
  return request;
}

/**
 * Confirm a pending request: one transaction moves it to `confirmed` (guarded by status), posts
 * the recharge with the request's payment reference and records the ledger entry's id. Of two
 * confirmations at once one wins; the other gets 409 already_decided and writes nothing. A
 * reference the operator already recorded by hand is refused (409 duplicate_reference).
 */
export async function confirmRechargeRequest(
  deps: RechargeRequestDeps,
  id: string,
  correction: string | undefined,
  actor: Actor,
): Promise<{ request: RechargeRequest; balance: Balance }> {
  const before = await deps.requests.get(id);
  if (!before) throw new DomainError('not_found', `no recharge request ${id}`);
  const amount = amountToCredit(before, correction);
  const balance = await deps.db.transaction().execute(async (trx) => {
    if (
      !(await deps.requests.decide(
        id,
        { status: 'confirmed', creditedAmount: amount, by: actor.id },
        trx,
      ))
    )
      throw decidedMeanwhile(id);
    const b = await deps.ledger.recharge(
      before.tenantId,
      before.currency,
      amount,
      before.paymentReference,
      `recharge request ${id}`,
      actor.id,
      trx,
    );
    const entry = await trx
      .selectFrom('ledger_entries')
      .select('id')
      .where('tenant_id', '=', before.tenantId)
      .where('external_ref', '=', before.paymentReference)
      .executeTakeFirstOrThrow();
    await deps.requests.setLedgerEntry(id, Number(entry.id), trx);
    const details = {
      requestId: id,
      amount: formatAmount(amount),
      requested: formatAmount(before.amount),
      reference: before.paymentReference,
      ledgerEntryId: Number(entry.id),
    };
    await deps.audit.record(
      {
        tenantId: before.tenantId,
        actor,
        action: 'billing.recharge_request_confirmed',
        targetType: 'recharge_request',
        targetId: id,
        details,
      },
      trx,
    );
    // The same entry as a recharge recorded by hand, so every recharge is found under one action.
    await deps.audit.record(
      {
        tenantId: before.tenantId,
        actor,
        action: 'billing.recharged',
        targetType: 'tenant',
        targetId: before.tenantId,
        details,
      },
      trx,
    );
    return b;
  });
  const request = (await deps.requests.get(id))!;
  tell(deps, {
    tenantId: request.tenantId,
    kind: 'recharge_confirmed',
    subject: {
      key: 'notice.recharge_confirmed.subject',
      params: { amount: formatAmount(amount), currency: request.currency },
    },
    text: {
      key: 'notice.recharge_confirmed.text',
      params: {
        id,
        reference: request.paymentReference,
        amount: formatAmount(amount),
        currency: request.currency,
      },
    },
  });
  return { request, balance };
}

export async function rejectRechargeRequest(
  deps: RechargeRequestDeps,
  id: string,
  reason: string,
  actor: Actor,
): Promise<RechargeRequest> {
  const why = reason.trim();
  if (!why || [...why].length > REASON_MAX)
    throw new DomainError('invalid_request', `a rejection needs a reason (1-${REASON_MAX})`, {
      field: 'reason',
    });
  const before = await deps.requests.get(id);
  if (!before) throw new DomainError('not_found', `no recharge request ${id}`);
  assertPending(before.status);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await deps.requests.decide(id, { status: 'rejected', reason: why, by: actor.id }, trx)))
      throw decidedMeanwhile(id);
    await deps.audit.record(
      {
        tenantId: before.tenantId,
        actor,
        action: 'billing.recharge_request_rejected',
        targetType: 'recharge_request',
        targetId: id,
        details: {
          amount: formatAmount(before.amount),
          reference: before.paymentReference,
          reason: why,
        },
      },
      trx,
    );
  });
  tell(deps, {
    tenantId: before.tenantId,
    kind: 'recharge_rejected',
    subject: { key: 'notice.recharge_rejected.subject' },
    text: {
      key: 'notice.recharge_rejected.text',
      params: {
        id,
        reference: before.paymentReference,
        amount: formatAmount(before.amount),
        currency: before.currency,
        reason: why,
      },
    },
  });
  return (await deps.requests.get(id))!;
}

function decidedMeanwhile(id: string): DomainError {
  return new DomainError('already_decided', `recharge request ${id} was decided meanwhile`);
}

/**
 * Tell the tenant after the decision is committed, without holding the operator's answer for a
 * slow mail server; every attempt is recorded in notifications (GET /v1/notifications).
 */
function tell(deps: RechargeRequestDeps, notice: Notice): void {
  if (!deps.notifier) return;
  deps.notifier.notify(notice).catch((err: unknown) => {
    deps.log?.warn({ err, tenant: notice.tenantId, kind: notice.kind }, 'notification failed');
  });
}
