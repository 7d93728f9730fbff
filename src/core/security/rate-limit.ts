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
