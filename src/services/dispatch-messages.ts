// The dispatcher: claim due messages in batches, split them, hand their parts to a channel,
// and write what the carrier answered back in batches. It owns no state the database does not
// have: a crash loses only in-memory waiting, and the claims come due again.
import type { Logger } from '../logger.ts';
import type { ChannelDriver, SubmitOutcome } from '../channels/channel.ts';
import { splitMessage } from '../core/message/parts.ts';
import { chooseChannel, retryDelayMs } from '../core/routing/choose-channel.ts';
import { routeFor, type Route, type Routable } from '../core/routing/routes.ts';
import type {
  ClaimedMessage,
  DispatchQueue,
  FailedMessage,
  RetryMessage,
  SubmittedPart,
} from '../store/dispatch-queue.ts';

export interface DispatcherOptions {
  node: string;
  batchSize: number;
  idleMs: number;
  leaseMs: number;
  maxParts: number;
  maxAttempts: number;
  /** The operator's routes for live traffic (null: the first bound channel takes everything). */
  routes?: () => Route[] | null;
  /** Local time for routes with hours, as minutes east of UTC. */
  utcOffsetMinutes?: number;
  /** The tenant's extension code, appended to the channel's service number (null: none). */
  extensionOf?: (tenantId: string) => string | null;
  /** A failover route passed over a channel that was down or paused. */
  onFailover?: (from: string, to: string) => void;
}

interface Tracking {
  message: ClaimedMessage;
  channelId: string;
  waiting: number;
  submitted: SubmittedPart[];
  failure: { seq: number; outcome: Extract<SubmitOutcome, { ok: false }> } | null;
}

