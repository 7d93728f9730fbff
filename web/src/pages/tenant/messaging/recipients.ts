// The send form's recipient list: numbers pasted one per line or separated by commas, semicolons
// or spaces, checked with the server's own rules (src/core/phone.ts, libphonenumber-js "max"
// metadata), normalised to E.164 and deduplicated. The phone module is loaded on first use, so
// its metadata is only in the Send page's chunks. The server checks again when sending.
import type { NormalisedNumber } from '@core/phone.ts';

export interface RecipientCheck {
  /** The entries as typed, in order (what is sent: the server reports per entry too). */
  entries: string[];
  /** Distinct valid numbers, E.164. */
  valid: string[];
  /** Of those, how many are mainland Chinese (they get the signed text) and how many are not. */
  china: number;
  abroad: number;
  duplicates: Array<{ input: string; e164: string }>;
  invalid: Array<{ input: string; reason: InvalidReason }>;
}

/** Why a number was refused, as a catalog key (send:numbers.reason.*). */
export type InvalidReason = 'characters' | 'tooShort' | 'tooLong' | 'country' | 'invalid';

function reasonOf(detail: string): InvalidReason {
  if (/other than digits/.test(detail)) return 'characters';
  if (/too short/.test(detail)) return 'tooShort';
  if (/too long/.test(detail)) return 'tooLong';
  if (/invalid country/.test(detail)) return 'country';
  return 'invalid';
}

type Normalise = (input: string, region: string) => NormalisedNumber;
let normalise: Promise<Normalise> | null = null;

export function loadNumberRules(): Promise<Normalise> {
  normalise ??= import('@core/phone.ts').then((m) => m.normaliseNumber);
  return normalise;
}

/** Split a pasted list: newlines, commas (also full-width), semicolons, tabs; spaces between
 * entries only where a space cannot be inside a number ("138 0013 8000" stays one number). */
export function splitEntries(text: string): string[] {
  return text.split(/[\n\r,，;；\t]+/).flatMap((chunk) => {
    const s = chunk.trim();
    if (s === '') return [];
    // Several numbers on one line separated by spaces: each piece is a whole number on its own.
    const pieces = s.split(/\s+/);
    return pieces.length > 1 && pieces.every((p) => /^\+?\d{7,}$/.test(p)) ? pieces : [s];
  });
}

export async function checkRecipients(text: string, region = 'CN'): Promise<RecipientCheck> {
  const entries = splitEntries(text);
  const rules = await loadNumberRules();
  const seen = new Set<string>();
  const out: RecipientCheck = {
    entries,
    valid: [],
    china: 0,
    abroad: 0,
    duplicates: [],
    invalid: [],
  };
  for (const input of entries) {
    const n = rules(input, region);
    if (!n.ok) out.invalid.push({ input, reason: reasonOf(n.detail) });
    else if (seen.has(n.e164)) out.duplicates.push({ input, e164: n.e164 });
    else {
      seen.add(n.e164);
      out.valid.push(n.e164);
      if (n.country === 'CN') out.china += 1;
      else out.abroad += 1;
    }
  }
  return out;
}
