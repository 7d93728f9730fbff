// Accept a send request: validate, normalise numbers, split once, write everything in one
// transaction as `queued`. The same use case serves every entry point (HTTP, and the SMPP and CMPP
// servers' batched submits).
import { createHash, randomInt } from 'node:crypto';
import { DomainError, errorCatalog, type ErrorCode } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { countParts } from '../core/message/parts.ts';
import { assertSendableText } from '../core/message/text-check.ts';
import { normaliseNumber } from '../core/phone.ts';
import { assertCanSend } from '../core/tenancy/lifecycle.ts';
import { MESSAGE_CLASSES, priceFor, type MessageClass } from '../core/billing/rating.ts';
import { cnCarrierOf } from '../core/billing/cn-carrier.ts';
import { formatAmount, money, type Money } from '../core/billing/money.ts';
import type { PricePlanStore } from '../store/price-plans.ts';
import type { ContractStore } from '../store/contracts.ts';
import { checkContract } from './contracts.ts';
import { matchView, type ComplianceService, type PreparedText } from './compliance.ts';
import type { MessageStore } from '../store/messages.ts';
import type { MessageOrigin, NewMessage } from '../store/message-rows.ts';
import type { Tenant } from '../store/tenants.ts';
import type { EgressPolicy } from '../net/egress-policy.ts';
import { callbackOf, validate, type SendRequest } from './send-request.ts';
import type { SendLimiter } from './send-limits.ts';

export type { SendRequest };

export interface AcceptedMessage {
  id: string;
  to: string;
  status: 'queued' | 'held';
  parts: number;
  encoding: string;
  /** What the message costs (parts × price per part); held now, charged per the tenant's plan. */
  price: Money;
}

export interface RejectedRecipient {
  to: string;
  code: string;
  detail: string;
}

export interface SendResult {
  batchId: string;
  messages: AcceptedMessage[];
  rejected: RejectedRecipient[];
}

export interface AcceptDeps {
  messages: MessageStore;
  prices: PricePlanStore;
  /** Signatures, templates, content rules, opt-outs, frequency caps, sending hours (absent: none). */
  compliance?: ComplianceService;
  /** Contracts gate sending to their period and supply package quotas (absent: no gate). */
  contracts?: ContractStore;
  utcOffsetMinutes?: number;
  defaultRegion: string;
  maxRecipients: number;
  maxParts: number;
  /** Where a callbackUrl may point (webhooks.allowedTargets); absent: public addresses only. */
  callbackPolicy?: EgressPolicy;
  /** Messages per second and in flight per tenant (absent: unlimited). */
  limiter?: SendLimiter;
}

export interface AcceptOutcome {
  statusCode: number;
  body: SendResult;
  /** True when this answer is the stored one of an earlier request with the same key. */
  replayed: boolean;
}

export async function acceptMessages(
  deps: AcceptDeps,
  tenant: Tenant,
  req: SendRequest,
  opts: {
    idempotencyKey?: string;
    test?: boolean;
    /** The SMPP server's submits: how they came in (stored on each message). */
    origin?: MessageOrigin;
    /** Ids chosen by the caller, by recipient index (SMPP answers concatenated parts early). */
    messageIds?: readonly string[];
    /**
     * Past the tenant's message budget, refuse only the recipients beyond it (each with
     * rate_limited) instead of the whole request: the SMPP/CMPP servers batch independent submits.
     */
    limitPerRecipient?: boolean;
  } = {},
): Promise<AcceptOutcome> {
  const idempotencyKey = opts.idempotencyKey;
  const requestHash = idempotencyKey ? hashRequest(req) : '';
  if (idempotencyKey) {
    const earlier = await deps.messages.findIdempotency(tenant.id, idempotencyKey);
    if (earlier) return replay(earlier, requestHash);
  }

  assertCanSend(tenant.status);
  const contract = opts.test ? undefined : await deps.contracts?.current(tenant.id);
  checkContract(contract, Date.now(), deps.utcOffsetMinutes ?? 480);
  const { text: rawText, recipients, clientRef } = validate(deps, req);
  const { callbackUrl, callbackStatuses } = callbackOf(deps, req);
  // The budget is counted in messages, one per recipient (parts do not count): docs/http.md.
  const permit = deps.limiter
    ? await deps.limiter.admit(tenant.id, recipients.length, opts.limitPerRecipient === true)
    : null;
  const granted = permit ? permit.granted : recipients.length;
  let accepted = 0;
  try {
    const outcome = await acceptAdmitted(deps, tenant, req, opts, {
      idempotencyKey,
      requestHash,
      contract,
      rawText,
      recipients: recipients.slice(0, granted),
      overBudget: recipients.slice(granted),
      clientRef,
      callbackUrl,
      callbackStatuses,
    });
    accepted = outcome.body.messages.length;
    return outcome;
  } finally {
    permit?.finish(accepted);
  }
}

