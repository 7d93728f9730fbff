// Receipts and inbound messages going back to tenants over their sessions (SMPP deliver_sm, CMPP
// DELIVER), durably: each account tails message_events from its cursor (the outbox store) while
// one of its receiving sessions is up, spreads the deliveries round-robin over those sessions (a
// window each), and moves the cursor only over events whose every delivery was acknowledged.
// Nothing bound: the events wait in the table, and go out when a receiver binds. A crash re-sends
// what was acknowledged since the last cursor write (at least once, never lost).
//
// PostgreSQL hands out event ids at insert, not at commit: id 101 can be visible while 100 is
// still in flight. Accounts read only up to the commit horizon (core/webhooks/horizon.ts, shared
// with the webhook fan-out), so the cursor never passes an event that commits later.
import type { Logger } from '../../logger.ts';
import { advanceHorizon, type Gap } from '../../core/webhooks/horizon.ts';
import { Fifo } from '../../core/fifo.ts';

/** An outbox event as the engine needs it; the protocol reads the rest. */
export interface OutboxEvent {
  eventId: number;
}

/** The outbox and its cursors, as the engine reads them (the outbox store satisfies it). */
export interface OutboxReader<I extends OutboxEvent> {
  ensureCursor(accountId: string, tenantId: string): Promise<number>;
  saveCursor(accountId: string, eventId: number): Promise<void>;
  eventIdsAfter(after: number, limit: number): Promise<number[]>;
  fetch(
    tenantId: string,
    systemId: string,
    after: number,
    upTo: number,
    limit: number,
  ): Promise<I[]>;
}

/** A connection that can take deliveries, whatever the protocol. */
export interface DeliveryBind<F> {
  readonly id: number;
  /** Deliveries sent on this connection and not answered yet, by sequence number. */
  readonly deliveries: Map<number, Delivery<F>>;
  isOpen(): boolean;
}

/**
 * What differs between the protocols the engine delivers over (SMPP deliver_sm, CMPP DELIVER):
 * what to send for an outbox item, and how one goes out on a connection.
 */
export interface DeliverProtocol<I, F, B extends DeliveryBind<F>> {
  /** The deliveries for an outbox item; none when the client gets nothing for it. */
  build(item: I): F[];
  /** Sends one; its sequence number (the answer's key), or null when the connection cannot take it. */
  send(bind: B, fields: F): number | null;
}

/**
 * The client's answer to a delivery: taken; refused for now (sent again later); or refused for
 * good (dropped, e.g. SMPP 3.4 §5.1.3 ESME_RX_P_APPN / ESME_RX_R_APPN). `status` names it in logs.
 */
export type DeliveryAnswer = { verdict: 'ok' | 'retry' | 'drop'; status: string };

interface Entry {
  eventId: number;
  /** Deliveries of this event not yet acknowledged (0: done). */
  remaining: number;
}

export interface Delivery<F> {
  entry: Entry | null;
  fields: F;
  attempts: number;
  notBefore: number;
  sentAt: number;
}

export interface DeliveryOptions {
  /** Unanswered deliveries per connection. */
  window: number;
  /** An unanswered delivery is sent again after this long. */
  responseTimeoutMs: number;
  /** Give up on a delivery the client keeps refusing after this many tries. */
  maxAttempts: number;
  /** Events and deliveries held in memory per account. */
  maxBuffered: number;
  /** How long a missing event id may be an uncommitted transaction. */
  gapWaitMs: number;
  /**
   * The process's event horizon when it has one (events/horizon.ts, shared with
   * webhooks and the live stream); otherwise the engine keeps its own.
   */
  horizon?: { current(): Promise<number> };
}

class Account<F, B> {
  readonly receivers: B[] = [];
  /** Loaded from the database on the first bind; null until then. */
  cursor: number | null = null;
  saved = -1;
  fetchedTo = 0;
  readonly entries = new Fifo<Entry>();
  readonly ready = new Fifo<Delivery<F>>();
  delayed: Delivery<F>[] = [];
  rr = 0;
  fetching = false;
  /** Deliveries held in memory (queued, delayed or in flight). */
  buffered = 0;

  constructor(
    readonly id: string,
    readonly tenantId: string,
    readonly systemId: string,
  ) {}

  pendingEntries(): number {
    return this.entries.size;
  }
}

export class DeliveryEngine<I extends OutboxEvent, F, B extends DeliveryBind<F>> {
  readonly #accounts = new Map<string, Account<F, B>>();
  #horizon: number | null = null;
  readonly #gaps: Gap[] = [];
  #horizonBusy = false;
  readonly #counters = { sent: 0, acked: 0, retried: 0, dropped: 0 };

