// Phone numbers: accept any common written form, store E.164.
// libphonenumber-js/max: the default "min" metadata checks length only and calls
// +8613812345 valid (shared/design/dependencies.md #8).
import { parsePhoneNumberWithError, ParseError, type CountryCode } from 'libphonenumber-js/max';

export type NormalisedNumber =
  | { ok: true; e164: string; country: string | null }
  | { ok: false; code: 'invalid_number'; detail: string };

const INTERNATIONAL_PREFIX = /^(00|\+)/;

/**
 * Normalise a recipient to E.164. `13800138000`, `+86 138-0013-8000`, `0086 138 0013 8000`,
 * `(+86)13800138000` all give `+8613800138000` with region CN.
 */
export function normaliseNumber(input: string, defaultRegion: string): NormalisedNumber {
  if (typeof input !== 'string') return invalid(String(input), 'not a string');
  const cleaned = input.trim().replace(/[\s\-().\u00a0]/g, '');
  if (cleaned === '') return invalid(input, 'empty');
  if (!/^\+?\d{3,20}$/.test(cleaned))
    return invalid(input, 'contains characters other than digits');
  // "0086…" is the international call prefix from China and most of the world.
  const candidate = INTERNATIONAL_PREFIX.test(cleaned)
    ? '+' + cleaned.replace(INTERNATIONAL_PREFIX, '')
    : cleaned;
  try {
    const parsed = parsePhoneNumberWithError(candidate, defaultRegion as CountryCode);
    if (!parsed.isValid()) return invalid(input, 'not a valid number for its country');
    return { ok: true, e164: parsed.number, country: parsed.country ?? null };
  } catch (err) {
    const reason =
      err instanceof ParseError ? err.message.toLowerCase().replace(/_/g, ' ') : 'unparseable';
    return invalid(input, reason);
  }
}

/** For logs: keep the country code and the last 4 digits (`+86138****8000`). */
export function maskNumber(e164: string): string {
  if (e164.length <= 8) return e164.slice(0, 2) + '****';
  return e164.slice(0, e164.length - 8) + '****' + e164.slice(-4);
}

function invalid(input: string, why: string): NormalisedNumber {
  return {
    ok: false,
    code: 'invalid_number',
    detail: `"${input}" is not a valid phone number (${why})`,
  };
}