// Recipients are prepared in slices of this many, with a turn of the event loop between slices,
// so one large request never holds the loop (HTTP, SMPP and CMPP share it) for long.
const SLICE = 500;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function acceptAdmitted(
  deps: AcceptDeps,
  tenant: Tenant,
  req: SendRequest,
  opts: Parameters<typeof acceptMessages>[3] & object,
  ctx: {
    idempotencyKey: string | undefined;
    requestHash: string;
    contract: Awaited<ReturnType<NonNullable<AcceptDeps['contracts']>['current']>> | undefined;
    rawText: string | null;
    recipients: unknown[];
    overBudget: unknown[];
    clientRef: string | null;
    callbackUrl: string | null;
    callbackStatuses: string | null;
  },
): Promise<AcceptOutcome> {
  const { idempotencyKey, requestHash, contract } = ctx;
  const send = await prepareSend(deps, tenant, req, {
    ...ctx,
    test: opts.test === true,
    ...(opts.origin ? { origin: opts.origin } : {}),
    ...(opts.messageIds ? { messageIds: opts.messageIds } : {}),
  });
  const { now, batchId, currency, rejected } = send;
  // Without `issues`, prepareSend throws every refusal: the text is there.
  const prepared = send.text!;
  const rows = await screenRecipients(deps, tenant, send.class, send.rows, rejected, now);
  if (rows.length === 0) {
    // Nobody left: nothing was accepted, so the request fails (422 for the per-recipient codes,
    // never 429: frequency_limited is about a recipient, not the caller's rate) with the first
    // recipient's code and every recipient's reason in `rejected` (README, docs/http.md).
    const first = rejected[0];
    const code = first && first.code in errorCatalog ? (first.code as ErrorCode) : 'invalid_number';
    throw new DomainError(
      code,
      rejected.length === 1 && first ? first.detail : 'no recipient can be sent to',
      { rejected },
    );
  }

  const statusCode = 202;
  const bodyOf = (accepted: NewMessage[], unaffordable: NewMessage[]): SendResult => ({
    batchId,
    messages: accepted.map((m) => ({
      id: m.id,
      to: m.to,
      status: m.held ? 'held' : 'queued',
      parts: m.parts,
      encoding: m.encoding,
      price: money(m.amount ?? 0, currency),
    })),
    rejected: [
      ...rejected,
      ...unaffordable.map((m) => ({
        to: m.to,
        code: 'insufficient_balance',
        detail: `the balance does not cover ${formatAmount(m.amount ?? 0)} ${currency} for this message`,
      })),
    ],
  });
  let body: SendResult | undefined;
  try {
    const result = await deps.messages.insertAccepted(rows, {
      hold: { tenantId: tenant.id, currency, batchId, partial: req.partial === true },
      ...(prepared.review && deps.compliance
        ? {
            afterInsert: (trx, accepted) =>
              deps.compliance!.holdForReview(
                trx,
                tenant.id,
                batchId,
                accepted.length,
                prepared.review!,
                now,
              ),
          }
        : {}),
      ...(contract?.quota ? { quota: { contractId: contract.id } } : {}),
      idempotency: (accepted, unaffordable) => {
        body = bodyOf(accepted, unaffordable);
        return idempotencyKey
          ? {
              tenantId: tenant.id,
              key: idempotencyKey,
              requestHash,
              statusCode,
              response: JSON.stringify(body),
            }
          : undefined;
      },
    });
    body ??= bodyOf(result.accepted, result.unaffordable);
  } catch (err) {
    // Two requests with one key raced: the other one won; answer as it did.
    if (idempotencyKey && !(err instanceof DomainError)) {
      const earlier = await deps.messages.findIdempotency(tenant.id, idempotencyKey);
      if (earlier) return replay(earlier, requestHash);
    }
    throw err;
  }
  return { statusCode, body, replayed: false };
}

