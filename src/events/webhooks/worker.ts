// The webhook worker (worker role): fans message_events out to deliveries after a durable
// cursor, then sends them. Concurrency is bounded per target (endpoint or callback origin), per
// tenant and per node, and a claim never takes more of a target than it can soon send, so a
// hanging endpoint ties up its own few slots and nothing else. Outcomes are written in batches.
import type { Logger } from '../../logger.ts';
import { nextAttemptAt, type RetryPolicy } from '../../core/webhooks/backoff.ts';
import { checkTargetUrl } from '../../core/webhooks/target-url.ts';
import { newWebhookSecret } from '../../security/webhook-signature.ts';
import type { EventFeed } from '../../store/event-feed.ts';
import type {
  ClaimedDelivery,
  DeliveryOutcome,
  WebhookDeliveryStore,
} from '../../store/webhook-deliveries.ts';
import type { WebhookStore } from '../../store/webhooks.ts';
import type { EventHorizon } from '../horizon.ts';
import { webhookHeaders, type WebhookSender } from './sender.ts';

export interface WebhookWorkerOptions {
  node: string;
  retry: RetryPolicy;
  /** Requests in flight at once per target, per tenant, per node. */
  perEndpoint: number;
  perTenant: number;
  global: number;
  leaseMs: number;
  timeoutMs: number;
  pollMs: number;
  retentionMs: number;
  pruneEveryMs: number;
}

export interface WebhookWorkerDeps {
  feed: EventFeed;
  deliveries: WebhookDeliveryStore;
  endpoints: WebhookStore;
  horizon: EventHorizon;
  sender: WebhookSender;
  log: Logger;
}

interface Item extends ClaimedDelivery {
  url: string;
  secrets: string[];
}

interface TargetState {
  tenantId: string;
  queue: Item[];
  /** Deliveries being sent, and since when. */
  running: Map<string, number>;
  /** The last attempt to this target failed: treat it as slow until one succeeds. */
  lastFailed: boolean;
}

interface TenantState {
  held: number;
  inFlight: number;
}

const FAN_OUT_BATCH = 500;
const CLAIM_MAX = 500;
/** A delivery kept waiting in memory this close to the end of its lease is left to expire. */
const LEASE_MARGIN_MS = 5_000;

export class WebhookWorker {
  #running = false;
  #fanLoop: Promise<void> | null = null;
  #sendLoop: Promise<void> | null = null;
  #wakeFan: (() => void) | null = null;
  #wakeSend: (() => void) | null = null;
  readonly #woken = new Set<'fan' | 'send'>();
  /** The last claim stopped at a cap: more may be due. */
  #moreDue = true;
  /** The last claim was as large as the room left: more may wait than fits. */
  #roomFull = false;
  readonly #targets = new Map<string, TargetState>();
  readonly #tenants = new Map<string, TenantState>();
  #order: string[] = [];
  #rr = 0;
  #held = 0;
  #inFlight = 0;
  readonly #sends = new Set<Promise<void>>();
  #outcomes: DeliveryOutcome[] = [];
  #flushTimer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #pruneTimer: NodeJS.Timeout | null = null;
  #abort = new AbortController();
  /** Deliveries held in memory (waiting or being sent): in all, per fast target, per tenant. */
  readonly #maxHeld: number;
  readonly #fastTargetHeld: number;
  readonly #tenantHeld: number;
  /** A request open this long marks its target slow: it then holds no more than it sends. */
  readonly #slowAfterMs: number;

  constructor(
    private readonly deps: WebhookWorkerDeps,
    private readonly opts: WebhookWorkerOptions,
  ) {
    this.#maxHeld = opts.global * 8;
    this.#fastTargetHeld = Math.max(
      opts.perEndpoint,
      Math.min(opts.perEndpoint * 32, this.#maxHeld / 4),
    );
    this.#tenantHeld = Math.max(opts.perTenant, Math.min(opts.perTenant * 8, this.#maxHeld / 4));
    this.#slowAfterMs = Math.min(1000, opts.timeoutMs / 2);
  }