export class Dispatcher {
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #inFlight = 0;
  #outcomes = {
    submitted: [] as SubmittedPart[],
    failed: [] as FailedMessage[],
    retry: [] as RetryMessage[],
  };
  #flushing: Promise<void> | null = null;
  #flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: DispatchQueue,
    /** The channels now (they change while running: added, reconfigured, disabled). */
    private readonly channels: () => ChannelDriver[],
    private readonly opts: DispatcherOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const released = await this.queue.releaseLeases(this.opts.node, Date.now());
    if (released > 0)
      this.log.info({ released }, 'released claims left by an earlier run of this node');
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stop claiming; wait (bounded) for parts in flight to be answered and written. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    const until = Date.now() + timeoutMs;
    while (this.#inFlight > 0 && Date.now() < until) await sleep(10);
    await this.flush();
  }

  /** New work was accepted: don't wait for the idle poll. */
  nudge(): void {
    this.#wake?.();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        const claimed = await this.#claimOnce();
        if (claimed === 0) await this.#idle();
      } catch (err) {
        this.log.error({ err }, 'dispatch loop failed; retrying');
        await this.#idle();
      }
    }
  }

  async #claimOnce(): Promise<number> {
    let claimed = 0;
    for (const test of [false, true]) {
      const eligible = this.channels().filter(
        (c) => c.use === 'both' || c.use === (test ? 'test' : 'live'),
      );
      const routes = test ? null : (this.opts.routes?.() ?? null);
      if (routes) {
        claimed += await this.#claimRouted(routes, eligible);
        continue;
      }
      const choices = eligible.map((c) => ({
        id: c.id,
        bound: c.state() === 'bound',
        capacity: c.capacity(),
      }));
      const channelId = chooseChannel(choices);
      if (!channelId) continue;
      const channel = eligible.find((c) => c.id === channelId)!;
      const limit = Math.min(this.opts.batchSize, channel.capacity());
      // While answers are still coming, wait for room for a worthwhile batch: one claim per few parts is all overhead.
      if (this.#inFlight > 0 && limit < Math.min(50, this.opts.batchSize)) continue;
      const batch = await this.queue.claim({
        node: this.opts.node,
        now: Date.now(),
        leaseMs: this.opts.leaseMs,
        limit,
        test,
      });
      for (const m of batch) this.#dispatch(m, channel);
      claimed += batch.length;
    }
    return claimed;
  }

  /** Live traffic by the operator's routes: each message to the channel its route picks that is up. */
  async #claimRouted(routes: Route[], eligible: ChannelDriver[]): Promise<number> {
    const bound = eligible.filter((c) => c.state() === 'bound');
    const room = bound.reduce((sum, c) => sum + c.capacity(), 0);
    const limit = Math.min(this.opts.batchSize, room);
    if (limit <= 0 || (this.#inFlight > 0 && limit < Math.min(50, this.opts.batchSize))) return 0;
    const batch = await this.queue.claim({
      node: this.opts.node,
      now: Date.now(),
      leaseMs: this.opts.leaseMs,
      limit,
      test: false,
    });
    const offset = this.opts.utcOffsetMinutes ?? 480;
    const minuteOfDay = Math.floor(((Date.now() + offset * 60_000) % 86_400_000) / 60_000);
    const isUp = (id: string) => bound.some((c) => c.id === id && c.capacity() > 0);
    for (const m of batch) {
      const [country, carrier] = (m.destination ?? '').split('-');
      const decision = routeFor(
        routes,
        {
          tenantId: m.tenantId,
          to: m.to,
          country: country || null,
          carrier: (carrier as Routable['carrier']) ?? null,
          class: m.class as Routable['class'],
          sender: null,
          minuteOfDay,
        },
        isUp,
      );
      const channel = decision.channel ? bound.find((c) => c.id === decision.channel) : undefined;
      if (channel && decision.skipped)
        for (const from of decision.skipped) this.opts.onFailover?.(from, channel.id);
      if (channel) this.#dispatch(m, channel);
      else {
        // No channel of its route is up: try again shortly; validity ends it if none comes back.
        this.#outcomes.retry.push({
          messageId: m.id,
          notBefore: Date.now() + 5000,
          detail: decision.why[decision.why.length - 1] ?? 'no route',
        });
        this.#scheduleFlush();
      }
    }
    return batch.length;
  }

  #dispatch(message: ClaimedMessage, channel: ChannelDriver): void {
    let split;
    try {
      split = splitMessage(message.text, {
        concatRef: message.concatRef,
        maxParts: this.opts.maxParts,
      });
    } catch (err) {
      // Accepted under other limits: fail it visibly rather than loop on it.
      this.#outcomes.failed.push({
        messageId: message.id,
        seq: 1,
        channelId: null,
        commandStatus: null,
        errorCode: 'unsplittable',
        detail: (err as Error).message,
      });
      this.#scheduleFlush();
      return;
    }
    const pending = message.pendingSeqs.length > 0 ? message.pendingSeqs : [];
    if (pending.length === 0 || split.parts.length !== message.partsCount) {
      this.#outcomes.failed.push({
        messageId: message.id,
        seq: 1,
        channelId: null,
        commandStatus: null,
        errorCode: 'parts_mismatch',
        detail: `stored ${message.partsCount} parts, text splits into ${split.parts.length}`,
      });
      this.#scheduleFlush();
      return;
    }
    const t: Tracking = {
      message,
      channelId: channel.id,
      waiting: pending.length,
      submitted: [],
      failure: null,
    };
    this.#inFlight += 1;
    const extension = this.opts.extensionOf?.(message.tenantId) ?? null;
    for (const seq of pending) {
      const part = split.parts[seq - 1]!;
      channel
        .submit({
          messageId: message.id,
          seq,
          to: message.to,
          from: null,
          extension,
          dataCoding: split.dataCoding,
          udh: part.udh,
          userData: part.userData,
          wantReceipt: true,
        })
        .then((outcome) => this.#answered(t, seq, outcome))
        .catch((err: unknown) =>
          this.#answered(t, seq, {
            ok: false,
            reason: 'temporary',
            code: 'driver_error',
            commandStatus: null,
            detail: String(err),
          }),
        );
    }
  }

  #answered(t: Tracking, seq: number, outcome: SubmitOutcome): void {
    if (outcome.ok) {
      t.submitted.push({
        messageId: t.message.id,
        seq,
        channelId: t.channelId,
        carrierId: outcome.carrierId,
        at: Date.now(),
      });
    } else if (
      !t.failure ||
      (outcome.reason === 'rejected' && t.failure.outcome.reason !== 'rejected')
    ) {
      t.failure = { seq, outcome };
    }
    t.waiting -= 1;
    if (t.waiting > 0) return;
    this.#inFlight -= 1;
    // The channel has room again: claim the next batch now rather than at the next poll.
    this.#wake?.();
    this.#outcomes.submitted.push(...t.submitted);
    const f = t.failure;
    if (f) {
      const exhausted = t.message.attempts >= this.opts.maxAttempts;
      if (f.outcome.reason === 'rejected' || exhausted) {
        this.#outcomes.failed.push({
          messageId: t.message.id,
          seq: f.seq,
          channelId: t.channelId,
          commandStatus: f.outcome.commandStatus,
          errorCode: f.outcome.code,
          detail:
            exhausted && f.outcome.reason !== 'rejected'
              ? `gave up after ${t.message.attempts} attempts: ${f.outcome.detail}`
              : f.outcome.detail,
        });
      } else {
        this.#outcomes.retry.push({
          messageId: t.message.id,
          notBefore: Date.now() + retryDelayMs(f.outcome.reason, t.message.attempts),
          detail: f.outcome.detail,
        });
      }
    }
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    const size =
      this.#outcomes.submitted.length + this.#outcomes.failed.length + this.#outcomes.retry.length;
    if (size >= 2000) {
      void this.flush();
      return;
    }
    if (!this.#flushTimer) {
      this.#flushTimer = setTimeout(() => {
        this.#flushTimer = null;
        void this.flush();
      }, 10);
    }
  }

  /** Write the answers gathered so far, one transaction at a time. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    const batch = this.#outcomes;
    if (batch.submitted.length + batch.failed.length + batch.retry.length === 0) return;
    this.#outcomes = { submitted: [], failed: [], retry: [] };
    this.#flushing = (async () => {
      try {
        await this.queue.applyDispatchOutcomes({ ...batch, now: Date.now() });
      } catch (err) {
        // Keep them for the next flush: the claims are still ours until the lease runs out.
        this.log.error({ err }, 'writing dispatch outcomes failed; will retry');
        this.#outcomes.submitted.unshift(...batch.submitted);
        this.#outcomes.failed.unshift(...batch.failed);
        this.#outcomes.retry.unshift(...batch.retry);
        this.#scheduleFlush();
      } finally {
        this.#flushing = null;
      }
    })();
    await this.#flushing;
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, this.opts.idleMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