/** One text variant (international, or signed for China): its encoding and part count. */
export interface TextVariant {
  text: string;
  count: ReturnType<typeof countParts>;
}

/** What a send request would do, decided without writing anything (acceptMessages, the estimate). */
export interface PreparedSend {
  now: number;
  batchId: string;
  /** The compliance verdict on the text; null only when `issues` collected a refusal of it. */
  text: PreparedText | null;
  class: MessageClass;
  intl: TextVariant | null;
  cn: TextVariant | null;
  currency: string;
  /** One row per recipient that passed the number, signature and price checks (not yet screened). */
  rows: NewMessage[];
  rejected: RejectedRecipient[];
}

/**
 * Class, compliance text, part count, price plan and the per-recipient checks. Every refusal of the
 * request throws, unless `issues` is given: then refusals of the text or the price plan are pushed
 * there and preparation goes on with what is known (the estimate reports them instead).
 */
export async function prepareSend(
  deps: AcceptDeps,
  tenant: Tenant,
  req: SendRequest,
  input: {
    rawText: string | null;
    recipients: unknown[];
    overBudget: unknown[];
    clientRef: string | null;
    callbackUrl: string | null;
    callbackStatuses: string | null;
    test: boolean;
    origin?: MessageOrigin;
    messageIds?: readonly string[];
  },
  issues?: DomainError[],
): Promise<PreparedSend> {
  const { rawText, recipients, clientRef, callbackUrl, callbackStatuses, test } = input;
  const tolerate = (err: unknown): boolean => {
    if (!issues || !(err instanceof DomainError)) return false;
    issues.push(err);
    return true;
  };
  const now = Date.now();
  const batchId = newId('bat', now);
  const requestedClass = req.class === undefined ? 'notification' : req.class;
  if (!MESSAGE_CLASSES.includes(requestedClass as MessageClass)) {
    throw new DomainError(
      'invalid_request',
      `"class" must be one of ${MESSAGE_CLASSES.join(', ')}`,
      { field: 'class' },
    );
  }
  // Compliance decides the final text (template, signature, opt-out hint) and may refuse it.
  let prepared: PreparedText | null;
  try {
    prepared = deps.compliance
      ? await deps.compliance.prepare(
          tenant,
          {
            text: rawText ?? undefined,
            templateId: req.templateId,
            params: req.params,
            class: requestedClass,
          },
          now,
        )
      : {
          cnText: rawText ?? '',
          text: rawText ?? '',
          class: requestedClass as MessageClass,
          templateId: null,
          textHash: '',
          cnTextHash: null,
          review: null,
          notBefore: null,
        };
  } catch (err) {
    if (!tolerate(err)) throw err;
    prepared = null;
  }
  const messageClass = prepared?.class ?? (requestedClass as MessageClass);
  // One split per text variant decides encoding and part count; the bytes are built at dispatch.
  const variant = (t: string): TextVariant | null => {
    // The final text too (template filled, signature and opt-out hint added), whatever built it.
    try {
      assertSendableText(t);
    } catch (err) {
      if (!tolerate(err)) throw err;
      return null;
    }
    const count = countParts(t, { maxParts: deps.maxParts });
    if (count.parts > deps.maxParts) {
      const err = new DomainError(
        'text_too_long',
        `message needs ${count.parts} parts (${count.units} ${count.encoding === 'gsm7' ? 'GSM-7 septets' : 'UCS-2 units'}); the limit is ${deps.maxParts} parts`,
        { parts: count.parts, maxParts: deps.maxParts, encoding: count.encoding },
      );
      if (!tolerate(err)) throw err;
    }
    return { text: t, count };
  };
  const intl = prepared ? variant(prepared.text) : null;
  const cn = prepared && prepared.cnText !== null ? variant(prepared.cnText) : null;

  // Test keys are never billed; everyone else pays by their plan.
  const plan = test ? null : await deps.prices.planFor(tenant.id);
  if (!test && !plan) {
    const err = new DomainError(
      'no_price',
      'no price plan applies to this account; ask the operator',
    );
    if (!tolerate(err)) throw err;
  }
  const currency = plan?.currency ?? tenant.currency;
  const rejected: RejectedRecipient[] = input.overBudget.map((to) => ({
    to: String(to),
    code: 'rate_limited',
    detail: "past the account's message budget; retry later",
  }));
  const rows: NewMessage[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of recipients.entries()) {
    if (index > 0 && index % SLICE === 0) await nextTurn();
    if (typeof raw !== 'string') {
      rejected.push({
        to: String(raw),
        code: 'invalid_number',
        detail: 'a recipient must be a string',
      });
      continue;
    }
    const n = normaliseNumber(raw, deps.defaultRegion);
    if (!n.ok) {
      rejected.push({ to: raw, code: n.code, detail: n.detail });
      continue;
    }
    if (seen.has(n.e164)) {
      rejected.push({
        to: raw,
        code: 'duplicate_recipient',
        detail: `${n.e164} appears more than once in this request`,
      });
      continue;
    }
    seen.add(n.e164);
    const china = n.country === 'CN';
    if (china && prepared !== null && prepared.cnText === null) {
      rejected.push({
        to: raw,
        code: 'signature_required',
        detail:
          'messages to China need an approved 【signature】 at the start, or a default signature',
      });
      continue;
    }
    const v = china ? cn : intl;
    const carrier = cnCarrierOf(n.e164);
    const price = plan
      ? priceFor(plan.rules, {
          country: n.country,
          carrier,
          class: messageClass,
        })
      : 0;
    if (price === null) {
      rejected.push({
        to: raw,
        code: 'no_price',
        detail: `no price for ${n.country ?? 'this destination'} in this account's plan`,
      });
      continue;
    }
    const parts = v?.count.parts ?? 0;
    rows.push({
      id: input.messageIds?.[index] ?? newId('msg', now),
      tenantId: tenant.id,
      batchId,
      clientRef,
      to: n.e164,
      text: v?.text ?? '',
      encoding: v?.count.encoding ?? '',
      parts,
      concatRef: randomInt(256),
      createdAt: now,
      notBefore: prepared?.notBefore ?? null,
      templateId: prepared?.templateId ?? null,
      // The compliance-less default has no hash (as before: null, not '').
      textHash: (china ? prepared?.cnTextHash : prepared?.textHash) || null,
      held: (prepared?.review ?? null) !== null,
      compliance: prepared?.review ? JSON.stringify(matchView(prepared.review)) : null,
      test,
      class: messageClass,
      price,
      amount: price * parts,
      destination: carrier ? `${n.country}-${carrier}` : (n.country ?? 'other'),
      callbackUrl,
      callbackStatuses,
      ...(input.origin ? { origin: input.origin } : {}),
    });
  }
  return { now, batchId, text: prepared, class: messageClass, intl, cn, currency, rows, rejected };
}

/** Opt-outs, the block list and frequency caps: the rows left, the refused added to `rejected`. */
export async function screenRecipients(
  deps: AcceptDeps,
  tenant: Tenant,
  messageClass: MessageClass,
  rows: NewMessage[],
  rejected: RejectedRecipient[],
  now: number,
): Promise<NewMessage[]> {
  if (!deps.compliance || rows.length === 0) return rows;
  const refused = await deps.compliance.screen(tenant, messageClass, rows, now);
  for (const r of rows) {
    const why = refused.get(r.to);
    if (why) rejected.push({ to: r.to, code: why.code, detail: why.detail });
  }
  return rows.filter((r) => !refused.has(r.to));
}

function replay(
  earlier: { requestHash: string; statusCode: number; response: string },
  requestHash: string,
): AcceptOutcome {
  if (earlier.requestHash !== requestHash) {
    throw new DomainError(
      'idempotency_key_reused',
      'this Idempotency-Key was used with a different request body',
    );
  }
  return {
    statusCode: earlier.statusCode,
    body: JSON.parse(earlier.response) as SendResult,
    replayed: true,
  };
}

function hashRequest(req: SendRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([req.to, req.text, req.clientRef ?? null]))
    .digest('hex');
}
