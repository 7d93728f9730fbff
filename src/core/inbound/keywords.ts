// Keyword routing: a reply whose address carries no known extension code can still name its
// tenant by starting with a keyword the operator gave that tenant ("HY 订单123", "鸿雁 好的").
//
// Matching, after NFKC (full-width ＨＹ → HY) and upper-casing, at the start of the reply (leading
// spaces and punctuation skipped): the keyword, then the end of the text or anything but a Latin
// letter or digit — so `HY` matches "HY 123", "hy,好的" and "HY好的" but not "HYPE" or "HY123"
// (which would be keyword `HY1`…). A keyword ending in a Chinese character may be followed by
// anything. The longest matching keyword wins.

export const KEYWORD_MAX_LENGTH = 20;

const KEYWORD = /^[\p{L}\p{N}]+$/u;
const LATIN_OR_DIGIT = /^[A-Z0-9]$/;
const LEADING = /^[\s\p{Z}\p{P}\p{S}]+/u;

function fold(s: string): string {
  return s.normalize('NFKC').toUpperCase();
}

export type KeywordCheck = { ok: true; keyword: string } | { ok: false; reason: string };

/** A keyword as stored: folded; letters and digits only, 1–20 characters. */
export function normaliseKeyword(input: string): KeywordCheck {
  const keyword = fold(input).trim();
  if (keyword === '') return { ok: false, reason: 'a keyword cannot be empty' };
  if (!KEYWORD.test(keyword))
    return { ok: false, reason: `keyword "${input}" may hold only letters and digits` };
  if ([...keyword].length > KEYWORD_MAX_LENGTH)
    return { ok: false, reason: `a keyword has at most ${KEYWORD_MAX_LENGTH} characters` };
  return { ok: true, keyword };
}

/** The keywords a reply could start with, longest first (what to look up). */
export function keywordCandidates(text: string): string[] {
  const folded = [...fold(text).replace(LEADING, '')];
  const out: string[] = [];
  let word = '';
  for (let i = 0; i < folded.length && i < KEYWORD_MAX_LENGTH; i++) {
    const ch = folded[i]!;
    if (!KEYWORD.test(ch)) break;
    word += ch;
    const next = folded[i + 1];
    const boundary = next === undefined || !LATIN_OR_DIGIT.test(next) || !LATIN_OR_DIGIT.test(ch);
    if (boundary) out.push(word);
  }
  return out.reverse();
}

/** The longest keyword of `keywords` (keyword → owner) the reply starts with. */
export function matchKeyword<T>(
  text: string,
  keywords: ReadonlyMap<string, T>,
): { keyword: string; owner: T } | null {
  for (const keyword of keywordCandidates(text)) {
    const owner = keywords.get(keyword);
    if (owner !== undefined) return { keyword, owner };
  }
  return null;
}

/**
 * The reply without its leading keyword ("HY TD" → "TD"), so that what follows is read on its
 * own (an opt-out, for instance). The text is returned unchanged when it does not start with it.
 */
export function withoutKeyword(text: string, keyword: string): string {
  const chars = [...text];
  let i = 0;
  while (i < chars.length && LEADING.test(chars[i]!)) i++;
  let acc = '';
  for (let j = i; j < chars.length; j++) {
    acc += fold(chars[j]!);
    if (acc === keyword) return chars.slice(j + 1).join('');
    if (acc.length >= keyword.length) break;
  }
  return text;
}
