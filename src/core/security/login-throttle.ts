// Slowing password guessing without letting a guesser lock anyone out (docs/security.md,
// "Lock-outs and throttling"). One policy for HTTP login, SMPP binds and CMPP logins.
//
// Every try is counted BEFORE its password is checked (a slot is reserved atomically), so N
// concurrent tries can never pass a limit: the check is what costs, so it is what is rationed.
// Three counters, after OWASP's Authentication Cheat Sheet ("Account Lockout", "Slow down online
// guessing") and NIST SP 800-63B §5.2.2 (rate limiting that does not let an attacker lock out):
//   name+address  `perPair` failed tries lock that login name FROM THAT ADDRESS only;
//   address       `perAddress` failed tries over any names throttle the address (spraying);
//   name          past `perName` failed tries from anywhere, one try per growing delay, never a
//                 lock, and only for addresses that have failed for that name themselves: a try
//                 from an address with no failures of its own for the name is always checked,
//                 so a guesser taking every slot of the delay cannot keep the real user out.
// A name that logged in from an address within `knownMs` is known there: the address throttle
// and the name's delay do not apply to it, and its pair is slowed (a delay doubling up to
// `nameDelayMaxMs`) instead of locked, so tenants behind one NAT cannot lock each other out of
// their own address. Unknown names are counted like real ones, so the answers never tell which
// names exist.

