// Shapes shared by every route on the wire.

/** Times are ISO-8601 UTC on the wire, epoch milliseconds in the store. */
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
