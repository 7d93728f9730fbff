// Reconnect backoff of a carrier bind: the wait doubles from `reconnectMinMs` up to
// `reconnectMaxMs`, and each wait gets ±25 % jitter so many nodes or channels that lost one
// carrier do not all come back at once. Pure: the caller passes the random source.

export function reconnectWait(
  backoffMs: number,
  maxMs: number,
  random: () => number = Math.random,
): { delayMs: number; nextBackoffMs: number } {
  return {
    delayMs: Math.round(backoffMs * (0.75 + random() * 0.5)),
    nextBackoffMs: Math.min(maxMs, backoffMs * 2),
  };
}
