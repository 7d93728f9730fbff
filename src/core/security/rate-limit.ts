// Token-bucket rate limiter, pure: the caller passes the clock, so tests and replays are exact.
// One Map entry per key, refilled lazily on access (no timers), so each call is O(1).
// Map iteration order is insertion order (ECMA-262 §24.1), which makes it an LRU list for free:
// re-inserting a key on every access moves it to the end, the first key is the least recent.

export interface RateLimiterOptions {
  /** Bucket size: the largest burst a key may spend at once. */
  capacity: number;
  /** Tokens added per second, up to `capacity`. */
  refillPerSecond: number;
  /** Keys remembered; the least recently used is forgotten beyond this. Default 100 000. */
  maxKeys?: number;
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** Clock reading (ms) the token count was last brought up to date at. */
  at: number;
}

// Refill arithmetic is floating point; 0.1 + 0.2 style residue must not deny a request that is
// due. A billionth of a token is far below anything observable.
const EPSILON = 1e-9;

export class RateLimiter {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(opts: RateLimiterOptions) {
    if (!(Number.isFinite(opts.capacity) && opts.capacity > 0)) {
      throw new RangeError(`capacity must be a positive number, got ${opts.capacity}`);
    }
    if (!(Number.isFinite(opts.refillPerSecond) && opts.refillPerSecond > 0)) {
      throw new RangeError(
        `refillPerSecond must be a positive number, got ${opts.refillPerSecond}`,
      );
    }
    const maxKeys = opts.maxKeys ?? 100_000;
    if (!(Number.isSafeInteger(maxKeys) && maxKeys >= 1)) {
      throw new RangeError(`maxKeys must be a positive integer, got ${maxKeys}`);
    }
    this.capacity = opts.capacity;
    this.refillPerSecond = opts.refillPerSecond;
    this.maxKeys = maxKeys;
  }

