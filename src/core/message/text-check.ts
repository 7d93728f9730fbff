// Which texts Hongyan can carry, checked once at the edge of every sending path (HTTP, SMPP, CMPP,
// templates) so that a text that cannot be sent is refused with `invalid_text` before anything is
// written, held or charged.
//
// Refused:
// - a lone UTF-16 surrogate (a high surrogate not followed by a low one, or a low one on its
//   own): it is not a character (Unicode §3.9, D91: "ill-formed code unit sequence"), UTF-8 cannot
//   encode it (a JSON body, the encrypted store and webhooks would change it to U+FFFD or fail),
//   and a handset shows it as garbage;
// - U+0000 (NUL): not in the GSM 03.38 alphabet (0x00 there is '@'), a C string ends at it (many
//   SMSC and gateway implementations read short_message that way), and PostgreSQL `text` cannot
//   store it.
// Everything else, control characters included, is carried as UCS-2 when GSM-7 cannot carry it.
import { DomainError } from '../errors.ts';

export type TextProblem = 'lone_surrogate' | 'nul';

export type TextCheck =
  | { ok: true }
  | {
      ok: false;
      problem: TextProblem;
      /** UTF-16 offset of the offending code unit. */
      index: number;
      detail: string;
    };

const hex = (unit: number) => `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;

/** Can this text be sent as it is? Pure; one pass over the UTF-16 code units. */
export function checkText(text: string): TextCheck {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0)
      return { ok: false, problem: 'nul', index: i, detail: `NUL (U+0000) at position ${i}` };
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a well-formed pair: one character above U+FFFF (an emoji, a rare CJK ideograph)
        continue;
      }
    }
    return {
      ok: false,
      problem: 'lone_surrogate',
      index: i,
      detail: `a lone UTF-16 surrogate (${hex(unit)}) at position ${i}: half of a character, which cannot be sent`,
    };
  }
  return { ok: true };
}

/**
 * Throws `invalid_text` (details: `field`, `problem`, `index`) when `text` cannot be sent.
 * `field` names where the text came from (`text`, `body`, `params.code`).
 */
export function assertSendableText(text: string, field = 'text'): void {
  const c = checkText(text);
  if (!c.ok)
    throw new DomainError('invalid_text', `"${field}" has ${c.detail}`, {
      field,
      problem: c.problem,
      index: c.index,
    });
}
