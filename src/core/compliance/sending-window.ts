// Quiet hours: when a message may reach the recipient's phone, in the recipient's local time.
// The window is [start, end) in minutes of the local day, so 08:00 is open and 21:00 is closed
// (default 08:00-21:00, the usual quiet-hours rule for marketing SMS in China; a channel may
// be stricter). A window with
// start > end runs over midnight (22:00-06:00). The UTC offset is fixed for the call: the caller
// resolves the zone's offset for `now` (China has no daylight saving time).

export interface SendingWindowOptions {
  /** Local time minus UTC, in minutes (China: 480). */
  utcOffsetMinutes: number;
  /** First open minute of the local day, 0..1439. Default 480 (08:00). */
  startMinute?: number;
  /** First closed minute of the local day, 0..1440. Default 1260 (21:00). */
  endMinute?: number;
}

export const DEFAULT_SENDING_WINDOW = { startMinute: 480, endMinute: 1260 } as const;

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Is the window open at `now` (ms since the epoch)? If not, `opensAt` is the next instant it
 * opens (today's start when before it, tomorrow's when after the end); if open, `opensAt = now`.
 * Bad options are a programming error: RangeError.
 */
export function sendingWindow(
  now: number,
  opts: SendingWindowOptions,
): { open: boolean; opensAt: number } {
  const start = opts.startMinute ?? DEFAULT_SENDING_WINDOW.startMinute;
  const end = opts.endMinute ?? DEFAULT_SENDING_WINDOW.endMinute;
  const offset = opts.utcOffsetMinutes;
  if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number, got ${now}`);
  if (!Number.isInteger(offset) || offset < -720 || offset > 840)
    throw new RangeError(`utcOffsetMinutes must be an integer in -720..840, got ${offset}`);
  if (!Number.isInteger(start) || start < 0 || start > 1439)
    throw new RangeError(`startMinute must be an integer in 0..1439, got ${start}`);
  if (!Number.isInteger(end) || end < 0 || end > 1440)
    throw new RangeError(`endMinute must be an integer in 0..1440, got ${end}`);
  if (start === end) throw new RangeError('startMinute and endMinute must differ');

  const local = now + offset * MINUTE;
  const dayStart = Math.floor(local / DAY) * DAY;
  const sinceMidnight = local - dayStart;
  const startMs = start * MINUTE;
  const endMs = end * MINUTE;
  const open =
    start < end
      ? sinceMidnight >= startMs && sinceMidnight < endMs
      : sinceMidnight >= startMs || sinceMidnight < endMs;
  if (open) return { open, opensAt: now };
  // Closed: for a same-day window, after the end means tomorrow; an over-midnight window is
  // closed only between end and start of the same day, so it always opens today.
  const day = start < end && sinceMidnight >= endMs ? dayStart + DAY : dayStart;
  return { open, opensAt: day + startMs - offset * MINUTE };
}
