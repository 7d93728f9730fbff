// Routing decisions as data. Today every message may use any channel; number-segment and
// country routes and failover order come with carrier channels (first match wins).

export interface ChannelChoice {
  id: string;
  bound: boolean;
  capacity: number;
}

/** The first bound channel with room, or null when none can take a part now. */
export function chooseChannel(channels: readonly ChannelChoice[]): string | null {
  for (const c of channels) if (c.bound && c.capacity > 0) return c.id;
  return null;
}

/** Backoff before the next attempt of a message, by why the last one failed. */
export function retryDelayMs(
  reason: 'throttled' | 'temporary' | 'unanswered',
  attempts: number,
): number {
  const base = reason === 'throttled' ? 1000 : 2000;
  return Math.min(60_000, base * 2 ** Math.max(0, attempts - 1));
}
