// Slowing password guessing without letting a guesser lock anyone out (docs/security.md,
// "Lock-outs and throttling"). One policy for HTTP login, SMPP binds and CMPP logins.
//
// Every try is counted BEFORE its password is checked (a slot is reserved atomically), so N
// concurrent tries can never pass a limit: the check is what costs, so it is what is rationed.
// Three counters, after OWASP's Authentication Cheat Sheet ("Account Lockout", "Slow down online
// guessing") and NIST SP 800-63B §5.2.2 (rate limiting that does not let an attacker lock out):
//   name+address  `perPair` failed tries lock that login name FROM THAT ADDRESS only;
//   address       `perAddress` failed tries over any names throttle the address (spraying);
//   name          past `perName` failed tries from anywhere, one try per growing delay, never a lock.
// A name that logged in from an address within `knownMs` is known there: the address throttle
// and the name's delay do not apply to it, so a neighbour behind the guesser's NAT and the real
// user on their usual address keep working. Unknown names are counted like real ones, so the
// answers never tell which names exist.

export interface ThrottlePolicy {
  /** Failed tries of one name from one address before that pair is locked. */
  perPair: number;
  /** Failed tries from one address, over all names, before the address is throttled. */
  perAddress: number;
  /** Failed tries of one name, over all addresses, before each try waits for a delay. */
  perName: number;
  /** How long failures are remembered by the pair and address counters. */
  windowMs: number;
  /** How long a locked pair or a throttled address is refused. */
  lockMs: number;
  /** How long failures are remembered by the name counter. */
  nameWindowMs: number;
  /** The first delay past `perName`; it doubles with each further failure, up to the cap. */
  nameDelayMs: number;
  nameDelayMaxMs: number;
  /** How long a successful login keeps its address known for its name. */
  knownMs: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  perPair: 5,
  perAddress: 20,
  perName: 10,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  nameWindowMs: 24 * 3600_000,
  nameDelayMs: 1000,
  nameDelayMaxMs: 60_000,
  knownMs: 30 * 24 * 3600_000,
};

/** One counter: count attempts in a window; once `limit` are reached, block until `blockMs` ends. */
export interface CounterRule {
  limit: number;
  windowMs: number;
  /** How long to block when the count reaches `count` (≥ limit). */
  blockMs(count: number): number;
}

export type CounterKind = 'pair' | 'address' | 'name';

export interface CounterKey {
  kind: CounterKind;
  /** The login name (email, system_id, Source_Addr) the counter belongs to, if any. */
  name: string | null;
  /** The whole key: unique per counter. */
  key: string;
}

/**
 * Where counters live: in memory (one process: SMPP/CMPP binds) or in the store (shared by the
 * nodes: HTTP login). Each call is atomic for its key.
 */
export interface ThrottleCounters {
  /** If the key is not blocked, count one attempt (a new window if the last one ended); the
   * attempt that reaches the limit blocks the key. Refused: the time the block ends. */
  reserve(key: CounterKey, rule: CounterRule, now: number): Promise<Reservation>;
  /** Take back one reserved attempt; the block goes when the count falls below the limit. */
  release(key: CounterKey, rule: CounterRule, now: number): Promise<void>;
  /** Forget a counter (a pair after a successful login). */
  clear(key: CounterKey): Promise<void>;
  isKnown(name: string, address: string, now: number): Promise<boolean>;
  markKnown(name: string, address: string, until: number): Promise<void>;
  /** Forget every counter of a name (an operator unlocks a user). */
  forgetName(name: string): Promise<void>;
}

export type Reservation = { ok: true; count: number } | { ok: false; until: number };

export type Refusal = {
  ok: false;
  /** locked: this name from this address; throttled: the address, or the name's delay. */
  reason: 'locked' | 'throttled';
  counter: CounterKind;
  until: number;
  retryAfterSeconds: number;
};

export interface Attempt {
  ok: true;
  /** If this try fails, its name is locked from its address (for the audit log). */
  locksPair: boolean;
  /** The password was right: the pair is cleared, the other slots given back, the address known. */
  succeed(now: number): Promise<void>;
  /** The password was wrong: the reserved slots stay counted. */
  fail(): void;
  /** No verdict (a second factor is still missing, an internal error): give every slot back. */
  abandon(now: number): Promise<void>;
}

export function rulesOf(p: ThrottlePolicy): Record<CounterKind, CounterRule> {
  return {
    pair: { limit: p.perPair, windowMs: p.windowMs, blockMs: () => p.lockMs },
    address: { limit: p.perAddress, windowMs: p.windowMs, blockMs: () => p.lockMs },
    name: {
      limit: p.perName,
      windowMs: p.nameWindowMs,
      blockMs: (count) =>
        Math.min(p.nameDelayMaxMs, p.nameDelayMs * 2 ** Math.min(30, count - p.perName)),
    },
  };
}