export interface ThrottlePolicy {
  /** Failed tries of one name from one address before that pair is locked (slowed if known). */
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
  /** The first delay past `perName` (and past `perPair` for a known pair); it doubles with each
   * further failure, up to the cap. */
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

/**
 * A password hash to check against when the name does not exist, so that an unknown name costs
 * the same time as a wrong password and timing does not tell which names exist (the same scrypt
 * parameters as security/passwords.ts).
 */
export const UNKNOWN_NAME_HASH =
  'scrypt$N=32768,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

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

export interface ReserveOptions {
  /** Count the try even if the key is blocked (the name counter for a try from a clean address:
   * it is checked whatever the name's delay, and its failure still counts). */
  evenIfBlocked?: boolean;
  /** Bounded counters may create this key even when full (the pair of a name known at the
   * address: those are bounded by the successful logins that made them known). */
  evenIfFull?: boolean;
}

/**
 * Where counters live: in memory (one process: SMPP/CMPP binds) or in the store (shared by the
 * nodes: HTTP login). Each call is atomic for its key.
 */
export interface ThrottleCounters {
  /** Until when the key is blocked (0 or a past time: it is not); counts nothing, creates nothing. */
  blockedUntil(key: CounterKey, now: number): Promise<number>;
  /** If the key is not blocked, count one attempt (a new window if the last one ended); the
   * attempt that reaches the limit blocks the key. Refused: the time the block ends. */
  reserve(
    key: CounterKey,
    rule: CounterRule,
    now: number,
    opts?: ReserveOptions,
  ): Promise<Reservation>;
  /** Take back one reserved attempt; the block goes when the count falls below the limit. */
  release(key: CounterKey, rule: CounterRule, now: number): Promise<void>;
  /** Forget a counter (a pair after a successful login). */
  clear(key: CounterKey): Promise<void>;
  isKnown(name: string, address: string, now: number): Promise<boolean>;
  markKnown(name: string, address: string, until: number): Promise<void>;
  /** Forget every counter of a name (an operator unlocks a user). */
  forgetName(name: string): Promise<void>;
}

/** Refused: blocked until `until`, or (`full`) bounded counters with no room for a new key. */
export type Reservation = { ok: true; count: number } | { ok: false; until: number; full?: true };

export type Refusal = {
  ok: false;
  /** locked: this name from this address; throttled: the address, the name's delay, a known
   * pair's delay, or (counter `address`) a node whose counters are full. */
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

/** The delay after `over` failures past a limit: `nameDelayMs` doubling, capped. */
function delayMs(p: ThrottlePolicy, over: number): number {
  return Math.min(p.nameDelayMaxMs, p.nameDelayMs * 2 ** Math.min(30, Math.max(0, over)));
}

export function rulesOf(p: ThrottlePolicy): Record<CounterKind | 'knownPair', CounterRule> {
  return {
    pair: { limit: p.perPair, windowMs: p.windowMs, blockMs: () => p.lockMs },
    /** The pair of a name known at the address: slowed, never locked. */
    knownPair: {
      limit: p.perPair,
      windowMs: p.windowMs,
      blockMs: (count) => delayMs(p, count - p.perPair),
    },
    address: { limit: p.perAddress, windowMs: p.windowMs, blockMs: () => p.lockMs },
    name: {
      limit: p.perName,
      windowMs: p.nameWindowMs,
      blockMs: (count) => delayMs(p, count - p.perName),
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
  const taken: Array<[CounterKey, CounterRule]> = [];
  const giveBack = async (at: number) => {
    for (const [k, r] of taken.splice(0).reverse()) await counters.release(k, r, at);
  };

  if (await counters.isKnown(name, address, now)) {
    // Known here: no address throttle, no name delay; its own failures slow it, never lock it.
    const pair = await counters.reserve(keys.pair, rules.knownPair, now, { evenIfFull: true });
    if (!pair.ok) return refusal('throttled', 'pair', pair.until, now);
    return attemptOf(counters, policy, name, address, [[keys.pair, rules.knownPair]], false);
  }

  // The address first and without counting: a throttled address's tries leave nothing behind.
  const addressBlocked = await counters.blockedUntil(keys.address, now);
  if (addressBlocked > now) return refusal('throttled', 'address', addressBlocked, now);
  // Then the pair (concurrent tries of one name from one address are ordered by it), the address.
  const pair = await counters.reserve(keys.pair, rules.pair, now);
  if (!pair.ok)
    return pair.full
      ? refusal('throttled', 'address', pair.until, now)
      : refusal('locked', 'pair', pair.until, now);
  taken.push([keys.pair, rules.pair]);
  const addr = await counters.reserve(keys.address, rules.address, now);
  if (!addr.ok) {
    await giveBack(now);
    return refusal('throttled', 'address', addr.until, now);
  }
  taken.push([keys.address, rules.address]);
  // The name: an address with no failures of its own for the name (this try is its first in the
  // window) is counted but never held back; one that has failed for it waits out the delay.
  const clean = pair.count === 1;
  const named = await counters.reserve(keys.name, rules.name, now, { evenIfBlocked: clean });
  if (!named.ok) {
    await giveBack(now);
    return refusal('throttled', named.full ? 'address' : 'name', named.until, now);
  }
  taken.push([keys.name, rules.name]);
  return attemptOf(counters, policy, name, address, taken, pair.count >= policy.perPair);
}

function attemptOf(
  counters: ThrottleCounters,
  policy: ThrottlePolicy,
  name: string,
  address: string,
  taken: Array<[CounterKey, CounterRule]>,
  locksPair: boolean,
): Attempt {
  let settled = false;
  const once = () => {
    if (settled) return false;
    settled = true;
    return true;
  };
  return {
    ok: true,
    locksPair,
    async succeed(at) {
      if (!once()) return;
      for (const [k, r] of taken)
        if (k.kind === 'pair') await counters.clear(k);
        else await counters.release(k, r, at);
      await counters.markKnown(name, address, at + policy.knownMs);
    },
    fail() {
      once();
    },
    async abandon(at) {
      if (!once()) return;
      for (const [k, r] of [...taken].reverse()) await counters.release(k, r, at);
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
  /** When the entry no longer matters: its window and its block are both over. */
  expiresAt: number;
}

/** How long a try waits when the memory counters are full (they are swept at most this often). */
const FULL_RETRY_MS = 60_000;
const FULL_SWEEP_EVERY_MS = 1000;

/**
 * Counters in one process's memory, bounded without forgetting anything that matters: a refused
 * try creates no entry, an entry whose count falls back to 0 is dropped, expired entries are
 * swept, and a blocked or live entry is never evicted to make room. When `maxKeys` live counters
 * exist, a try that needs a new one is refused (`full`) until some expire, except the pair of a
 * name known at the address; known marks beyond `maxKeys` are not recorded (that name is then
 * treated as new there). Every method's work is synchronous, so a reservation is atomic among
 * concurrent callers in the process.
 */
export class MemoryThrottleCounters implements ThrottleCounters {
  readonly #entries = new Map<string, Entry>();
  /** knownKey → until. */
  readonly #known = new Map<string, number>();
  #lastSweep = -Infinity;
  /** The latest clock reading a caller passed. */
  #now = -Infinity;

  constructor(private readonly maxKeys = 100_000) {}

  /** Live counters and known marks (for tests and metrics). */
  get size(): { counters: number; known: number } {
    return { counters: this.#entries.size, known: this.#known.size };
  }

  blockedUntil(key: CounterKey, now: number): Promise<number> {
    const until = this.#entries.get(key.key)?.blockedUntil ?? 0;
    return Promise.resolve(until > now ? until : 0);
  }

  reserve(
    key: CounterKey,
    rule: CounterRule,
    now: number,
    opts: ReserveOptions = {},
  ): Promise<Reservation> {
    return Promise.resolve(this.#reserve(key, rule, now, opts));
  }

  #reserve(key: CounterKey, rule: CounterRule, now: number, opts: ReserveOptions): Reservation {
    this.#now = Math.max(this.#now, now);
    let e = this.#entries.get(key.key);
    if (e && e.blockedUntil > now && !opts.evenIfBlocked)
      return { ok: false, until: e.blockedUntil };
    if (!e) {
      if (this.#entries.size >= this.maxKeys && !opts.evenIfFull) {
        this.#sweep(now);
        if (this.#entries.size >= this.maxKeys)
          return { ok: false, until: now + FULL_RETRY_MS, full: true };
      }
      e = { count: 0, windowStart: now, blockedUntil: 0, expiresAt: 0 };
      this.#entries.set(key.key, e);
    }
    if (now - e.windowStart >= rule.windowMs) {
      e.count = 0;
      e.windowStart = now;
    }
    e.count++;
    if (e.count >= rule.limit)
      e.blockedUntil = Math.max(e.blockedUntil, now + rule.blockMs(e.count));
    e.expiresAt = Math.max(e.windowStart + rule.windowMs, e.blockedUntil);
    return { ok: true, count: e.count };
  }

  release(key: CounterKey, rule: CounterRule, now: number): Promise<void> {
    const e = this.#entries.get(key.key);
    if (e && e.count > 0) {
      e.count--;
      if (e.count < rule.limit) e.blockedUntil = 0;
      // A try given back leaves nothing behind.
      if (e.count === 0 && e.blockedUntil <= now) this.#entries.delete(key.key);
    }
    return Promise.resolve();
  }

  clear(key: CounterKey): Promise<void> {
    this.#entries.delete(key.key);
    return Promise.resolve();
  }

  isKnown(name: string, address: string, now: number): Promise<boolean> {
    return Promise.resolve((this.#known.get(knownKey(name, address)) ?? 0) > now);
  }

  markKnown(name: string, address: string, until: number): Promise<void> {
    const key = knownKey(name, address);
    if (!this.#known.has(key) && this.#known.size >= this.maxKeys) {
      // Full: only marks that have expired (by the latest clock reading seen) make room.
      for (const [k, u] of this.#known) if (u <= this.#now) this.#known.delete(k);
      if (this.#known.size >= this.maxKeys) return Promise.resolve();
    }
    this.#known.set(key, until);
    return Promise.resolve();
  }

  forgetName(name: string): Promise<void> {
    for (const key of [...this.#entries.keys()])
      // Addresses hold no '|': a pair key's name is everything after the first one.
      if (key === `n:${name}` || (key.startsWith('p:') && key.slice(key.indexOf('|') + 1) === name))
        this.#entries.delete(key);
    return Promise.resolve();
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < FULL_SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
  }
}

/** The key remembering that `name` logged in from `address`. */
export function knownKey(name: string, address: string): string {
  return `k:${address}|${name}`;
}
