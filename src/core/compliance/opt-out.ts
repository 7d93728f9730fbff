// Opt-out (退订): recognising a recipient's "stop" reply, and the hint that tells them how.
//
// Matching, after NFKC (full-width ＴＤ → TD), upper-casing, and dropping whitespace anywhere and
// punctuation, symbols and emoji at either end (` td `, `STOP!`, `Ｔ Ｄ`, `【退订】` all match):
//  1. the whole reply equals a keyword (`keywords`, default DEFAULT_OPT_OUT_KEYWORDS);
//  2. or the reply CONTAINS a phrase (`phrases`, default DEFAULT_OPT_OUT_PHRASES = 退订, STOP):
//     Han phrases anywhere ("请退订，谢谢"), Latin ones as a whole word ("please stop" yes,
//     "stopped" no).
// Single letters, digits and 取消 count only as the whole reply: "T" and "N" occur in ordinary
// replies, and 取消 in a sentence usually cancels something else ("取消订单").
// Decision on sentences: "我不想退订" IS treated as an opt-out. Negation is not parsed, because the
// obvious heuristics misfire the other way ("为什么不能退订" is a request to opt out), and the
// costs are lopsided: a wrong opt-out loses one recipient, an ignored one is a complaint to the
// carrier and a regulatory breach. The recipient can opt back in.

export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = [
  'TD',
  'T',
  'N',
  'R',
  '0000',
  'STOP',
  '退订',
  '取消',
];

/** Phrases that opt out even inside a longer reply (see the module comment). */
export const DEFAULT_OPT_OUT_PHRASES: readonly string[] = ['退订', 'STOP'];

export const DEFAULT_OPT_OUT_HINT = '拒收请回复R';

const SPACE = /[\s\p{Z}]+/gu;
const EDGE = /^[\p{P}\p{S}\p{C}\uFE0F\u20E3]+|[\p{P}\p{S}\p{C}\uFE0F\u20E3]+$/gu;
const LATIN_WORD = /^[A-Z0-9]+$/;
const ALNUM = /[A-Z0-9]/;

function fold(s: string): string {
  return s.normalize('NFKC').toUpperCase();
}

function canonical(s: string): string {
  let out = fold(s).replace(SPACE, '');
  // Punctuation and spaces can alternate at the ends ("! 退订 !"): spaces are gone already.
  out = out.replace(EDGE, '');
  return out;
}

function containsPhrase(folded: string, phrase: string): boolean {
  if (!LATIN_WORD.test(phrase)) return folded.includes(phrase);
  for (let i = folded.indexOf(phrase); i >= 0; i = folded.indexOf(phrase, i + 1)) {
    const before = folded[i - 1];
    const after = folded[i + phrase.length];
    if (
      (before === undefined || !ALNUM.test(before)) &&
      (after === undefined || !ALNUM.test(after))
    )
      return true;
  }
  return false;
}

/** Is this inbound reply a request to stop receiving messages? */
export function isOptOutReply(
  text: string,
  keywords: readonly string[] = DEFAULT_OPT_OUT_KEYWORDS,
  phrases: readonly string[] = DEFAULT_OPT_OUT_PHRASES,
): boolean {
  if (typeof text !== 'string') return false;
  const whole = canonical(text);
  if (whole === '') return false;
  for (const k of keywords) {
    const c = canonical(k);
    if (c !== '' && c === whole) return true;
  }
  const folded = fold(text);
  for (const p of phrases) {
    const c = canonical(p);
    if (c !== '' && containsPhrase(folded, c)) return true;
  }
  return false;
}

// Already hinted: the hint itself, "回复TD/T/R/N/STOP" (a Latin word, so not "回复Trip"), or 退订.
const HINTED = /回复\s*(TD|T|R|N|STOP)(?![A-Za-z0-9])|退订/i;
const TERMINAL = /[。！？!?.，,；;：:、…~～]$/u;

/**
 * Append the opt-out hint unless the text already has one (the hint itself, `回复TD`/`回复 R`…,
 * or 退订 anywhere; checked after NFKC). Separator: none after closing punctuation such as 。！，
 * or `.`; a space after other ASCII (`Hello` → `Hello 拒收请回复R`); `，` otherwise. Trailing
 * whitespace is dropped first; an empty text becomes the hint alone.
 */
export function appendOptOutHint(text: string, hint: string = DEFAULT_OPT_OUT_HINT): string {
  const normalized = text.normalize('NFKC');
  if (text.includes(hint) || normalized.includes(hint.normalize('NFKC')) || HINTED.test(normalized))
    return text;
  const base = text.trimEnd();
  if (base === '') return hint;
  const last = base.at(-1)!;
  const separator = TERMINAL.test(base) ? '' : last.charCodeAt(0) < 0x80 ? ' ' : '，';
  return base + separator + hint;
}
