// A message's timeline for its detail page: what the store recorded, in time order. Accepted and
// every later status change (message_events), each part the carrier took or refused
// (message_parts), and every delivery receipt for it, intermediate ones included (receipts).

export type TimelineType = 'accepted' | 'status' | 'submitted' | 'submit_failed' | 'receipt';

export interface TimelineEvent {
  at: number;
  type: TimelineType;
  status: string | null;
  /** The part (1-based) a submission or receipt was for; null for the message as a whole. */
  part: number | null;
  detail: string | null;
}

export interface TimelineSources {
  events: Array<{ status: string; detail: string | null; at: number }>;
  parts: Array<{
    seq: number;
    status: string;
    carrierId: string | null;
    commandStatus: number | null;
    submittedAt: number | null;
    doneAt: number | null;
  }>;
  receipts: Array<{
    stat: string;
    err: string | null;
    status: string | null;
    seq: number | null;
    at: number;
  }>;
}

// Same instant: the cause before its effect (a part's submission before the message's status).
const ORDER: Record<TimelineType, number> = {
  accepted: 0,
  submitted: 1,
  submit_failed: 2,
  receipt: 3,
  status: 4,
};

export function messageTimeline(s: TimelineSources): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  s.events.forEach((e, i) =>
    out.push({
      at: e.at,
      type: i === 0 ? 'accepted' : 'status',
      status: e.status,
      part: null,
      detail: e.detail,
    }),
  );
  for (const p of s.parts) {
    if (p.submittedAt !== null)
      out.push({
        at: p.submittedAt,
        type: 'submitted',
        status: 'submitted',
        part: p.seq,
        detail: p.carrierId,
      });
    else if (p.commandStatus !== null && p.doneAt !== null)
      out.push({
        at: p.doneAt,
        type: 'submit_failed',
        status: p.status,
        part: p.seq,
        detail: `command_status 0x${p.commandStatus.toString(16).padStart(8, '0')}`,
      });
  }
  for (const r of s.receipts)
    out.push({
      at: r.at,
      type: 'receipt',
      status: r.status,
      part: r.seq,
      detail: r.err === null ? r.stat : `${r.stat} err:${r.err}`,
    });
  // Array.prototype.sort is stable: equal keys keep the order they were recorded in.
  return out.sort((a, b) => a.at - b.at || ORDER[a.type] - ORDER[b.type]);
}
