// Slowing password guessing on SMPP binds and CMPP logins with the policy the HTTP login uses
// (core/security/login-throttle.ts, docs/security.md "Lock-outs and throttling"), its counters
// in this process's memory: a bind is answered by the node it reached, so one node's count is
// the one that matters for that connection.
import { addressKey } from '../../core/security/access.ts';
import {
  beginAttempt,
  DEFAULT_THROTTLE_POLICY,
  MemoryThrottleCounters,
  UNKNOWN_NAME_HASH,
  type Attempt,
  type Refusal,
  type ThrottlePolicy,
} from '../../core/security/login-throttle.ts';

export type { Attempt as BindAttempt, Refusal as BindRefusal };
/** Checked against for a system_id that does not exist, so it costs what a wrong password does. */
export { UNKNOWN_NAME_HASH };

export interface BindGuardOptions extends Partial<ThrottlePolicy> {
  /** Live counters (and known marks) remembered; past it, tries that need a new counter are
   * throttled until some expire (nothing blocked or known is forgotten to make room). */
  maxKeys?: number;
}

export class BindGuard {
  readonly policy: ThrottlePolicy;
  readonly counters: MemoryThrottleCounters;

  constructor(opts: BindGuardOptions = {}) {
    const { maxKeys, ...policy } = opts;
    this.policy = { ...DEFAULT_THROTTLE_POLICY, ...policy };
    this.counters = new MemoryThrottleCounters(maxKeys);
  }

  /**
   * Reserve a try before the password is checked; call it before anything else in the bind
   * (its first counter is taken synchronously, so concurrent binds are counted as they arrive).
   * Refused: `locked` (this system_id from this address) or `throttled` (the address, the
   * system_id's delay, the delay of a system_id known at this address, or full counters), with
   * the time to wait.
   */
  begin(systemId: string, remote: string, now: number): Promise<Attempt | Refusal> {
    return beginAttempt(this.counters, this.policy, systemId, addressKey(remote), now);
  }
}
