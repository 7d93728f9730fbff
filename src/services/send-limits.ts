// What one tenant may send, counted in messages, on every sending path: HTTP, the SMPP and CMPP
// servers and the platform's own notices all call acceptMessages, which asks this limiter first.
// The budget lives in this node's memory (core/security/rate-limit.ts MessageBudget): it protects
// this node's event loop and database, so several nodes each allow the rate (docs/http.md).
import { DomainError } from '../core/errors.ts';
import { MessageBudget, type MessageLimits } from '../core/security/rate-limit.ts';
import type { TenantSendLimits } from '../store/tenants.ts';

export interface SendLimitSource {
  sendLimits(tenantId: string): Promise<TenantSendLimits | undefined>;
}

/** An admission: `granted` messages may be worked on; `finish` must be called once. */
export interface SendPermit {
  granted: number;
  finish(accepted: number): void;
}

// The operator's override is read at most this often per tenant (a change on this node applies
// at once, see forget; on other nodes within this).
const CACHE_MS = 5_000;

export class SendLimiter {
  readonly #budget = new MessageBudget();
  readonly #cache = new Map<string, { limits: MessageLimits; until: number }>();

  constructor(
    private readonly source: SendLimitSource,
    readonly defaults: MessageLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The limits that apply to a tenant: its overrides over the defaults. */
  async limitsFor(tenantId: string): Promise<MessageLimits> {
    const now = this.clock();
    const hit = this.#cache.get(tenantId);
    if (hit && hit.until > now) return hit.limits;
    const own = await this.source.sendLimits(tenantId);
    const limits = effectiveLimits(this.defaults, own);
    this.#cache.set(tenantId, { limits, until: now + CACHE_MS });
    return limits;
  }

  /** After the operator changed a tenant's limits. */
  forget(tenantId: string): void {
    this.#cache.delete(tenantId);
  }

  /** Messages of this tenant being worked on now (tests, metrics). */
  inFlight(tenantId: string): number {
    return this.#budget.inFlight(tenantId);
  }

  /**
   * Admit `count` messages, or throw rate_limited (HTTP 429 + Retry-After, SMPP ESME_RTHROTTLED,
   * CMPP result 8). `partial`: admit as many as the budget allows (at least one).
   */
  async admit(tenantId: string, count: number, partial = false): Promise<SendPermit> {
    const limits = await this.limitsFor(tenantId);
    const a = this.#budget.admit(tenantId, this.clock(), count, limits, partial);
    if (!a.ok) {
      const what =
        a.limit === 'messages_per_second'
          ? `more than ${limits.perSecond} messages a second (burst ${limits.burst})`
          : `more than ${limits.inFlight} messages in requests still being accepted`;
      throw new DomainError(
        'rate_limited',
        `this request of ${count} messages would take the account past ${what}; retry after ${a.retryAfterSeconds} s`,
        {
          limit: a.limit,
          retryAfterSeconds: a.retryAfterSeconds,
          messagesPerSecond: limits.perSecond,
          messagesBurst: limits.burst,
          messagesInFlight: limits.inFlight,
        },
      );
    }
    let open = true;
    return {
      granted: a.granted,
      finish: (accepted) => {
        if (!open) return;
        open = false;
        this.#budget.finish(tenantId, this.clock(), a.granted, accepted, limits);
      },
    };
  }
}

export function effectiveLimits(
  defaults: MessageLimits,
  own: TenantSendLimits | undefined,
): MessageLimits {
  return {
    perSecond: own?.messagesPerSecond ?? defaults.perSecond,
    burst: own?.messagesBurst ?? defaults.burst,
    inFlight: own?.messagesInFlight ?? defaults.inFlight,
  };
}
