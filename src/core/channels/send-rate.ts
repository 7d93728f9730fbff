// A channel's send rate: a token bucket at the configured throughput that halves when the carrier
// says it is overloaded (SMPP ESME_RTHROTTLED / ESME_RMSGQFUL, CMPP Result 8) and climbs back by
// 5 % of the throughput per quiet second (AIMD, as TCP does). Pure: the caller passes the time.

export class SendRate {
  #tokens: number;
  #last: number;
  #rate: number;
  #lastThrottle = -Infinity;

  constructor(
    private readonly throughput: number,
    /** Tokens that may build up: at most one window per bind, so the limit holds over any second. */
    private readonly burst: number,
    now: number,
  ) {
    this.#rate = throughput;
    this.#tokens = Math.min(throughput, burst);
    this.#last = now;
  }

  /** The rate allowed now, parts per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Spend one token if there is one. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** How long until the next token. */
  waitMs(): number {
    return Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.#rate));
  }

  /** The carrier is overloaded: no more tokens now, and half the rate (once per 200 ms burst of such answers). */
  throttled(now: number): boolean {
    this.#tokens = 0;
    const halve = now - this.#lastThrottle > 200;
    if (halve) this.#rate = Math.max(1, this.#rate / 2);
    this.#lastThrottle = now;
    return halve;
  }

  /** Called about once a second: a second without throttling gives back 5 % of the throughput. */
  recover(now: number): void {
    if (this.#rate < this.throughput && now - this.#lastThrottle > 1000)
      this.#rate = Math.min(this.throughput, this.#rate + Math.max(1, this.throughput * 0.05));
  }

  #refill(now: number): void {
    const elapsed = now - this.#last;
    if (elapsed <= 0) return;
    this.#last = now;
    this.#tokens = Math.min(Math.max(this.burst, 1), this.#tokens + (elapsed * this.#rate) / 1000);
  }
}
