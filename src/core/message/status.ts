// The message state machine. A message is accepted `queued` (or `held` for manual content
// review), becomes `submitted` when the carrier has taken every part, and ends in exactly one
// final status.

export const FINAL_STATUSES = [
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'unknown',
] as const;
export type FinalMessageStatus = (typeof FINAL_STATUSES)[number];
export type MessageStatus = 'held' | 'queued' | 'submitted' | FinalMessageStatus;
export const MESSAGE_STATUSES: readonly MessageStatus[] = [
  'held',
  'queued',
  'submitted',
  ...FINAL_STATUSES,
];

const finals = new Set<string>(FINAL_STATUSES);
export function isFinal(status: string): status is FinalMessageStatus {
  return finals.has(status);
}

export function isMessageStatus(value: string): value is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(value);
}

/** Allowed moves; every store update is guarded by the `from` status, so replays do nothing. */
const transitions: Record<MessageStatus, readonly MessageStatus[]> = {
  held: ['queued', 'failed'],
  queued: ['submitted', 'failed', ...FINAL_STATUSES],
  submitted: ['delivered', 'undelivered', 'expired', 'rejected', 'unknown'],
  delivered: [],
  undelivered: [],
  expired: [],
  rejected: [],
  failed: [],
  unknown: [],
};

export function canMove(from: MessageStatus, to: MessageStatus): boolean {
  return transitions[from].includes(to);
}

/**
 * A multi-part message's outcome from its parts' outcomes: delivered only when every part
 * was; otherwise the first part (by seq) that was not tells what happened.
 */
export function messageOutcome(partStatuses: readonly string[]): FinalMessageStatus | null {
  let firstBad: FinalMessageStatus | null = null;
  for (const s of partStatuses) {
    if (!isFinal(s)) return null;
    if (s !== 'delivered' && firstBad === null) firstBad = s;
  }
  return firstBad ?? 'delivered';
}
