// The one compliance service every sending path (HTTP, SMPP, CMPP, console, campaigns) calls:
// the text (template or free text, signature, marketing opt-out hint, content rules), the
// recipients (opt-outs, block list, frequency caps) and when marketing may go out.
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { DomainError } from '../core/errors.ts';
import type { MessageClass } from '../core/billing/rating.ts';
import {
  compileRules,
  type ContentFilter,
  type ContentMatch,
  type ContentRule,
} from '../core/compliance/content-filter.ts';
import { SAMPLE_CONTENT_RULES } from '../core/compliance/sample-content-rules.ts';
import { renderTemplate } from '../core/compliance/templates.ts';
import { extractSignature, withSignature } from '../core/compliance/signatures.ts';
import { appendOptOutHint, isOptOutReply } from '../core/compliance/opt-out.ts';
import { sendingWindow } from '../core/compliance/sending-window.ts';
import { checkFrequency, DEFAULT_CAPS, type FrequencyCaps } from '../core/compliance/frequency.ts';
import type { Database } from '../store/schema.ts';
import type { ComplianceStore, ReviewItem } from '../store/compliance.ts';
import type { MessageStore } from '../store/messages.ts';
import type { Tenant } from '../store/tenants.ts';

export type { ComplianceStore, ReviewItem };
export type { Signature, Template } from '../store/compliance.ts';

export interface CompliancePolicy {
  optOutKeywords: string[];
  marketingHint: string;
  sendingWindow: { utcOffsetMinutes: number; startMinute: number; endMinute: number };
  reviewHoldHours: number;
  /** Operator policy: verification codes still reach numbers that opted out of marketing. */
  verificationIgnoresOptOut: boolean;
}

export interface PreparedText {
  /** For mainland China (+86): signed 【…】, as Chinese carriers require; null when the tenant has no signature. */
  cnText: string | null;
  /** For everywhere else: the text as written. */
  text: string;
  class: MessageClass;
  templateId: string | null;
  textHash: string;
  cnTextHash: string | null;
  /** Held for manual review: the rule that asked for it. */
  review: ContentMatch | null;
  /** Marketing outside the sending window waits until then. */
  notBefore: number | null;
}

export interface Refusal {
  code: 'recipient_opted_out' | 'recipient_blocked' | 'frequency_limited';
  detail: string;
}

export function matchView(m: ContentMatch) {
  return {
    rule: m.ruleId,
    category: m.category,
    action: m.action,
    term: m.term,
    matched: m.matched,
  };
}

