// What a send request would do, without doing it: the console's cost estimate before "send", and
// integrators' dry run (POST /v1/messages/estimate). It runs the accept path's own steps
// (accept-messages.ts prepareSend / screenRecipients, core/billing/affordability.ts) and
// writes nothing: no message, no hold, no idempotency record, no use of the send budget.
import { DomainError, errorCatalog, type ErrorCode } from '../core/errors.ts';
import { assertCanSend } from '../core/tenancy/lifecycle.ts';
import { money, type Money } from '../core/billing/money.ts';
import { fitBalance, payFromPackage, totalAmount } from '../core/billing/affordability.ts';
import type { LedgerStore } from '../store/ledger.ts';
import type { Tenant } from '../store/tenants.ts';
import { checkContract } from './contracts.ts';
import { prepareSend, screenRecipients, type AcceptDeps } from './accept-messages.ts';
import { readSendRequest, type SendRequest } from './send-request.ts';

export interface EstimateDeps {
  accept: AcceptDeps;
  ledger: LedgerStore;
}

export interface RefusedRecipient {
  input: string;
  code: string;
  detail: string;
}

export interface Estimate {
  recipients: {
    submitted: number;
    /** Would get a message (before the balance is considered). */
    valid: number;
    duplicates: number;
    /** Not a phone number. */
    invalid: RefusedRecipient[];
    optedOut: number;
    blocked: number;
    /** Every other recipient the send would refuse, with why (opted out, blocked, frequency…). */
    refused: RefusedRecipient[];
  };
  class: string;
  /** The text the first recipient would get; null when the text itself is refused (see issues). */
  text: string | null;
  encoding: string | null;
  parts: number | null;
  totalParts: number;
  /** Price per part when every recipient has the same; null when destinations differ. */
  pricePerPart: Money | null;
  total: Money;
  /** Available plus held. */
  balance: Money;
  available: Money;
  balanceAfter: Money;
  affordable: boolean;
  /** Held for manual content review when sent. */
  review: boolean;
  /** Marketing outside its sending hours waits until then (ISO time), else null. */
  notBefore: string | null;
  issues: Array<{ code: string; detail: string }>;
}

export async function estimateMessages(
  deps: EstimateDeps,
  tenant: Tenant,
  req: SendRequest,
  opts: { test?: boolean } = {},
): Promise<Estimate> {
  const accept = deps.accept;
  // A malformed request is refused as the send refuses it (400/422); everything else is an issue.
  const shape = readSendRequest(accept, req);
  const issues: DomainError[] = [];
  const test = opts.test === true;
  const contract = test ? undefined : await accept.contracts?.current(tenant.id);
  for (const check of [
    () => assertCanSend(tenant.status),
    () => checkContract(contract, Date.now(), accept.utcOffsetMinutes ?? 480),
  ]) {
    try {
      check();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      issues.push(err);
    }
  }
  const send = await prepareSend(
    accept,
    tenant,
    req,
    {
      rawText: shape.text,
      recipients: shape.recipients,
      overBudget: [],
      clientRef: shape.clientRef,
      callbackUrl: shape.callbackUrl,
      callbackStatuses: shape.callbackStatuses,
      test,
    },
    issues,
  );
  const rows = await screenRecipients(
    accept,
    tenant,
    send.class,
    send.rows,
    send.rejected,
    send.now,
  );

  const recipients: Estimate['recipients'] = {
    submitted: shape.recipients.length,
    valid: rows.length,
    duplicates: 0,
    invalid: [],
    optedOut: 0,
    blocked: 0,
    refused: [],
  };
  for (const r of send.rejected) {
    const entry = { input: r.to, code: r.code, detail: r.detail };
    if (r.code === 'duplicate_recipient') recipients.duplicates += 1;
    else if (r.code === 'invalid_number') recipients.invalid.push(entry);
    else {
      if (r.code === 'recipient_opted_out') recipients.optedOut += 1;
      if (r.code === 'recipient_blocked') recipients.blocked += 1;
      recipients.refused.push(entry);
    }
  }
  if (rows.length === 0 && send.rejected.length > 0) {
    const first = send.rejected[0]!;
    issues.push(
      new DomainError(
        first.code in errorCatalog ? (first.code as ErrorCode) : 'invalid_number',
        send.rejected.length === 1 ? first.detail : 'no recipient can be sent to',
      ),
    );
  }

  // Money as the accept transaction would decide it: the package first, then the balance.
  const priced = contract?.quota
    ? payFromPackage(rows, contract.quota - contract.quotaUsed).messages
    : rows;
  const total = totalAmount(priced);
  const { available, held } = await deps.ledger.balance(tenant.id);
  let affordable = true;
  if (total > 0) {
    try {
      const fit = fitBalance(priced, available, {
        currency: send.currency,
        partial: req.partial === true,
      });
      if (fit.unaffordable.length > 0) {
        affordable = false;
        issues.push(
          new DomainError(
            'insufficient_balance',
            `the balance covers ${fit.accepted.length} of ${priced.length} messages; with "partial" the rest are rejected`,
          ),
        );
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      affordable = false;
      issues.push(err);
    }
  }

  const first = rows[0];
  // The variant the first recipient gets (signed for China), else the international one.
  const variant =
    [send.cn, send.intl].find((v) => v && first && v.text === first.text) ?? send.intl ?? send.cn;
  const prices = new Set(priced.filter((m) => !m.package).map((m) => m.price ?? 0));
  const c = send.currency;
  return {
    recipients,
    class: send.class,
    text: variant?.text ?? null,
    encoding: variant?.count.encoding ?? null,
    parts: variant?.count.parts ?? null,
    totalParts: rows.reduce((sum, m) => sum + m.parts, 0),
    pricePerPart: prices.size <= 1 ? money([...prices][0] ?? 0, c) : null,
    total: money(total, c),
    balance: money(available + held, c),
    available: money(available, c),
    balanceAfter: money(available - total, c),
    affordable,
    review: send.text?.review != null,
    notBefore: send.text?.notBefore != null ? new Date(send.text.notBefore).toISOString() : null,
    issues: [
      ...issues.map((e) => ({ code: e.code, detail: e.message })),
      ...(send.text?.review
        ? [
            {
              code: 'held_for_review',
              detail: `the text matches "${send.text.review.matched}" (${send.text.review.category}): messages wait for the operator's review`,
            },
          ]
        : []),
    ],
  };
}
