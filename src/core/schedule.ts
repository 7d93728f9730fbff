// Periodic jobs as plain time arithmetic: when a job is due next after a run, and when a failed
// run is tried again. The scheduler (services/scheduler.ts) keeps the state in the database.

/** Where "now" comes from. The platform uses the system clock; tests pass one they move. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The first slot on the job's grid (`dueAt + k × period`, k ≥ 1) after `now`: a run that was
 * late, or a node that was down for many periods, runs once and then keeps to its grid instead
 * of catching up every missed slot.
 */
export function nextDueAt(dueAt: number, periodMs: number, now: number): number {
  if (!(periodMs > 0)) throw new RangeError('a period must be more than zero');
  if (now < dueAt) return dueAt + periodMs;
  return dueAt + (Math.floor((now - dueAt) / periodMs) + 1) * periodMs;
}

/** A failed run is tried again after `retryMs`, never later than its next regular slot. */
export function retryAt(dueAt: number, periodMs: number, now: number, retryMs: number): number {
  return Math.min(now + retryMs, nextDueAt(dueAt, periodMs, now));
}

/**
 * A job whose period changed (a new release or a new setting): it keeps its due time unless the
 * new period would have it run sooner.
 */
export function dueAfterPeriodChange(dueAt: number, newPeriodMs: number, now: number): number {
  return Math.min(dueAt, now + newPeriodMs);
}

/**
 * When a node should ask about a job again: at its due time; while another node's lease is live,
 * at the lease's end or one period on, whichever comes first (the other node is running it).
 */
export function nextLook(
  dueAt: number,
  leaseUntil: number | null,
  periodMs: number,
  now: number,
): number {
  if (leaseUntil === null || leaseUntil <= now) return dueAt;
  return Math.max(dueAt, Math.min(leaseUntil, now + periodMs));
}