  constructor(
    private readonly store: OutboxReader<I>,
    private readonly opts: DeliveryOptions,
    private readonly log: Logger,
    private readonly protocol: DeliverProtocol<I, F, B>,
  ) {}

  stats(): { sent: number; acked: number; retried: number; dropped: number; queued: number } {
    let queued = 0;
    for (const a of this.#accounts.values()) queued += a.buffered;
    return { ...this.#counters, queued };
  }

  /** The account's cursor exists from its first bind on (receipts of a transmitter's submits wait). */
  async prepare(accountId: string, tenantId: string, systemId: string): Promise<void> {
    const a = this.#account(accountId, tenantId, systemId);
    if (a.cursor !== null) return;
    const cursor = await this.store.ensureCursor(accountId, tenantId);
    if (a.cursor !== null) return;
    a.cursor = cursor;
    a.saved = cursor;
    a.fetchedTo = cursor;
    this.#horizon ??= cursor;
  }

  /** A receiver or transceiver bind of the account is up. */
  attach(accountId: string, tenantId: string, systemId: string, bind: B): void {
    const a = this.#account(accountId, tenantId, systemId);
    if (!a.receivers.includes(bind)) a.receivers.push(bind);
    this.#pump(a);
  }

  /** The bind is gone: what it had in flight goes out again on another bind (or waits). */
  detach(accountId: string, bind: B): void {
    const a = this.#accounts.get(accountId);
    if (!a) return;
    const i = a.receivers.indexOf(bind);
    if (i >= 0) a.receivers.splice(i, 1);
    const back = [...bind.deliveries.values()];
    bind.deliveries.clear();
    a.ready.unshiftAll(back);
    this.#pump(a);
  }

  /** The client's answer (deliver_sm_resp, generic_nack, DELIVER_RESP) to a delivery of ours. */
  answered(accountId: string, bind: B, sequence: number, answer: DeliveryAnswer): void {
    const d = bind.deliveries.get(sequence);
    if (!d) return; // late, after a timeout re-sent it
    bind.deliveries.delete(sequence);
    const a = this.#accounts.get(accountId);
    if (!a) return;
    if (answer.verdict === 'ok') {
      this.#counters.acked++;
      this.#done(a, d);
    } else if (answer.verdict === 'drop' || d.attempts >= this.opts.maxAttempts) {
      // Refused for good, or refused too often: drop it.
      this.#counters.dropped++;
      this.log.warn(
        { systemId: a.systemId, status: answer.status, attempts: d.attempts },
        'delivery refused by the client; dropped',
      );
      this.#done(a, d);
    } else {
      this.#retryLater(a, d, Date.now());
    }
    this.#pump(a);
  }

  /** Deliveries that are not in the outbox (receipts for parts of a message never accepted). */
  sendUnrecorded(accountId: string, tenantId: string, systemId: string, fields: F[]) {
    const a = this.#account(accountId, tenantId, systemId);
    for (const f of fields) {
      if (a.buffered >= this.opts.maxBuffered * 2) break;
      a.ready.push({ entry: null, fields: f, attempts: 0, notBefore: 0, sentAt: 0 });
      a.buffered++;
    }
    this.#pump(a);
  }

  /** Reads new events for accounts with a receiver up; run every poll interval. */
  async poll(now = Date.now()): Promise<void> {
    const active = [...this.#accounts.values()].filter(
      (a) => a.receivers.length > 0 && a.cursor !== null,
    );
    if (active.length === 0) return;
    let horizon: number | null;
    try {
      horizon = this.opts.horizon
        ? await this.opts.horizon.current()
        : (await this.#advanceHorizon(now), this.#horizon);
    } catch (err) {
      this.log.error({ err }, 'reading the event horizon failed');
      return;
    }
    if (horizon === null) return;
    for (const a of active) {
      if (a.fetching || a.fetchedTo >= (horizon as number)) continue;
      if (a.buffered + a.pendingEntries() >= this.opts.maxBuffered / 2) continue;
      a.fetching = true;
      try {
        const limit = Math.max(1, this.opts.maxBuffered - a.buffered);
        const items = await this.store.fetch(a.tenantId, a.systemId, a.fetchedTo, horizon, limit);
        for (const item of items) this.#enqueue(a, item);
        // A short page read everything up to the horizon: what it skipped needs nothing.
        const to = items.length < limit ? horizon : (items[items.length - 1] as I).eventId;
        if (to > a.fetchedTo) {
          a.entries.push({ eventId: to, remaining: 0 });
          a.fetchedTo = to;
        }
        this.#advance(a);
        this.#pump(a);
      } catch (err) {
        this.log.error({ err, systemId: a.systemId }, 'reading the tenant outbox failed');
      } finally {
        a.fetching = false;
      }
    }
  }

  /** Timeouts and retries; run about once a second. */
  sweep(now = Date.now()): void {
    for (const a of this.#accounts.values()) {
      for (const bind of a.receivers) {
        for (const [seq, d] of bind.deliveries) {
          if (now - d.sentAt < this.opts.responseTimeoutMs) continue;
          bind.deliveries.delete(seq);
          this.#retryLater(a, d, now);
        }
      }
      if (a.delayed.length > 0) {
        const due = a.delayed.filter((d) => d.notBefore <= now);
        if (due.length > 0) {
          a.delayed = a.delayed.filter((d) => d.notBefore > now);
          for (const d of due) a.ready.push(d);
        }
      }
      this.#pump(a);
    }
  }

  /** Writes the cursors that moved; run every few hundred ms and on stop. */
  async saveCursors(): Promise<void> {
    for (const a of this.#accounts.values()) {
      if (a.cursor === null || a.cursor <= a.saved) continue;
      const cursor = a.cursor;
      try {
        await this.store.saveCursor(a.id, cursor);
        a.saved = Math.max(a.saved, cursor);
      } catch (err) {
        this.log.error({ err, systemId: a.systemId }, 'saving the tenant outbox cursor failed');
      }
    }
  }

  /** For tests and stats: the account's acknowledged event id. */
  cursorOf(accountId: string): number | null {
    return this.#accounts.get(accountId)?.cursor ?? null;
  }

  #account(id: string, tenantId: string, systemId: string): Account<F, B> {
    let a = this.#accounts.get(id);
    if (!a) this.#accounts.set(id, (a = new Account(id, tenantId, systemId)));
    return a;
  }

  async #advanceHorizon(now: number): Promise<void> {
    if (this.#horizonBusy || this.#horizon === null) return;
    this.#horizonBusy = true;
    try {
      for (let round = 0; round < 10; round++) {
        const before: number = this.#horizon;
        const ids = await this.store.eventIdsAfter(before, 5000);
        if (ids.length === 0) break;
        this.#horizon = advanceHorizon(before, ids, this.#gaps, now, this.opts.gapWaitMs);
        if (ids.length < 5000 || this.#horizon === before) break;
      }
    } catch (err) {
      this.log.error({ err }, 'reading the event horizon failed');
    } finally {
      this.#horizonBusy = false;
    }
  }

  #enqueue(a: Account<F, B>, item: I): void {
    const fields = this.protocol.build(item);
    const entry: Entry = { eventId: item.eventId, remaining: fields.length };
    a.entries.push(entry);
    for (const f of fields) {
      a.ready.push({ entry, fields: f, attempts: 0, notBefore: 0, sentAt: 0 });
      a.buffered++;
    }
  }

  #done(a: Account<F, B>, d: Delivery<F>): void {
    a.buffered--;
    if (d.entry === null) return;
    d.entry.remaining--;
    if (d.entry.remaining === 0) this.#advance(a);
  }

  /** The cursor moves over the acknowledged prefix. */
  #advance(a: Account<F, B>): void {
    for (let e = a.entries.peek(); e !== undefined && e.remaining === 0; e = a.entries.peek()) {
      a.cursor = Math.max(a.cursor ?? 0, e.eventId);
      a.entries.shift();
    }
  }

