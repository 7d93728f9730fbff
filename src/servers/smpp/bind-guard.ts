// Slowing password guessing on SMPP binds and CMPP logins with the policy the HTTP login uses
// (core/security/login-throttle.ts, docs/security.md "Lock-outs and throttling"), its counters
// in this process's memory: a bind is answered by the node it reached, so one node's count is
// the one that matters for that connection.
import { addressKey } from '../../core/security/access.ts';
import {
  beginAttempt,
  DEFAULT_THROTTLE_POLICY,
  MemoryThrottleCounters,
  type Attempt,
  type Refusal,
  type ThrottlePolicy,
} from '../../core/security/login-throttle.ts';

export type { Attempt as BindAttempt, Refusal as BindRefusal };

export interface BindGuardOptions extends Partial<ThrottlePolicy> {
  /** Counters remembered; the least recently used are forgotten beyond this. */
  maxKeys?: number;
}

export class BindGuard {
  readonly policy: ThrottlePolicy;
  readonly #counters: MemoryThrottleCounters;

  constructor(opts: BindGuardOptions = {}) {
    const { maxKeys, ...policy } = opts;
    this.policy = { ...DEFAULT_THROTTLE_POLICY, ...policy };
    this.#counters = new MemoryThrottleCounters(maxKeys);
  }

  /**
   * Reserve a try before the password is checked; call it before anything else in the bind
   * (its first counter is taken synchronously, so concurrent binds are counted as they arrive).
   * Refused: `locked` (this system_id from this address) or `throttled` (the address or the
   * system_id is past its limit), with the time to wait.
   */
  begin(systemId: string, remote: string, now: number): Promise<Attempt | Refusal> {
    return beginAttempt(this.#counters, this.policy, systemId, addressKey(remote), now);
  }
}
