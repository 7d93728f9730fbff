// GSM 03.38 / 3GPP TS 23.038 7-bit default alphabet, its extension table, and septet packing.
// Source: 3GPP TS 23.038 (GSM 03.38) §6.1.2 (packing), §6.2.1 (alphabet and extension table).
// Hot path (~10k messages/s): every lookup is an array index built once at module load.

/** GSM 03.38: 0x1B escapes to the extension table (3GPP 23.038; the 1996 edition left it unused). */
export const GSM7_ESC = 0x1b;

// The default alphabet, one string per row of 16 codes (row = high nibble). `\x1b` marks ESC, which
// is not a character of its own. Traps kept on purpose: `@` = 0x00, `$` = 0x02, `¤` = 0x24, no
// backtick, capital `Ç` only, and the Greek capitals are U+0394 etc. (not look-alike Latin letters).
const DEFAULT_ROWS = [
  '@£$¥èéùìòÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ',
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  '¡ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZÄÖÑÜ§',
  '¿abcdefghijklmno',
  'pqrstuvwxyzäöñüà',
];

/** GSM 03.38 extension table: ESC + code, so each costs two septets (node-smpp `GSM.extChars`). */
const EXTENSION: ReadonlyArray<readonly [string, number]> = [
  ['\f', 0x0a], // form feed (page break)
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65], // OpenSMPP once mapped this to a space; the reference says 0x65.
];

const DEFAULT_ALPHABET = DEFAULT_ROWS.join('');
if (DEFAULT_ALPHABET.length !== 128) throw new Error('GSM 03.38 table must have 128 codes');

// Code -> character, for decoding.
const DECODE_DEFAULT: readonly string[] = Array.from(DEFAULT_ALPHABET);
const DECODE_EXTENSION: (string | undefined)[] = new Array<string | undefined>(128).fill(undefined);

// Character (UTF-16 code unit) -> code. -1 = not representable; 0x100 | code = extension table.
// The highest code unit in either table is '€' (U+20AC), so the array stops there.
const EXT_FLAG = 0x100;
let maxUnit = 0;
for (const ch of DEFAULT_ALPHABET) maxUnit = Math.max(maxUnit, ch.charCodeAt(0));
for (const [ch] of EXTENSION) maxUnit = Math.max(maxUnit, ch.charCodeAt(0));
const ENCODE = new Int16Array(maxUnit + 1).fill(-1);

for (let code = 0; code < 128; code++) {
  if (code === GSM7_ESC) continue; // ESC is a prefix, never a character
  ENCODE[DEFAULT_ALPHABET.charCodeAt(code)] = code;
}
for (const [ch, code] of EXTENSION) {
  ENCODE[ch.charCodeAt(0)] = EXT_FLAG | code;
  DECODE_EXTENSION[code] = ch;
}

/**
 * Septets one UTF-16 code unit costs in GSM-7: 1 (default table), 2 (ESC + extension code) or
 * 0 (not representable). Surrogates are never representable (every GSM character is in the BMP).
 */
export function gsm7UnitSeptets(unit: number): 0 | 1 | 2 {
  if (unit >= ENCODE.length) return 0;
  const code = ENCODE[unit] as number;
  if (code < 0) return 0;
  return code & EXT_FLAG ? 2 : 1;
}

/** Septets for one character: 1, 2 (GSM 03.38: ESC + char costs two septets), or 0 if not in GSM-7. */
export function gsm7Septets(char: string): 0 | 1 | 2 {
  if (char.length !== 1) return 0; // every GSM character is a single BMP code unit
  return gsm7UnitSeptets(char.charCodeAt(0));
}

/** Total septets of `text` in GSM-7, or -1 if any character is not representable. One pass. */
export function measureGsm7(text: string): number {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= ENCODE.length) return -1;
    const code = ENCODE[unit] as number;
    if (code < 0) return -1;
    septets += code & EXT_FLAG ? 2 : 1;
  }
  return septets;
}

/** True when every character is in the GSM 03.38 default or extension table. */
export function isGsm7Text(text: string): boolean {
  return measureGsm7(text) >= 0;
}

/**
 * Encodes to UNPACKED GSM-7: one septet value per octet, extension characters as ESC + code.
 * This is the usual SMPP form with data_coding 0 (the SMSC packs). Throws RangeError on a
 * character that is not representable (callers choose UCS-2 for those via chooseEncoding).
 */