export function counterKeys(name: string, address: string): Record<CounterKind, CounterKey> {
  return {
    pair: { kind: 'pair', name, key: `p:${address}|${name}` },
    address: { kind: 'address', name: null, key: `a:${address}` },
    name: { kind: 'name', name, key: `n:${name}` },
  };
}

/**
 * Reserve a try for `name` from `address` (normalise both first: see addressKey in access.ts),
 * before the password is checked. Call it before the first `await` of the check so concurrent
 * tries are counted in the order they arrived.
 */
export async function beginAttempt(
  counters: ThrottleCounters,
  policy: ThrottlePolicy,
  name: string,
  address: string,
  now: number,
): Promise<Attempt | Refusal> {
  const rules = rulesOf(policy);
  const keys = counterKeys(name, address);
  // The pair first, synchronously up to its reservation: concurrent tries are ordered by arrival.
  const order: CounterKind[] = ['pair'];
  const pair = await counters.reserve(keys.pair, rules.pair, now);
  if (!pair.ok) return refusal('locked', 'pair', pair.until, now);
  if (!(await counters.isKnown(name, address, now))) order.push('address', 'name');
  const reserved: CounterKind[] = ['pair'];
  for (const kind of order.slice(1)) {
    const r = await counters.reserve(keys[kind], rules[kind], now);
    if (!r.ok) {
      for (const k of reserved) await counters.release(keys[k], rules[k], now);
      return refusal('throttled', kind, r.until, now);
    }
    reserved.push(kind);
  }
  let settled = false;
  const once = () => {
    if (settled) return false;
    settled = true;
    return true;
  };
  return {
    ok: true,
    locksPair: pair.count >= policy.perPair,
    async succeed(at) {
      if (!once()) return;
      await counters.clear(keys.pair);
      for (const k of reserved) if (k !== 'pair') await counters.release(keys[k], rules[k], at);
      await counters.markKnown(name, address, at + policy.knownMs);
    },
    fail() {
      once();
    },
    async abandon(at) {
      if (!once()) return;
      for (const k of reserved) await counters.release(keys[k], rules[k], at);
    },
  };
}

function refusal(
  reason: Refusal['reason'],
  counter: CounterKind,
  until: number,
  now: number,
): Refusal {
  return {
    ok: false,
    reason,
    counter,
    until,
    retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
  };
}

interface Entry {
  count: number;
  windowStart: number;
  blockedUntil: number;
  /** Known pairs: until when. */
  knownUntil: number;
}

/**
 * Counters in one process's memory, bounded: the least recently touched keys are forgotten
 * first (Map order is insertion order, ECMA-262 §24.1). Every method's work is synchronous, so
 * a reservation is atomic among concurrent callers in the process.
 */
export class MemoryThrottleCounters implements ThrottleCounters {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly maxKeys = 100_000) {}

  reserve(key: CounterKey, rule: CounterRule, now: number): Promise<Reservation> {
    return Promise.resolve(this.#reserve(key, rule, now));
  }

  #reserve(key: CounterKey, rule: CounterRule, now: number): Reservation {
    const e = this.#entries.get(key.key) ?? {
      count: 0,
      windowStart: now,
      blockedUntil: 0,
      knownUntil: 0,
    };
    if (e.blockedUntil > now) return { ok: false, until: e.blockedUntil };
    if (now - e.windowStart >= rule.windowMs) {
      e.count = 0;
      e.windowStart = now;
    }
    e.count++;
    if (e.count >= rule.limit) e.blockedUntil = now + rule.blockMs(e.count);
    this.#touch(key.key, e);
    return { ok: true, count: e.count };
  }

  release(key: CounterKey, rule: CounterRule, _now: number): Promise<void> {
    const e = this.#entries.get(key.key);
    if (e && e.count > 0) {
      e.count--;
      if (e.count < rule.limit) e.blockedUntil = 0;
    }
    return Promise.resolve();
  }

  clear(key: CounterKey): Promise<void> {
    this.#entries.delete(key.key);
    return Promise.resolve();
  }

  isKnown(name: string, address: string, now: number): Promise<boolean> {
    return Promise.resolve((this.#entries.get(knownKey(name, address))?.knownUntil ?? 0) > now);
  }

  markKnown(name: string, address: string, until: number): Promise<void> {
    this.#touch(knownKey(name, address), {
      count: 0,
      windowStart: 0,
      blockedUntil: 0,
      knownUntil: until,
    });
    return Promise.resolve();
  }

  forgetName(name: string): Promise<void> {
    for (const key of [...this.#entries.keys()])
      // Addresses hold no '|': a pair key's name is everything after the first one.
      if (key === `n:${name}` || (key.startsWith('p:') && key.slice(key.indexOf('|') + 1) === name))
        this.#entries.delete(key);
    return Promise.resolve();
  }

  #touch(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, e);
    while (this.#entries.size > this.maxKeys) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}

/** The key remembering that `name` logged in from `address`. */
export function knownKey(name: string, address: string): string {
  return `k:${address}|${name}`;
}