  /** Number of keys currently remembered (for metrics and tests). */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Spend `cost` tokens from `key`'s bucket at clock reading `now` (milliseconds, e.g.
   * Date.now()). A denied call spends nothing. A new key starts with a full bucket.
   */
  take(key: string, now: number, cost = 1): TakeResult {
    if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number, got ${now}`);
    // A cost above capacity could never succeed; that is a caller bug, not a rate limit.
    if (!(Number.isFinite(cost) && cost > 0 && cost <= this.capacity)) {
      throw new RangeError(`cost must be in (0, ${this.capacity}], got ${cost}`);
    }
    const bucket = this.#refill(key, now);
    if (bucket.tokens + EPSILON >= cost) {
      bucket.tokens = Math.max(0, bucket.tokens - cost);
      return { ok: true, remaining: Math.floor(bucket.tokens + EPSILON) };
    }
    const seconds = (cost - bucket.tokens) / this.refillPerSecond;
    // Ceil so a client that waits exactly this long succeeds; at least 1 because HTTP
    // Retry-After is in whole seconds (RFC 9110 §10.2.3) and 0 would invite a busy loop.
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds - EPSILON)) };
  }

  /** Forget a key (e.g. after a successful login resets its failure budget). */
  reset(key: string): void {
    this.#buckets.delete(key);
  }

  #refill(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.capacity, at: now };
    } else {
      // A clock that steps backwards (NTP) must neither mint nor remove tokens.
      const elapsedMs = Math.max(0, now - bucket.at);
      bucket.tokens = Math.min(
        this.capacity,
        bucket.tokens + (elapsedMs * this.refillPerSecond) / 1000,
      );
      bucket.at = Math.max(bucket.at, now);
      this.#buckets.delete(key);
    }
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.maxKeys) {
      const oldest = this.#buckets.keys().next();
      if (!oldest.done) this.#buckets.delete(oldest.value);
    }
    return bucket;
  }
}

/** What one tenant may send, counted in messages (one per recipient, whatever its parts). */
export interface MessageLimits {
  /** Messages accepted per second, sustained (the bucket's refill). */
  perSecond: number;
  /** Messages that may be accepted at once after a quiet spell (the bucket's size). */
  burst: number;
  /** Messages inside accept calls being worked on at once, on this node. */
  inFlight: number;
}

export type Admission =
  | { ok: true; granted: number }
  | { ok: false; limit: 'messages_per_second' | 'messages_in_flight'; retryAfterSeconds: number };

interface MessageBucket {
  tokens: number;
  at: number;
  inFlight: number;
}

/**
 * Per-tenant message budget, pure like RateLimiter: a token bucket in messages plus a count of
 * messages in flight. Limits are passed per call (each tenant may have its own). Tokens taken at
 * admission are given back for the recipients that were not accepted in the end, so the rate
 * counts accepted messages. A request larger than the whole burst is let through when the bucket
 * is full and leaves it in debt, so it can always go eventually and the rate still holds over time.
 */
export class MessageBudget {
  readonly #keys = new Map<string, MessageBucket>();

  /** Keys with an unfinished admission or a bucket still refilling (for tests and metrics). */
  get size(): number {
    return this.#keys.size;
  }

  inFlight(key: string): number {
    return this.#keys.get(key)?.inFlight ?? 0;
  }

  /**
   * Admit `count` messages at clock `now` (ms). `partial`: grant as many as fit (at least one)
   * instead of all or none. Every ok admission must be closed by one `finish`.
   */
  admit(
    key: string,
    now: number,
    count: number,
    limits: MessageLimits,
    partial = false,
  ): Admission {
    assertLimits(limits);
    if (!(Number.isSafeInteger(count) && count > 0))
      throw new RangeError(`count must be a positive integer, got ${count}`);
    const b = this.#refill(key, now, limits);
    // In flight: a request alone may exceed the limit (it could never go otherwise).
    const room = limits.inFlight - b.inFlight;
    let granted = count;
    if (b.inFlight > 0 && room < count) {
      if (!partial || room <= 0)
        return { ok: false, limit: 'messages_in_flight', retryAfterSeconds: 1 };
      granted = room;
    }
    if (b.tokens + EPSILON < granted) {
      const full = b.tokens + EPSILON >= limits.burst;
      if (partial && Math.floor(b.tokens + EPSILON) >= 1) granted = Math.floor(b.tokens + EPSILON);
      else if (!(full && granted > limits.burst)) {
        const need = Math.min(partial ? 1 : granted, limits.burst) - b.tokens;
        return {
          ok: false,
          limit: 'messages_per_second',
          // Whole seconds (RFC 9110 §10.2.3), at least 1 so a client never busy-loops.
          retryAfterSeconds: Math.max(1, Math.ceil(need / limits.perSecond - EPSILON)),
        };
      }
    }
    b.tokens -= granted;
    b.inFlight += granted;
    return { ok: true, granted };
  }

  /** Close an admission: `accepted` of the `granted` messages were accepted; the rest are given back. */
  finish(key: string, now: number, granted: number, accepted: number, limits: MessageLimits): void {
    const b = this.#refill(key, now, limits);
    b.inFlight = Math.max(0, b.inFlight - granted);
    b.tokens = Math.min(limits.burst, b.tokens + Math.max(0, granted - accepted));
    // A full, idle bucket is what a new key starts with: forget it.
    if (b.inFlight === 0 && b.tokens + EPSILON >= limits.burst) this.#keys.delete(key);
  }

  #refill(key: string, now: number, limits: MessageLimits): MessageBucket {
    if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number, got ${now}`);
    let b = this.#keys.get(key);
    if (b === undefined) {
      b = { tokens: limits.burst, at: now, inFlight: 0 };
      this.#keys.set(key, b);
      return b;
    }
    const elapsedMs = Math.max(0, now - b.at);
    // A lowered burst applies at once; debt (negative tokens) is paid back at the refill rate.
    b.tokens = Math.min(limits.burst, b.tokens + (elapsedMs * limits.perSecond) / 1000);
    b.at = Math.max(b.at, now);
    return b;
  }
}

function assertLimits(l: MessageLimits): void {
  for (const [name, v] of Object.entries(l))
    if (!(Number.isFinite(v) && v > 0))
      throw new RangeError(`${name} must be a positive number, got ${String(v)}`);
}
