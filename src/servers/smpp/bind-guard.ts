// Slowing password guessing on binds, as the HTTP login does (services/log-in.ts): failures are
// counted per system_id and per remote address within a window; past the limit the key is
// locked for `lockMs` and binds are refused without checking the password. A success clears the
// system_id's count. Pure (the caller passes the clock), bounded (oldest keys are forgotten).

export interface BindGuardOptions {
  /** Failures per system_id before it is locked. */
  maxPerSystemId: number;
  /** Failures per remote address before it is locked (several accounts behind one NAT). */
  maxPerAddress: number;
  windowMs: number;
  lockMs: number;
  maxKeys?: number;
}

interface Entry {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

export class BindGuard {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly opts: BindGuardOptions) {}

  /** When the bind must be refused unchecked: the time the lock ends; else null. */
  lockedUntil(systemId: string, address: string, now: number): number | null {
    let until = 0;
    for (const key of [`s:${systemId}`, `a:${address}`]) {
      const e = this.#entries.get(key);
      if (e && e.lockedUntil > now) until = Math.max(until, e.lockedUntil);
    }
    return until > 0 ? until : null;
  }

  /** Counts a failure; returns how many the system_id has in the window. */
  fail(systemId: string, address: string, now: number): number {
    this.#count(`a:${address}`, this.opts.maxPerAddress, now);
    return this.#count(`s:${systemId}`, this.opts.maxPerSystemId, now);
  }

  succeed(systemId: string): void {
    this.#entries.delete(`s:${systemId}`);
  }

  #count(key: string, max: number, now: number): number {
    let e = this.#entries.get(key);
    if (!e || now - e.firstAt > this.opts.windowMs)
      e = { failures: 0, firstAt: now, lockedUntil: 0 };
    e.failures++;
    if (e.failures >= max) e.lockedUntil = now + this.opts.lockMs;
    // Re-insert: Map order is insertion order, so the first key is the least recently failed.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    const maxKeys = this.opts.maxKeys ?? 100_000;
    while (this.#entries.size > maxKeys) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return e.failures;
  }
}
