// The text a recipient in China will get, built as the server builds it (src/services/compliance.ts):
// the template filled or the free text, the 【signature】 in front unless the text starts with one,
// then for marketing the opt-out hint. The part counter runs the server's own splitter on it.
// The hint is the platform's default here; the operator may configure another, so the estimate's
// `text` (the server's answer) is what the confirm step shows.
import { countParts, type PartCount } from '@core/message/parts.ts';
import { extractSignature, withSignature } from '@core/compliance/signatures.ts';
import { appendOptOutHint, DEFAULT_OPT_OUT_HINT } from '@core/compliance/opt-out.ts';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]{0,31})\}/g;

/** A template body with the values typed so far; a variable still empty stays `${name}`. */
export function fillTemplate(body: string, params: Record<string, string | undefined>): string {
  return body.replace(VARIABLE, (whole, name: string) => {
    const v = params[name];
    return v !== undefined && v !== '' ? v : whole;
  });
}

export function finalText(body: string, signature: string | null, cls: string): string {
  let text = body;
  if (signature && extractSignature(body).signature === null) {
    try {
      text = withSignature(body, signature);
    } catch {
      // Not a valid signature (cannot happen for an approved one): count the text as typed.
    }
  }
  return cls === 'marketing' ? appendOptOutHint(text, DEFAULT_OPT_OUT_HINT) : text;
}

export function countText(text: string): PartCount {
  return countParts(text);
}

/** The signature a text starts with, if any (then the server uses it instead of the default). */
export function leadingSignature(text: string): string | null {
  return extractSignature(text).signature;
}
