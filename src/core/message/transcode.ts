// Some carriers want GSM-alphabet text in another single-byte coding: IA5/ASCII (data_coding 1,
// CMPP Msg_Fmt 0) or Latin-1 (data_coding 3). The part boundaries stay those of GSM 03.38 (the
// message was split and priced at accept time); only the bytes of each part change.
import { decodeGsm7 } from './gsm7.ts';

/** The part's GSM septets (one per byte) as ASCII / Latin-1 bytes, or null when a character has no such byte. */
export function transcodeGsmPart(septets: Uint8Array, to: 'ascii' | 'latin1'): Uint8Array | null {
  const text = decodeGsm7(septets);
  const max = to === 'ascii' ? 0x7f : 0xff;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > max) return null;
    out[i] = c;
  }
  return out;
}