export function encodeGsm7(text: string): Uint8Array {
  const septets = measureGsm7(text);
  if (septets < 0) {
    const index = firstNonGsm7Index(text);
    const cp = text.codePointAt(index) ?? 0;
    throw new RangeError(
      `character U+${cp.toString(16).toUpperCase().padStart(4, '0')} at index ${index} is not in GSM 03.38`,
    );
  }
  const out = new Uint8Array(septets);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = ENCODE[text.charCodeAt(i)] as number;
    if (code & EXT_FLAG) {
      out[o++] = GSM7_ESC;
      out[o++] = code & 0x7f;
    } else {
      out[o++] = code;
    }
  }
  return out;
}

/** Index of the first UTF-16 code unit not representable in GSM-7, or -1. */
export function firstNonGsm7Index(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (gsm7UnitSeptets(text.charCodeAt(i)) === 0) return i;
  }
  return -1;
}

/**
 * Decodes UNPACKED GSM-7 (one septet per octet). Lenient, since this reads inbound traffic:
 * the high bit is ignored; ESC + a code missing from the extension table shows the default-table
 * character (3GPP 23.038 §6.2.1.1); ESC ESC and a trailing ESC show a space (23.038 reserves
 * ESC ESC for a further table and says to display a space).
 */
export function decodeGsm7(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const code = (bytes[i] as number) & 0x7f;
    if (code !== GSM7_ESC) {
      text += DECODE_DEFAULT[code] as string;
      continue;
    }
    if (i + 1 >= bytes.length) {
      text += ' ';
      break;
    }
    const next = (bytes[++i] as number) & 0x7f;
    if (next === GSM7_ESC) text += ' ';
    else text += DECODE_EXTENSION[next] ?? (DECODE_DEFAULT[next] as string);
  }
  return text;
}

function checkFillBits(fillBits: number): void {
  // Fill bits align text after a UDH to a septet boundary, so there are 0..6 of them.
  if (!Number.isInteger(fillBits) || fillBits < 0 || fillBits > 6) {
    throw new RangeError(`fillBits must be an integer 0..6, got ${fillBits}`);
  }
}

/**
 * Packs septets 8-into-7 octets, bit 0 first (GSM 03.38 §6.1.2.1.1), for SMSCs that want packed
 * GSM-7. `fillBits` zero bits come first so the text starts on a septet boundary after a UDH.
 */
export function packSeptets(septets: Uint8Array, fillBits = 0): Uint8Array {
  checkFillBits(fillBits);
  const out = new Uint8Array(Math.ceil((septets.length * 7 + fillBits) / 8));
  let bit = fillBits;
  for (let i = 0; i < septets.length; i++) {
    const value = (septets[i] as number) & 0x7f;
    const octet = bit >> 3;
    const shift = bit & 7;
    out[octet] = (out[octet] as number) | ((value << shift) & 0xff);
    // A septet starting at bit 2..7 of an octet spills its top bits into the next octet.
    if (shift > 1) out[octet + 1] = (out[octet + 1] as number) | (value >> (8 - shift));
    bit += 7;
  }
  return out;
}

/**
 * Unpacks `count` septets from packed octets (the inverse of packSeptets). The count must come
 * from the protocol (e.g. sm_length / TP-UDL): 8 septets fit in 7 octets, so a trailing 0 (`@`)
 * cannot be told apart from padding otherwise.
 */
export function unpackSeptets(octets: Uint8Array, count: number, fillBits = 0): Uint8Array {
  checkFillBits(fillBits);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`bad septet count ${count}`);
  const needed = Math.ceil((count * 7 + fillBits) / 8);
  if (octets.length < needed) {
    throw new RangeError(`${count} septets need ${needed} octets, got ${octets.length}`);
  }
  const out = new Uint8Array(count);
  let bit = fillBits;
  for (let i = 0; i < count; i++) {
    const octet = bit >> 3;
    const shift = bit & 7;
    let value = (octets[octet] as number) >> shift;
    if (shift > 1) value |= (octets[octet + 1] as number) << (8 - shift);
    out[i] = value & 0x7f;
    bit += 7;
  }
  return out;
}