export class ComplianceService {
  #filter: ContentFilter | null = null;
  #loadedAt = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: ComplianceStore,
    readonly policy: CompliancePolicy,
  ) {}

  /** The content automaton, rebuilt when the operator changes the rules (and every minute, for other nodes). */
  async filter(): Promise<ContentFilter> {
    if (!this.#filter || Date.now() - this.#loadedAt > 60_000) {
      const rows = await this.store.contentRules();
      this.#filter = compileRules(rows as ContentRule[]);
      this.#loadedAt = Date.now();
    }
    return this.#filter;
  }

  invalidate(): void {
    this.#filter = null;
  }

  /** First start: the sample list shipped as data, so a new install filters from day one. */
  async seedRules(): Promise<void> {
    if ((await this.store.contentRules()).length === 0)
      await this.store.replaceContentRules(SAMPLE_CONTENT_RULES.map((r) => ({ ...r })));
  }

  async prepare(
    tenant: Tenant,
    req: { text?: unknown; templateId?: unknown; params?: unknown; class?: unknown },
    now: number,
  ): Promise<PreparedText> {
    const t = await this.db
      .selectFrom('tenants')
      .select(['free_text_classes'])
      .where('id', '=', tenant.id)
      .executeTakeFirst();
    let cls = (req.class ?? 'notification') as MessageClass;
    let body: string;
    let templateId: string | null = null;
    if (req.templateId !== undefined) {
      const tpl =
        typeof req.templateId === 'string' ? await this.store.template(req.templateId) : undefined;
      if (!tpl || tpl.tenantId !== tenant.id)
        throw new DomainError('not_found', `no template ${String(req.templateId)}`, {
          field: 'templateId',
        });
      if (tpl.status !== 'approved')
        throw new DomainError('template_not_approved', `template ${tpl.id} is ${tpl.status}`, {
          field: 'templateId',
        });
      if (req.text !== undefined)
        throw new DomainError('invalid_request', 'send either "text" or "templateId", not both', {
          field: 'text',
        });
      cls = tpl.class as MessageClass;
      const params =
        typeof req.params === 'object' && req.params !== null
          ? (req.params as Record<string, unknown>)
          : {};
      body = renderTemplate({ body: tpl.body, variables: tpl.variables, class: cls }, params);
      templateId = tpl.id;
    } else {
      if (typeof req.text !== 'string')
        throw new DomainError('missing_text', 'the request has no "text" (or "templateId")');
      const allowed = (t?.free_text_classes ?? '').split(',');
      if (!allowed.includes(cls))
        throw new DomainError(
          'free_text_not_allowed',
          `${cls} messages must use an approved template`,
          { field: 'text' },
        );
      body = req.text;
    }
    const signed = await this.#signed(tenant, body);
    const hinted = (t: string) =>
      cls === 'marketing' ? appendOptOutHint(t, this.policy.marketingHint) : t;
    const final = hinted(body);
    const cnFinal = signed === null ? null : hinted(signed);
    const verdict = (await this.filter()).verdict(cnFinal ?? final);
    if (verdict.action === 'reject') {
      const m = verdict.matches.find((x) => x.action === 'reject')!;
      throw new DomainError(
        'content_blocked',
        `the text contains "${m.matched}", not allowed (${m.category}, rule ${m.ruleId})`,
        matchView(m),
      );
    }
    const window =
      cls === 'marketing'
        ? sendingWindow(now, this.policy.sendingWindow)
        : { open: true, opensAt: now };
    const hash = (t: string) => createHash('sha256').update(t).digest('base64url').slice(0, 22);
    return {
      cnText: cnFinal,
      text: final,
      class: cls,
      templateId,
      textHash: hash(final),
      cnTextHash: cnFinal === null ? null : hash(cnFinal),
      review: verdict.action === 'review' ? verdict.matches[0]! : null,
      notBefore: window.open ? null : window.opensAt,
    };
  }

  /**
   * The text for Chinese carriers: it must start with an approved signature; without one, the
   * tenant's default is added; null when there is none to add (China recipients are then refused).
   */
  async #signed(tenant: Tenant, body: string): Promise<string | null> {
    const sigs = await this.store.signatures(tenant.id, 'approved');
    const { signature } = extractSignature(body);
    if (signature !== null) {
      if (!sigs.some((s) => s.text === signature))
        throw new DomainError(
          'signature_not_approved',
          `【${signature}】 is not an approved signature of this account`,
          { field: 'text' },
        );
      return body;
    }
    const def = sigs.find((s) => s.isDefault) ?? (sigs.length === 1 ? sigs[0] : undefined);
    return def ? withSignature(body, def.text) : null;
  }

  /** Recipients this message may not go to, with why. */
  async screen(
    tenant: Tenant,
    cls: MessageClass,
    recipients: Array<{ to: string; textHash?: string | null }>,
    now: number,
  ): Promise<Map<string, Refusal>> {
    const out = new Map<string, Refusal>();
    const numbers = recipients.map((r) => r.to);
    const hashOf = new Map(recipients.map((r) => [r.to, r.textHash ?? '']));
    const suppressed = await this.store.suppressed(tenant.id, numbers);
    for (const [n, why] of suppressed) {
      if (why === 'blocked')
        out.set(n, { code: 'recipient_blocked', detail: `${n} is on the operator's block list` });
      else if (!(cls === 'verification' && this.policy.verificationIgnoresOptOut))
        out.set(n, {
          code: 'recipient_opted_out',
          detail: `${n} opted out of messages from this account`,
        });
    }
    const caps = await this.caps(tenant.id, cls);
    const history = await this.store.recentSends(
      tenant.id,
      cls,
      numbers.filter((n) => !out.has(n)),
      now - 24 * 3600_000,
    );
    for (const [n, sends] of history) {
      const r = checkFrequency(sends, now, hashOf.get(n) ?? '', caps);
      if (!r.ok)
        out.set(n, {
          code: 'frequency_limited',
          detail: `${n} has had its ${cls} limit (${r.rule.replace('_', ' ')}: ${r.limit}); retry in ${r.retryAfterSeconds} s`,
        });
    }
    return out;
  }

  async caps(tenantId: string, cls: MessageClass): Promise<FrequencyCaps> {
    const t = await this.db
      .selectFrom('tenants')
      .select('frequency_caps')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    const custom = t?.frequency_caps
      ? (JSON.parse(t.frequency_caps) as Partial<Record<MessageClass, FrequencyCaps>>)
      : {};
    return custom[cls] ?? DEFAULT_CAPS[cls];
  }

  /** An inbound reply: an opt-out keyword puts the sender on the tenant's list (true when new). */
  async handleReply(tenantId: string, from: string, text: string): Promise<boolean> {
    if (!isOptOutReply(text, this.policy.optOutKeywords)) return false;
    return this.store.optOut(tenantId, from, 'reply');
  }

  /** A reviewer decides a held batch, once. */
  async decideReview(
    messages: MessageStore,
    id: string,
    decision: 'approved' | 'rejected' | 'expired',
    reason: string,
    by: string | null,
    now = Date.now(),
  ): Promise<ReviewItem> {
    const decided = await this.db.transaction().execute(async (trx) => {
      const item = await this.store.decideReview(trx, id, decision, reason, by);
      if (item)
        await messages.releaseHeld(
          trx,
          item.batchId,
          decision === 'approved',
          decision === 'approved' ? '' : `content rejected by review: ${reason}`,
          now,
        );
      return item;
    });
    if (decided) return decided;
    // Read outside the transaction: SQLite has one connection, and the transaction holds it.
    const existing = await this.store.reviewItem(id);
    if (!existing) throw new DomainError('not_found', `no review item ${id}`);
    throw new DomainError('already_decided', `review item ${id} was already ${existing.status}`);
  }

  /** Held items nobody decided in time are rejected. */
  async expireReviews(messages: MessageStore, now = Date.now()): Promise<number> {
    let n = 0;
    for (const item of await this.store.expiredReviews(now)) {
      try {
        await this.decideReview(messages, item.id, 'expired', 'not reviewed in time', null, now);
        n += 1;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'already_decided')) throw err;
      }
    }
    return n;
  }

  /** A held batch waits in the review queue, written with its messages. */
  async holdForReview(
    trx: Transaction<Database>,
    tenantId: string,
    batchId: string,
    messages: number,
    match: ContentMatch,
    now: number,
  ): Promise<void> {
    await this.store.addReviewItem(trx, {
      tenantId,
      batchId,
      messages,
      ruleId: match.ruleId,
      category: match.category,
      matched: match.matched,
      expiresAt: now + this.policy.reviewHoldHours * 3600_000,
    });
  }
}
