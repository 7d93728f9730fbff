// Splitting a message into SMS parts with an 8-bit-reference concatenation UDH.
// Source: 3GPP TS 23.040 §9.2.3.24 (UDH, IEI 00 concatenation) and §9.2.3.24.1; segment sizes
// follow from 140 octets of user data less the 6-octet UDH.

import { DomainError } from '../errors.ts';
import { dataCodingFor, encodeUcs2, type Encoding } from './encoding.ts';
import { encodeGsm7, firstNonGsm7Index, gsm7UnitSeptets, measureGsm7 } from './gsm7.ts';

/**
 * Units per message: septets for GSM-7, UTF-16 code units for UCS-2. A part carrying the 6-octet
 * UDH loses 7 septets (48 bits + 1 fill bit, GSM 03.38 §6.1.2) or 6 octets = 3 UCS-2 units.
 */
export const SEGMENT_LIMITS = {
  gsm7: { single: 160, perPart: 153 },
  ucs2: { single: 70, perPart: 67 },
} as const satisfies Record<Encoding, { single: number; perPart: number }>;

export const DEFAULT_MAX_PARTS = 10;

export interface MessagePart {
  /** 1-based position of this part. */
  seq: number;
  total: number;
  text: string;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) in this part. */
  units: number;
  /** `05 00 03 RR TT NN`, or null for a single-part message. */
  udh: Uint8Array | null;
  /** The encoded text of this part WITHOUT the UDH (GSM-7 unpacked, or UTF-16BE). */
  userData: Uint8Array;
}

export interface SplitMessage {
  encoding: Encoding;
  dataCoding: 0 | 8;
  /** Units of the whole text (the sum over the parts). */
  units: number;
  parts: MessagePart[];
}

export interface SplitOptions {
  /** Concatenation reference, 0..255; the same in every part of one message. */
  concatRef: number;
  /** Default 10. At most 255: the total goes in one UDH octet. */
  maxParts?: number;
  /** Force an encoding instead of choosing by content. */
  encoding?: Encoding;
}

export interface PartCount {
  encoding: Encoding;
  units: number;
  parts: number;
  /** Capacity of one part: 160/70 for a single-part message, 153/67 once it is split. */
  perPart: number;
  /** How many more units fit in the last part before another part is needed. */
  remaining: number;
}

/** Where the parts start (UTF-16 indexes into the text) and how many units each holds. */
interface Plan {
  encoding: Encoding;
  units: number;
  perPart: number;
  starts: number[];
  partUnits: number[];
}

// Created on first use: building a segmenter is costly and single-part messages never need one.
let segmenter: Intl.Segmenter | undefined;

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Units of text[start, end) in the given encoding (text already known to be representable). */
function unitsOf(text: string, start: number, end: number, gsm: boolean): number {
  if (!gsm) return end - start;
  let units = 0;
  for (let i = start; i < end; i++) units += gsm7UnitSeptets(text.charCodeAt(i));
  return units;
}

function resolveEncoding(
  text: string,
  forced: Encoding | undefined,
): { encoding: Encoding; units: number } {
  if (forced === 'ucs2') return { encoding: 'ucs2', units: text.length };
  const septets = measureGsm7(text);
  if (septets >= 0) return { encoding: 'gsm7', units: septets };
  if (forced === 'gsm7') {
    const index = firstNonGsm7Index(text);
    const detail = `text has a character not in GSM 03.38 at index ${index}`;
    throw new DomainError('invalid_request', detail, { encoding: 'gsm7', index });
  }
  return { encoding: 'ucs2', units: text.length };
}

/**
 * Greedy fill, one atom at a time: a GSM character (an ESC pair is one atom of 2 septets, so it is
 * never split, GOSMPP #198) or a UCS-2 code point (a surrogate pair is one atom of 2 units, so a
 * handset never sees a lone surrogate, reference §2.6). When the next atom does not fit and
 * `preferGraphemes`, a cut inside a grapheme cluster (ZWJ emoji, flag, combining mark) moves back to
 * the cluster start if the whole cluster fits in one part; a longer cluster is cut at the atom.
 * This gives the same cuts as filling cluster by cluster but segments only around each cut.
 */
function layout(text: string, encoding: Encoding, perPart: number, preferGraphemes: boolean) {
  const gsm = encoding === 'gsm7';
  const starts = [0];
  const partUnits: number[] = [];
  let segments: Intl.Segments | undefined;
  let partStart = 0;
  let used = 0;
  for (let i = 0; i < text.length;) {
    const unit = text.charCodeAt(i);
    let length = 1;
    let cost = 1;
    if (gsm) {
      cost = gsm7UnitSeptets(unit);
    } else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      length = 2;
      cost = 2;
    }
    if (used + cost > perPart) {
      let cut = i;
      if (preferGraphemes) {
        segmenter ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
        segments ??= segmenter.segment(text);
        const cluster = segments.containing(i);
        if (cluster && cluster.index > partStart && cluster.index < i) {
          const end = cluster.index + cluster.segment.length;
          if (unitsOf(text, cluster.index, end, gsm) <= perPart) cut = cluster.index;
        }
      }
      const carried = unitsOf(text, cut, i, gsm);
      partUnits.push(used - carried);
      starts.push(cut);
      partStart = cut;
      used = carried;
    }
    used += cost;
    i += length;
  }
  partUnits.push(used);
  return { starts, partUnits };
}