  async start(): Promise<void> {
    const released = await this.deps.deliveries.releaseLeases(this.opts.node, Date.now());
    if (released > 0)
      this.deps.log.info({ released }, 'released webhook claims left by an earlier run');
    this.#running = true;
    this.#abort = new AbortController();
    this.#fanLoop = this.#runFanOut();
    this.#sendLoop = this.#runSends();
    this.#pruneTimer = setInterval(() => {
      this.prune().catch((err: unknown) =>
        this.deps.log.error({ err }, 'pruning webhook deliveries failed'),
      );
    }, this.opts.pruneEveryMs);
    this.#pruneTimer.unref();
  }

  /** Stop claiming; give requests in flight a moment, cancel the rest, write what is known. */
  async stop(graceMs = 1000): Promise<void> {
    this.#running = false;
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    this.#wake('fan');
    this.#wake('send');
    await Promise.all([this.#fanLoop, this.#sendLoop]);
    const until = Date.now() + graceMs;
    while (this.#sends.size > 0 && Date.now() < until) await sleep(10);
    this.#abort.abort();
    await Promise.all([...this.#sends]);
    await this.flush();
    // Whatever this node still held (waiting in memory, cancelled) is due again for anyone.
    await this.deps.deliveries.releaseLeases(this.opts.node, Date.now());
  }

  /** New events may be waiting: fan out now rather than at the next poll. */
  nudge(): void {
    this.#wake('fan');
  }

  /** Retention: delivered and dead deliveries, and message events, older than retentionMs. */
  async prune(now = Date.now()): Promise<{ deliveries: number; events: number }> {
    const pruned = await this.deps.deliveries.prune(now - this.opts.retentionMs);
    if (pruned.deliveries + pruned.events > 0)
      this.deps.log.info(pruned, 'pruned old webhook deliveries and message events');
    return pruned;
  }

  /** Write the outcomes waiting in memory. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#outcomes.length === 0) return;
    const batch = this.#outcomes;
    this.#outcomes = [];
    this.#flushing = this.deps.deliveries
      .settle(batch, Date.now())
      .catch((err: unknown) =>
        // Unwritten outcomes are not lost work: their leases end and they are sent again.
        this.deps.log.error({ err, count: batch.length }, 'writing webhook outcomes failed'),
      )
      .finally(() => (this.#flushing = null));
    await this.#flushing;
  }

  async #runFanOut(): Promise<void> {
    const origin = (url: string) => {
      // Only the origin, to group callbacks: whether it may be reached is the sender's check.
      const c = checkTargetUrl(url);
      return c.ok ? c.origin : null;
    };
    while (this.#running) {
      try {
        const upTo = await this.deps.horizon.current();
        const r = await this.deps.deliveries.fanOut(this.deps.feed, {
          upTo,
          limit: FAN_OUT_BATCH,
          now: Date.now(),
          origin,
        });
        if (r.created > 0) {
          this.#moreDue = true;
          this.#wake('send');
        }
        if (r.events < FAN_OUT_BATCH) await this.#idle('fan', this.opts.pollMs);
      } catch (err) {
        this.deps.log.error({ err }, 'webhook fan-out failed; retrying');
        await this.#idle('fan', this.opts.pollMs * 10);
      }
    }
  }

  async #runSends(): Promise<void> {
    while (this.#running) {
      try {
        const room = Math.min(CLAIM_MAX, this.#maxHeld - this.#held);
        if (room > 0 && this.#moreDue) {
          const kept = await this.#claim(room);
          if (kept > 0 && this.#moreDue) continue;
        }
        // Until a poll, new deliveries (fan-out), or room for a target with more waiting.
        await this.#idle('send', this.opts.pollMs);
        // Retries come due with time: look again after every poll, nudged or not.
        this.#moreDue = true;
      } catch (err) {
        this.deps.log.error({ err }, 'webhook claim failed; retrying');
        await this.#idle('send', this.opts.pollMs * 10);
      }
    }
  }

  #slow(t: TargetState, now: number): boolean {
    if (t.lastFailed) return true;
    for (const since of t.running.values()) if (now - since > this.#slowAfterMs) return true;
    return false;
  }

  #targetLimit(t: TargetState | undefined, now: number): number {
    return t && this.#slow(t, now) ? this.opts.perEndpoint : this.#fastTargetHeld;
  }

  /** A target takes another claim's worth once it is down to this many. */
  #refillAt(t: TargetState, now: number): number {
    return Math.floor(this.#targetLimit(t, now) / 2);
  }

  /** Claim what fits; returns how many deliveries were kept. */
  async #claim(room: number): Promise<number> {
    const now = Date.now();
    // A slow target gives back what waits for it here: it would only wait in our memory.
    const giveBack: string[] = [];
    for (const [key, t] of this.#targets) {
      if (t.queue.length === 0 || !this.#slow(t, now)) continue;
      for (const item of t.queue.splice(0)) {
        giveBack.push(item.id);
        this.#forget(key, t, item);
      }
    }
    const skipTargets = [...this.#targets]
      .filter(([, t]) => t.queue.length + t.running.size > this.#refillAt(t, now))
      .map(([k]) => k);
    const skipTenants = [...this.#tenants]
      .filter(([, t]) => t.held >= this.#tenantHeld)
      .map(([k]) => k);
    const claimed = await this.deps.deliveries.claim({
      node: this.opts.node,
      now,
      leaseMs: this.opts.leaseMs,
      limit: room,
      perTarget: Math.ceil(this.#fastTargetHeld / 2),
      skipTargets,
      skipTenants,
    });
    // One claim may take more of a target or tenant than it may hold: keep what fits.
    const keep: ClaimedDelivery[] = [];
    const perTarget = new Map<string, number>();
    const perTenant = new Map<string, number>();
    for (const c of claimed) {
      const t = this.#targets.get(c.target);
      const targetHeld = (t ? t.queue.length + t.running.size : 0) + (perTarget.get(c.target) ?? 0);
      const tenantHeld =
        (this.#tenants.get(c.tenantId)?.held ?? 0) + (perTenant.get(c.tenantId) ?? 0);
      perTarget.set(c.target, (perTarget.get(c.target) ?? 0) + 1);
      if (targetHeld >= this.#targetLimit(t, now) || tenantHeld >= this.#tenantHeld) {
        giveBack.push(c.id);
        continue;
      }
      perTenant.set(c.tenantId, (perTenant.get(c.tenantId) ?? 0) + 1);
      keep.push(c);
    }
    if (giveBack.length > 0) await this.deps.deliveries.release(giveBack, this.opts.node, now);
    // More may be due: the claim was full, took a target's whole share, or passed over targets
    // and tenants that had enough (they get more when they are down to half).
    this.#roomFull = claimed.length === room;
    this.#moreDue =
      this.#roomFull ||
      giveBack.length > 0 ||
      skipTargets.length > 0 ||
      skipTenants.length > 0 ||
      [...perTarget.values()].some((n) => n >= Math.ceil(this.#fastTargetHeld / 2));
    if (keep.length > 0) await this.#accept(keep, now);
    return keep.length;
  }

  /** Resolve where each claimed delivery goes and what signs it, then queue it in memory. */
  async #accept(claimed: ClaimedDelivery[], now: number): Promise<void> {
    const endpointIds = [...new Set(claimed.flatMap((c) => (c.endpointId ? [c.endpointId] : [])))];
    const callbackTenants = [
      ...new Set(claimed.filter((c) => !c.endpointId).map((c) => c.tenantId)),
    ];
    const [endpoints, callbackSecrets] = await Promise.all([
      this.deps.endpoints.targets(endpointIds, now),
      this.deps.endpoints.callbackSecrets(callbackTenants, now, newWebhookSecret),
    ]);
    for (const c of claimed) {
      const ep = c.endpointId ? endpoints.get(c.endpointId) : undefined;
      if (c.endpointId && (!ep || !ep.enabled)) {
        // A disabled endpoint's deliveries wait (dead once their 24 h are up).
        const expired = now > c.queuedAt + this.opts.retry.maxAgeMs;
        this.#record({
          id: c.id,
          node: this.opts.node,
          leaseUntil: c.leaseUntil,
          attempt: null,
          status: expired || !ep ? 'dead' : c.attempts === 0 ? 'pending' : 'failed',
          nextAttemptAt: now + Math.min(60_000, this.opts.retry.maxMs),
        });
        continue;
      }
      const url = ep ? ep.url : c.callbackUrl!;
      const secrets = ep ? ep.secrets : (callbackSecrets.get(c.tenantId) ?? []);
      let t = this.#targets.get(c.target);
      if (!t) {
        t = { tenantId: c.tenantId, queue: [], running: new Map(), lastFailed: false };
        this.#targets.set(c.target, t);
        this.#order.push(c.target);
      }
      t.queue.push({ ...c, url, secrets });
      const tenant = this.#tenants.get(c.tenantId) ?? { held: 0, inFlight: 0 };
      tenant.held++;
      this.#tenants.set(c.tenantId, tenant);
      this.#held++;
    }
    this.#pump();
  }

  /** Start sends while there is room: round robin over targets, within every bound. */
  #pump(): void {
    while (this.#inFlight < this.opts.global && this.#order.length > 0) {
      let started = false;
      for (let i = 0; i < this.#order.length; i++) {
        const key = this.#order[(this.#rr + i) % this.#order.length]!;
        const t = this.#targets.get(key)!;
        if (t.queue.length === 0 || t.running.size >= this.opts.perEndpoint) continue;
        const tenant = this.#tenants.get(t.tenantId)!;
        if (tenant.inFlight >= this.opts.perTenant) continue;
        this.#rr = (this.#rr + i + 1) % this.#order.length;
        const item = t.queue.shift()!;
        const p = this.#send(key, item, t, tenant).finally(() => this.#sends.delete(p));
        this.#sends.add(p);
        started = true;
        break;
      }
      if (!started) break;
    }
  }

  async #send(key: string, item: Item, t: TargetState, tenant: TenantState): Promise<void> {
    const now = Date.now();
    t.running.set(item.id, now);
    tenant.inFlight++;
    this.#inFlight++;
    try {
      // Too late to finish within the lease: another node may take it from then on.
      if (item.leaseUntil - now < this.opts.timeoutMs + LEASE_MARGIN_MS) return;
      const headers = webhookHeaders(
        { eventId: item.eventId, deliveryId: item.id, payload: item.payload },
        item.secrets,
        now,
      );
      const result = await this.deps.sender.send(
        item.url,
        item.payload,
        headers,
        this.#abort.signal,
      );
      if (this.#abort.signal.aborted) return;
      t.lastFailed = !result.ok;
      const at = Date.now();
      const next = result.ok
        ? at
        : nextAttemptAt(this.opts.retry, {
            failedAttempts: item.attempts + 1,
            queuedAt: item.queuedAt,
            now: at,
            random: Math.random(),
          });
      const status = result.ok ? 'delivered' : next === null ? 'dead' : 'failed';
      if (status === 'dead')
        this.deps.log.warn(
          { delivery: item.id, tenant: item.tenantId, target: item.target, error: result.error },
          'webhook delivery dead after its retries',
        );
      this.#record({
        id: item.id,
        node: this.opts.node,
        leaseUntil: item.leaseUntil,
        attempt: {
          at: now,
          statusCode: result.statusCode,
          error: result.error,
          durationMs: result.durationMs,
        },
        status,
        nextAttemptAt: next ?? at,
      });
    } finally {
      tenant.inFlight--;
      this.#inFlight--;
      this.#forget(key, t, item);
      const at = Date.now();
      if (
        this.#running &&
        this.#moreDue &&
        (t.queue.length + t.running.size === this.#refillAt(t, at) ||
          (this.#roomFull && this.#held === Math.floor(this.#maxHeld / 2)))
      )
        this.#wake('send');
      this.#pump();
    }
  }

  /** The delivery is no longer held here (sent, dropped or given back). */
  #forget(key: string, t: TargetState, item: Item): void {
    t.running.delete(item.id);
    const tenant = this.#tenants.get(t.tenantId);
    if (tenant) {
      tenant.held--;
      if (tenant.held === 0 && tenant.inFlight === 0) this.#tenants.delete(t.tenantId);
    }
    this.#held--;
    if (t.queue.length === 0 && t.running.size === 0 && this.#targets.get(key) === t) {
      this.#targets.delete(key);
      this.#order = this.#order.filter((k) => k !== key);
    }
  }

  #record(o: DeliveryOutcome): void {
    this.#outcomes.push(o);
    if (this.#outcomes.length >= 500) void this.flush();
    else this.#flushTimer ??= setTimeout(() => void this.flush(), 10);
  }

  /** Wake a loop now, or (if it is busy) make its next wait return at once. */
  #wake(which: 'fan' | 'send'): void {
    const waiter = which === 'fan' ? this.#wakeFan : this.#wakeSend;
    if (waiter) waiter();
    else this.#woken.add(which);
  }

  #idle(which: 'fan' | 'send', ms: number): Promise<void> {
    if (this.#woken.delete(which)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      if (which === 'fan') this.#wakeFan = done;
      else this.#wakeSend = done;
    }).finally(() => {
      if (which === 'fan') this.#wakeFan = null;
      else this.#wakeSend = null;
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
