// China's unified social credit code (统一社会信用代码), GB 32100-2015.
// Layout (§4): 1 registration authority, 2 organisation type, 3-8 administrative division
// (GB/T 2260, digits), 9-17 organisation code (GB 11714 body + its own check char), 18 check char.
// We verify the structure and the final check character only; authority/type values keep growing
// with new registries, so pinning them here would reject genuine codes.

/** GB 32100-2015 §4.1: the 31 code characters; I, O, Z, S, V are excluded to avoid misreading. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** GB 32100-2015 §5 / Annex B: weight of position i is 3^(i-1) mod 31. */
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

const LENGTH = 18;

export type CreditCodeResult = { ok: true; code: string } | { ok: false; detail: string };

/** Compute the check character for the first 17 characters (already normalised). */
export function creditCodeCheckChar(first17: string): string {
  if (first17.length !== WEIGHTS.length) {
    throw new RangeError(`expected ${WEIGHTS.length} characters, got ${first17.length}`);
  }
  let sum = 0;
  for (let i = 0; i < WEIGHTS.length; i++) {
    const index = CREDIT_CODE_ALPHABET.indexOf(first17.charAt(i));
    if (index < 0) throw new RangeError(`"${first17.charAt(i)}" is not a credit code character`);
    sum += index * (WEIGHTS[i] ?? 0);
  }
  // GB 32100-2015 §5: C18 = 31 - MOD(sum, 31); a result of 31 is written as 0.
  const c = 31 - (sum % 31);
  return CREDIT_CODE_ALPHABET.charAt(c === 31 ? 0 : c);
}

/**
 * Validate a unified social credit code. Accepts surrounding whitespace and lowercase
 * (people type them from paper licences), returns the canonical uppercase form.
 */
export function validateCreditCode(input: string): CreditCodeResult {
  if (typeof input !== 'string') return { ok: false, detail: 'credit code must be a string' };
  const code = input.trim().toUpperCase();
  if (code === '') return { ok: false, detail: 'credit code is empty' };
  // Count code points so a stray emoji is reported as one character, not two.
  const chars = Array.from(code);
  if (chars.length !== LENGTH) {
    return {
      ok: false,
      detail: `credit code must be ${LENGTH} characters, got ${chars.length}`,
    };
  }
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (!CREDIT_CODE_ALPHABET.includes(ch)) {
      const why = /^[IOZSV]$/.test(ch) ? ' (I, O, Z, S and V are never used)' : '';
      return {
        ok: false,
        detail: `credit code has invalid character "${ch}" at position ${i + 1}${why}`,
      };
    }
  }
  // GB 32100-2015 §4: positions 3-8 are the administrative division code, always digits.
  const division = code.slice(2, 8);
  if (!/^\d{6}$/.test(division)) {
    return {
      ok: false,
      detail: `credit code positions 3-8 must be a 6-digit administrative division code, got "${division}"`,
    };
  }
  const expected = creditCodeCheckChar(code.slice(0, 17));
  const actual = code.charAt(17);
  if (actual !== expected) {
    return {
      ok: false,
      detail: `credit code check character is "${actual}" but should be "${expected}"`,
    };
  }
  return { ok: true, code };
}
