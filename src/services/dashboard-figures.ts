// The dashboards' figures, remembered a few seconds per node: today's figures read a day of a
// tenant's messages, the operator's overview a day of everyone's, and consoles ask every few
// seconds. Each answer is kept for a short TTL under (tenant, day) or (day), so many consoles cost
// one read per TTL per node; the API docs say the figures may be that many seconds old.
import type { Kysely } from 'kysely';
import { systemClock, type Clock } from '../core/schedule.ts';
import { MessageStats, type DayFigures } from '../store/message-stats.ts';
import {
  PlatformTraffic,
  type PlatformDay,
  type PlatformQueue,
} from '../store/platform-traffic.ts';
import type { Database } from '../store/schema.ts';

/** A promise per key, kept `ttlMs` from when it was asked for; a failed one is forgotten at once. */
export class TtlMemo<T> {
  readonly #entries = new Map<string, { until: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    /** Expired entries are dropped when this many are kept (a node serves many tenants). */
    private readonly maxEntries = 1000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    const hit = this.#entries.get(key);
    if (hit && now < hit.until) return hit.value;
    if (hit) this.#entries.delete(key);
    else if (this.#entries.size >= this.maxEntries) this.#prune(now);
    const value = load();
    const entry = { until: now + this.ttlMs, value };
    this.#entries.set(key, entry);
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return value;
  }

  #prune(now: number): void {
    for (const [k, e] of this.#entries) if (e.until <= now) this.#entries.delete(k);
    // Still full (all fresh): the oldest go first (a Map keeps insertion order).
    for (const k of this.#entries.keys()) {
      if (this.#entries.size < this.maxEntries) break;
      this.#entries.delete(k);
    }
  }
}

export interface FiguresOptions {
  clock?: Clock;
  ttlMs?: number;
}

/** GET /v1/stats/today: a tenant's messages of one day, at most `ttlMs` (5 s) old. */
export class TodayFigures {
  readonly #stats: MessageStats;
  readonly #memo: TtlMemo<DayFigures>;

  constructor(db: Kysely<Database>, opts: FiguresOptions = {}) {
    this.#stats = new MessageStats(db);
    this.#memo = new TtlMemo(opts.ttlMs ?? 5_000, opts.clock ?? systemClock);
  }

  figures(tenantId: string, day: { from: number; to: number }): Promise<DayFigures> {
    return this.#memo.get(`${tenantId}:${day.from}`, () =>
      this.#stats.figures(tenantId, day.from, day.to),
    );
  }

  /** GET /v1/stats/receipts: delivered and failed per minute since `since` (not cached). */
  finalsPerMinute(tenantId: string, since: number): ReturnType<MessageStats['finalsPerMinute']> {
    return this.#stats.finalsPerMinute(tenantId, since);
  }
}

export interface Overview {
  today: PlatformDay;
  queue: PlatformQueue;
  /** When these figures were read (the queue's age is counted from it). */
  readAt: number;
}

/** GET /v1/admin/overview: today's traffic over every tenant and the queue, at most 10 s old. */
export class PlatformOverview {
  readonly #traffic: PlatformTraffic;
  readonly #memo: TtlMemo<Overview>;
  readonly #clock: Clock;

  constructor(db: Kysely<Database>, opts: FiguresOptions = {}) {
    this.#traffic = new PlatformTraffic(db);
    this.#clock = opts.clock ?? systemClock;
    this.#memo = new TtlMemo(opts.ttlMs ?? 10_000, this.#clock);
  }

  overview(day: { from: number; to: number }): Promise<Overview> {
    return this.#memo.get(String(day.from), async () => {
      const readAt = this.#clock.now();
      const [today, queue] = await Promise.all([
        this.#traffic.day(day.from, day.to),
        this.#traffic.queue(),
      ]);
      return { today, queue, readAt };
    });
  }
}
