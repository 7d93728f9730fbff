// Per-recipient frequency caps: how often one tenant may message one number in one class.
// Pure: the caller passes the history (its sends to this number in this class over the last
// 24 h, any order) and the clock. O(n log n) in the history, which the per-day cap keeps small.
//
// Windows slide: a send at `at` counts against a window of W while now - at < W, so exactly W
// later it no longer counts. A history entry in the future (clock skew between nodes) counts
// as if sent now.
import { DomainError } from '../errors.ts';
import type { MessageClass } from '../billing/rating.ts';

export interface FrequencyCaps {
  /** Sends allowed in any 60 s; a positive integer, or Infinity for no cap. */
  perMinute: number;
  /** Sends allowed in any 60 min. */
  perHour: number;
  /** Sends allowed in any 24 h. */
  perDay: number;
  /** The same text (same hash) may not be sent again within this many minutes; 0 = no rule. */
  sameTextMinutes: number;
}

/**
 * Defaults per class:
 * - verification 1/min, 5/h, 10/day, same text 10 min: the common anti-abuse rule for codes
 *   (a resend must carry a new code, and a user needs at most a handful a day);
 * - notification 5/min, 50/h, 100/day, same text 10 min: transactional traffic can burst (an
 *   order's status changes), an identical text within minutes is almost always a client retry;
 * - marketing 1/min, 2/h, 3/day, same text 1 day: promotions are what recipients complain
 *   about; one campaign text reaches a number once a day at most.
 */
export const DEFAULT_CAPS: Readonly<Record<MessageClass, Readonly<FrequencyCaps>>> = {
  verification: { perMinute: 1, perHour: 5, perDay: 10, sameTextMinutes: 10 },
  notification: { perMinute: 5, perHour: 50, perDay: 100, sameTextMinutes: 10 },
  marketing: { perMinute: 1, perHour: 2, perDay: 3, sameTextMinutes: 1440 },
};

export type FrequencyRule = 'per_minute' | 'per_hour' | 'per_day' | 'same_text';

export type FrequencyResult =
  { ok: true } | { ok: false; rule: FrequencyRule; limit: number; retryAfterSeconds: number };

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function checkCount(name: string, value: number): void {
  if (value !== Infinity && !(Number.isSafeInteger(value) && value >= 1))
    throw new RangeError(`${name} must be a positive integer or Infinity, got ${value}`);
}

/**
 * May one more message with `textHash` go to this number now? When not, the answer names the
 * rule, its cap (`limit` is the cap's value: a count, or for same_text the minutes) and how
 * long to wait. When several rules are broken the one that clears LAST is reported (ties: day,
 * hour, minute, same text), so after `retryAfterSeconds` every rule is satisfied again unless
 * more is sent meanwhile. `retryAfterSeconds` is rounded up, at least 1.
 * Bad caps are a programming error: RangeError.
 */
export function checkFrequency(
  history: readonly { at: number; textHash: string }[],
  now: number,
  textHash: string,
  caps: FrequencyCaps,
): FrequencyResult {
  checkCount('perMinute', caps.perMinute);
  checkCount('perHour', caps.perHour);
  checkCount('perDay', caps.perDay);
  if (!(Number.isSafeInteger(caps.sameTextMinutes) && caps.sameTextMinutes >= 0))
    throw new RangeError(
      `sameTextMinutes must be a non-negative integer, got ${caps.sameTextMinutes}`,
    );

  // Newest first: the k-th newest send is the one whose expiry brings the count below a cap.
  const times = history.map((h) => Math.min(h.at, now)).sort((a, b) => b - a);
  let worst: Extract<FrequencyResult, { ok: false }> | null = null;
  const consider = (rule: FrequencyRule, limit: number, expiresAt: number): void => {
    const retryAfterSeconds = Math.max(1, Math.ceil((expiresAt - now) / 1000));
    if (worst === null || retryAfterSeconds > worst.retryAfterSeconds)
      worst = { ok: false, rule, limit, retryAfterSeconds };
  };

  const counted: Array<[FrequencyRule, number, number]> = [
    ['per_day', caps.perDay, DAY],
    ['per_hour', caps.perHour, HOUR],
    ['per_minute', caps.perMinute, MINUTE],
  ];
  for (const [rule, limit, window] of counted) {
    if (limit === Infinity || times.length < limit) continue;
    // With `limit` or more sends in the window, one more is allowed once the limit-th newest
    // has left it: then at most limit - 1 remain.
    const pivot = times[limit - 1]!;
    if (now - pivot < window) consider(rule, limit, pivot + window);
  }

  if (caps.sameTextMinutes > 0) {
    const window = caps.sameTextMinutes * MINUTE;
    let newest = -Infinity;
    for (const h of history)
      if (h.textHash === textHash) newest = Math.max(newest, Math.min(h.at, now));
    if (now - newest < window) consider('same_text', caps.sameTextMinutes, newest + window);
  }

  return worst ?? { ok: true };
}

/** The error to throw (or map to a 429) for a refused check. */
export function frequencyError(result: Extract<FrequencyResult, { ok: false }>): DomainError {
  const what =
    result.rule === 'same_text'
      ? `the same text was sent to this number in the last ${result.limit} minutes`
      : `at most ${result.limit} messages ${result.rule.replace('_', ' ')} to this number`;
  return new DomainError('frequency_limited', `${what}; retry in ${result.retryAfterSeconds} s`, {
    rule: result.rule,
    limit: result.limit,
    retryAfterSeconds: result.retryAfterSeconds,
  });
}
