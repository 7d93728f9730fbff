// Error-burst breaker: a channel that answers too many submits with errors in a short time is taken
// out of routing for a cool-down, so the failover list carries its traffic; after the cool-down it
// gets traffic again (and trips again if the errors go on). Pure: the caller passes the time.

export interface BurstPolicy {
  /** Errors within `windowMs` that trip the breaker; 0 never trips. */
  errors: number;
  windowMs: number;
  cooldownMs: number;
}

export class BurstBreaker {
  #times: number[] = [];
  #trippedUntil = 0;

  constructor(private readonly policy: BurstPolicy) {}

  /** Count one error; true when this error trips the breaker. */
  error(now: number): boolean {
    if (this.policy.errors <= 0 || this.isOpen(now)) return false;
    this.#times.push(now);
    const from = now - this.policy.windowMs;
    let drop = 0;
    while (drop < this.#times.length && this.#times[drop]! <= from) drop++;
    if (drop > 0) this.#times.splice(0, drop);
    if (this.#times.length >= this.policy.errors) {
      this.#trippedUntil = now + this.policy.cooldownMs;
      this.#times = [];
      return true;
    }
    return false;
  }

  /** A success clears the count: only an unbroken run of errors is a burst. */
  success(): void {
    if (this.#times.length > 0) this.#times = [];
  }

  /** Open: the channel takes no traffic now. */
  isOpen(now: number): boolean {
    return now < this.#trippedUntil;
  }

  /** When the cool-down ends (0 when not tripped). */
  until(): number {
    return this.#trippedUntil;
  }
}
