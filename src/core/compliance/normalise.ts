// The content filter's normalisation (content-filter.ts explains the steps), one code point at a
// time so every normalised character maps back to the code point it came from. The tables are
// exported for the filter's hot loop, which reads them inline rather than through a call.

// Normalisation: a cache per code point. BMP in a flat table (filled eagerly for ASCII and CJK, the
// bulk of Chinese SMS; lazily from String.prototype.normalize for the rest), astral in a Map.
// A value >= 0 is the single normalised code point; SKIP is noise; a value <= -3 is an expansion
// (NFKC can yield several: ㈱ → ( 株 ), ½ → 1 ⁄ 2) stored at EXPANSIONS[-v - 3] as [count, cp…].

export const SKIP = -1;
export const UNKNOWN = -2;
const NOISE =
  /^[\p{Z}\p{Cc}\p{Cf}\p{Co}\p{M}\p{P}\p{S}\p{White_Space}\p{Default_Ignorable_Code_Point}]$/u;

export const BMP = new Int32Array(0x10000).fill(UNKNOWN);
const ASTRAL = new Map<number, number>();
// Astral code points are ~1M; bound the cache so hostile text cannot grow it without limit. Past
// the bound, an expansion is written to a scratch area at the start of EXPANSIONS and read at once
// (UAX #15 gives 18 as NFKC's largest expansion of one code point, U+FDFA; SCRATCH is ample).
const ASTRAL_CACHE_MAX = 1 << 16;
const SCRATCH = 64;
export const EXPANSIONS: number[] = new Array<number>(SCRATCH).fill(0);

for (let c = 0; c < 0x80; c++)
  BMP[c] =
    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)
      ? c
      : c >= 0x41 && c <= 0x5a
        ? c + 0x20
        : SKIP;
// CJK Unified Ideographs and Extension A have no decomposition and no case (UnicodeData.txt).
for (let c = 0x3400; c <= 0x4dbf; c++) BMP[c] = c;
for (let c = 0x4e00; c <= 0x9fff; c++) BMP[c] = c;

function resolve(cp: number): number {
  const out: number[] = [];
  const folded = String.fromCodePoint(cp).normalize('NFKC').toLowerCase().normalize('NFKC');
  for (const ch of folded) if (!NOISE.test(ch)) out.push(ch.codePointAt(0)!);
  if (out.length > SCRATCH - 1) out.length = SCRATCH - 1;
  const cached = cp < 0x10000 || ASTRAL.size < ASTRAL_CACHE_MAX;
  let v: number;
  if (out.length === 0) v = SKIP;
  else if (out.length === 1) v = out[0]!;
  else if (!cached) {
    EXPANSIONS[0] = out.length;
    for (let j = 0; j < out.length; j++) EXPANSIONS[1 + j] = out[j]!;
    return -3;
  } else {
    v = -3 - EXPANSIONS.length;
    EXPANSIONS.push(out.length, ...out);
  }
  if (cp < 0x10000) BMP[cp] = v;
  else if (cached) ASTRAL.set(cp, v);
  return v;
}

export function normSlow(cp: number): number {
  if (cp >= 0x10000) {
    const v = ASTRAL.get(cp);
    if (v !== undefined) return v;
  }
  return resolve(cp);
}

/** The normalised code points of a string (what the automaton sees). */
export function normalisedCodePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    let v = cp < 0x10000 ? BMP[cp]! : UNKNOWN;
    if (v === UNKNOWN) v = normSlow(cp);
    if (v >= 0) out.push(v);
    else if (v !== SKIP) {
      const k = -3 - v;
      const n = EXPANSIONS[k]!;
      for (let j = 1; j <= n; j++) out.push(EXPANSIONS[k + j]!);
    }
  }
  return out;
}

/** A term as the filter matches it: NFKC, lower case, noise removed ("Ｇ.A M-B" → "gamb"). */
export function normalizeTerm(term: string): string {
  let out = '';
  for (const cp of normalisedCodePoints(term)) out += String.fromCodePoint(cp);
  return out;
}
