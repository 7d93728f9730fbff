// When a failed webhook delivery is tried again, and when it is given up. Exponential (×3 from
// the base: 10 s, 30 s, 90 s, 4.5 min, 13.5 min, 40 min, then the 1 h cap) with ±20 % jitter so
// endpoints that failed together are not all retried in the same second.

export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** A delivery not delivered this long after it was queued (or re-sent) is dead. */
  maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 10_000,
  maxMs: 3_600_000,
  maxAgeMs: 24 * 3_600_000,
};

/** Delay before attempt `failedAttempts + 1`; `random` in [0, 1). */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number, random: number): number {
  const exact = Math.min(policy.maxMs, policy.baseMs * 3 ** Math.max(0, failedAttempts - 1));
  return Math.round(exact * (0.8 + 0.4 * random));
}

/**
 * After a failed attempt: the time of the next one, or null when that would fall after the
 * delivery's deadline (queued + maxAge) — it is then dead.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  o: { failedAttempts: number; queuedAt: number; now: number; random: number },
): number | null {
  const at = o.now + retryDelayMs(policy, o.failedAttempts, o.random);
  return at > o.queuedAt + policy.maxAgeMs ? null : at;
}