function checkMaxParts(maxParts: number): void {
  if (!Number.isInteger(maxParts) || maxParts < 1 || maxParts > 255) {
    throw new RangeError(`maxParts must be an integer 1..255, got ${maxParts}`);
  }
}

/** The one planning routine behind both splitMessage and countParts, so they always agree. */
function plan(text: string, forced: Encoding | undefined, maxParts: number): Plan {
  const { encoding, units } = resolveEncoding(text, forced);
  const limits = SEGMENT_LIMITS[encoding];
  // Fast path: it fits one message, so there is no cut to place and no need to segment.
  if (units <= limits.single) {
    return { encoding, units, perPart: limits.single, starts: [0], partUnits: [units] };
  }
  const perPart = limits.perPart;
  // Whole clusters can cost an extra part; prefer them only while the result fits maxParts. If the
  // units alone exceed maxParts full parts no layout fits, so skip the segmenter (bounds huge input).
  let cuts = units <= maxParts * perPart ? layout(text, encoding, perPart, true) : undefined;
  if (!cuts || cuts.starts.length > maxParts) cuts = layout(text, encoding, perPart, false);
  return { encoding, units, perPart, ...cuts };
}

/** The 8-bit-reference concatenation UDH: UDHL 5, IEI 0x00, IEDL 3, ref, total, seq (reference §2.4). */
export function concatUdh(ref: number, total: number, seq: number): Uint8Array {
  return Uint8Array.of(0x05, 0x00, 0x03, ref, total, seq);
}

/** short_message for a part: UDH (if any) followed by the user data. Send with esm_class |= 0x40. */
export function shortMessageBytes(part: MessagePart): Uint8Array {
  if (!part.udh) return part.userData;
  const out = new Uint8Array(part.udh.length + part.userData.length);
  out.set(part.udh, 0);
  out.set(part.userData, part.udh.length);
  return out;
}

/**
 * Chooses the encoding and splits `text` into parts: GSM-7 160 septets single / 153 per part,
 * UCS-2 70 / 67 code units (reference §2.3). Throws DomainError `empty_text` for "", and
 * `text_too_long` when more than `maxParts` parts are needed.
 */
export function splitMessage(text: string, opts: SplitOptions): SplitMessage {
  const { concatRef } = opts;
  if (!Number.isInteger(concatRef) || concatRef < 0 || concatRef > 255) {
    throw new RangeError(`concatRef must be an integer 0..255, got ${concatRef}`);
  }
  const maxParts = opts.maxParts ?? DEFAULT_MAX_PARTS;
  checkMaxParts(maxParts);
  if (text.length === 0) throw new DomainError('empty_text', 'message text is empty');

  const p = plan(text, opts.encoding, maxParts);
  const total = p.starts.length;
  if (total > maxParts) {
    const unitName = p.encoding === 'gsm7' ? 'septets' : 'UCS-2 units';
    throw new DomainError(
      'text_too_long',
      `message needs ${total} parts (${p.units} ${unitName}, ${p.encoding}); the limit is ${maxParts} parts`,
      { parts: total, maxParts, encoding: p.encoding, units: p.units },
    );
  }

  const encode = p.encoding === 'gsm7' ? encodeGsm7 : encodeUcs2;
  const parts: MessagePart[] = [];
  for (let k = 0; k < total; k++) {
    const partText = text.slice(p.starts[k], p.starts[k + 1] ?? text.length);
    parts.push({
      seq: k + 1,
      total,
      text: partText,
      units: p.partUnits[k] as number,
      udh: total === 1 ? null : concatUdh(concatRef, total, k + 1),
      userData: encode(partText),
    });
  }
  return { encoding: p.encoding, dataCoding: dataCodingFor(p.encoding), units: p.units, parts };
}

/**
 * Cheap preview for consoles and pricing: the same plan as splitMessage without building bytes.
 * Never throws for length: `parts` may exceed maxParts (splitMessage would refuse it). "" → 0 parts.
 */
export function countParts(
  text: string,
  opts: { maxParts?: number; encoding?: Encoding } = {},
): PartCount {
  const maxParts = opts.maxParts ?? DEFAULT_MAX_PARTS;
  checkMaxParts(maxParts);
  if (text.length === 0) {
    const encoding = opts.encoding ?? 'gsm7';
    const single = SEGMENT_LIMITS[encoding].single;
    return { encoding, units: 0, parts: 0, perPart: single, remaining: single };
  }
  const p = plan(text, opts.encoding, maxParts);
  const last = p.partUnits[p.partUnits.length - 1] as number;
  return {
    encoding: p.encoding,
    units: p.units,
    parts: p.starts.length,
    perPart: p.perPart,
    remaining: p.perPart - last,
  };
}
