// The event horizon: the highest message_events id below which every event is committed.
// Identity values are handed out when a transaction inserts, not when it commits, so on
// PostgreSQL id 101 can be visible while 100 is still in flight. A reader that moved its cursor
// past 100 would never see it. So a cursor only moves up to the first missing id, and a missing id
// is given up on (a rolled-back insert leaves a hole forever) only after it has been missing for
// `waitMs`, longer than any transaction that writes events.

export interface Gap {
  from: number;
  to: number;
  /** When this hole (or one it is part of) was first seen. */
  since: number;
}

/**
 * Move the horizon over `ids` (the committed ids above it, ascending). `gaps` carries the holes
 * seen so far between calls; it is updated in place. Returns the new horizon.
 */
export function advanceHorizon(
  horizon: number,
  ids: readonly number[],
  gaps: Gap[],
  now: number,
  waitMs: number,
): number {
  // Note every hole in what we see, keeping the oldest time any part of it was first missed.
  let prev = horizon;
  const seen: Gap[] = [];
  for (const id of ids) {
    if (id <= prev) continue;
    if (id > prev + 1) {
      const from = prev + 1;
      const to = id - 1;
      const older = gaps.filter((g) => g.from <= to && g.to >= from).map((g) => g.since);
      seen.push({ from, to, since: Math.min(now, ...older) });
    }
    prev = id;
  }
  let h = horizon;
  for (const id of ids) {
    if (id <= h) continue;
    if (id > h + 1) {
      const hole = seen.find((g) => g.from === h + 1);
      if (hole && now - hole.since < waitMs) break;
    }
    h = id;
  }
  gaps.splice(0, gaps.length, ...seen.filter((g) => g.to > h));
  return h;
}
