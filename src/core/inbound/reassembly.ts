// Long inbound messages arrive as segments with a concatenation UDH (reference, total, number;
// 3GPP TS 23.040 §9.2.3.24.1). Segments are held until every number 1..total is there, then
// joined in order. A set that stays incomplete is given up after a while and kept as what arrived,
// marked partial: a handset or carrier that lost a segment will not send it later.

export interface Concat {
  ref: number;
  total: number;
  seq: number;
}

/** How long an incomplete set is held before it is stored as partial. */
export const REASSEMBLY_WAIT_MS = 10 * 60_000;

/**
 * The concatenation info worth reassembling by, or null: a "set" of one, a number outside
 * 1..total or a total above 255 (the 8-bit IE's limit) is taken as a message on its own.
 */
export function usableConcat(c: Concat | null | undefined): Concat | null {
  if (!c) return null;
  const { ref, total, seq } = c;
  if (![ref, total, seq].every(Number.isInteger)) return null;
  if (total < 2 || total > 255 || seq < 1 || seq > total || ref < 0 || ref > 0xffff) return null;
  return { ref, total, seq };
}

export interface HeldSegment {
  seq: number;
  text: string;
  receivedAt: number;
}

export interface Assembled {
  /** The segments' texts in order (what arrived, when partial). */
  text: string;
  complete: boolean;
  /** Distinct segments present. */
  received: number;
  /** Numbers that never came. */
  missing: number[];
  /** When the first segment arrived. */
  firstAt: number;
}

/** Join a set: in order of their numbers, each number once (a carrier may send one twice). */
export function assemble(total: number, segments: readonly HeldSegment[]): Assembled {
  const bySeq = new Map<number, HeldSegment>();
  for (const s of segments) if (!bySeq.has(s.seq)) bySeq.set(s.seq, s);
  const present = [...bySeq.keys()].sort((a, b) => a - b);
  const missing: number[] = [];
  for (let n = 1; n <= total; n++) if (!bySeq.has(n)) missing.push(n);
  return {
    text: present.map((n) => bySeq.get(n)!.text).join(''),
    complete: missing.length === 0,
    received: present.length,
    missing,
    firstAt: Math.min(...segments.map((s) => s.receivedAt)),
  };
}

/** Is a set whose first segment came at `firstAt` to be given up at `now`? */
export function setExpired(firstAt: number, now: number, waitMs = REASSEMBLY_WAIT_MS): boolean {
  return now - firstAt >= waitMs;
}
