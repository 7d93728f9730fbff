// Shapes shared by every route on the wire.
import { localizedError } from '../../core/i18n/index.ts';

/** Times are ISO-8601 UTC on the wire, epoch milliseconds in the store. */
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** An ISO-8601 time from a query parameter, or 400 naming the parameter. */
export function parseTime(value: string, name: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw localizedError('invalid_request', 'http.invalid_time', { name, value }, { field: name });
  return ms;
}

/** `?limit=` of a list: the default when absent, 400 outside 1..max. */
export function parseLimit(value: string | undefined, fallback: number, max: number): number {
  const limit = value === undefined ? fallback : Number(value);
  if (limit < 1 || limit > max)
    throw localizedError('invalid_request', 'http.invalid_limit', { max }, { field: 'limit' });
  return limit;
}