  #retryLater(a: Account<F, B>, d: Delivery<F>, now: number): void {
    this.#counters.retried++;
    if (d.attempts >= this.opts.maxAttempts) {
      this.#counters.dropped++;
      this.log.warn({ systemId: a.systemId, attempts: d.attempts }, 'delivery given up');
      this.#done(a, d);
      return;
    }
    // 1 s, 2 s, 4 s … up to a minute.
    d.notBefore = now + Math.min(60_000, 1000 * 2 ** Math.max(0, d.attempts - 1));
    a.delayed.push(d);
  }

  #pump(a: Account<F, B>): void {
    if (a.ready.size === 0 || a.receivers.length === 0) return;
    for (let d = a.ready.peek(); d !== undefined; d = a.ready.peek()) {
      const bind = this.#pick(a);
      if (!bind) break;
      const sequence = this.protocol.send(bind, d.fields);
      if (sequence === null) break;
      a.ready.shift();
      d.attempts++;
      d.sentAt = Date.now();
      bind.deliveries.set(sequence, d);
      this.#counters.sent++;
    }
  }

  #pick(a: Account<F, B>): B | null {
    const n = a.receivers.length;
    for (let i = 0; i < n; i++) {
      const bind = a.receivers[a.rr++ % n] as B;
      if (bind.isOpen() && bind.deliveries.size < this.opts.window) return bind;
    }
    return null;
  }
}
