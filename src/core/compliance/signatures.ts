// Sender signatures (短信签名): the 【…】 name every SMS to a mainland Chinese number must begin
// with. Stored and compared WITHOUT the brackets; `withSignature` puts them back on the wire.
//
// Length 2..16 code points after the brackets are removed: Huawei Cloud MSGSMS's signature rules
// (support.huaweicloud.com/productdesc-msgsms/sms_faq_0002.html: "签名名称要求2~16个字符 …
// 不能为纯数字"). Upstream providers differ and some are stricter (Alibaba Cloud: 2..12 characters,
// Han/Latin/digits only, no spaces or symbols); the channel's own review is the final word, this
// check only refuses what no carrier takes.
import { DomainError } from '../errors.ts';

export const SIGNATURE_MIN_LENGTH = 2;
export const SIGNATURE_MAX_LENGTH = 16;

const OPEN = '【';
const CLOSE = '】';
const BRACKETS = /[【】[\]()（）]/u;
// \p{C}: control (Cc), format/invisible (Cf: zero-width joiner, bidi marks), surrogates, private
// use, unassigned. Emoji: pictographs, flags (regional indicators), the emoji variation selector
// and the keycap combiner (1️⃣ is "1" + U+FE0F + U+20E3).
const CONTROL = /\p{C}/u;
const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\uFE0F\u20E3]/u;
const LETTER = /\p{L}/u;

function fail(detail: string): never {
  throw new DomainError('invalid_signature', detail, { field: 'text' });
}

/**
 * Check a signature written `【鸿雁科技】` or `鸿雁科技` and return it without brackets.
 * Surrounding whitespace (outside and just inside the brackets) is dropped; inner spaces stay.
 * Throws invalid_signature (field `text`).
 */
export function parseSignature(input: string): string {
  if (typeof input !== 'string') fail('the signature must be a string');
  let s = input.trim();
  if (s.startsWith(OPEN) && s.endsWith(CLOSE) && s.length >= 2) s = s.slice(1, -1).trim();
  if (s === '') fail('the signature is empty');
  if (CONTROL.test(s)) fail('the signature contains control or invisible characters');
  if (EMOJI.test(s)) fail('the signature contains emoji');
  if (BRACKETS.test(s)) fail('the signature must not contain brackets 【】[]()（） inside');
  const length = [...s].length;
  if (length < SIGNATURE_MIN_LENGTH)
    fail(`the signature must be at least ${SIGNATURE_MIN_LENGTH} characters`);
  if (length > SIGNATURE_MAX_LENGTH)
    fail(`the signature must be at most ${SIGNATURE_MAX_LENGTH} characters, got ${length}`);
  if (!LETTER.test(s)) fail('the signature must contain letters, not only digits or punctuation');
  return s;
}

/**
 * Prefix `【signature】` unless the text already starts with exactly that. The signature is
 * checked with `parseSignature` (either written form). The text is not trimmed or otherwise
 * touched; a text that starts with a DIFFERENT signature still gets this one in front.
 */
export function withSignature(text: string, signature: string): string {
  const tag = OPEN + parseSignature(signature) + CLOSE;
  return text.startsWith(tag) ? text : tag + text;
}

/**
 * Split a leading `【…】` off a text. Only a signature at the very start counts (no leading
 * whitespace); `【】` and a bracket containing another 【 are not signatures. The signature is
 * returned as written, not checked: pass it to `parseSignature` to validate it.
 */
export function extractSignature(text: string): { signature: string | null; body: string } {
  if (!text.startsWith(OPEN)) return { signature: null, body: text };
  const end = text.indexOf(CLOSE, OPEN.length);
  if (end < 0) return { signature: null, body: text };
  const signature = text.slice(OPEN.length, end);
  if (signature === '' || signature.includes(OPEN)) return { signature: null, body: text };
  return { signature, body: text.slice(end + CLOSE.length) };
}
