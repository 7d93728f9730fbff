// Random strings: splitMessage must agree with countParts and with a naive, independent splitter
// that walks every grapheme cluster (the module itself only segments around each cut).

import { describe, test } from 'node:test';

import assert from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import { decodeUcs2, encodeUcs2 } from './encoding.ts';
import { decodeGsm7, encodeGsm7, gsm7Septets } from './gsm7.ts';
import { countParts, splitMessage, type SplitMessage } from './parts.ts';

const GSM_PIECES = [
  'a',
  'b',
  'Z',
  ' ',
  '0',
  '.',
  '@',
  '$',
  '¤',
  '£',
  'é',
  'Δ',
  '\n',
  '\r\n',
  '€',
  '{',
  '}',
  '[',
  ']',
  '~',
  '^',
  '|',
  '\\',
  '\f',
];
const WIDE_PIECES = [
  '中',
  '文',
  '【',
  '】',
  '，',
  '😀',
  '👨‍👩‍👧',
  '🇨🇳',
  'e\u0301',
  '👍🏽',
  'ç',
  '\u0301',
  '\ud83d',
  '\ude00',
  '👨‍',
];

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Naive reference: fill whole clusters greedily; a cluster longer than a part goes code point by code point. */
function oracle(text: string, gsm: boolean, perPart: number, graphemes: boolean): string[] {
  const cost = (s: string): number =>
    gsm ? Array.from(s).reduce((n, c) => n + gsm7Septets(c), 0) : s.length;
  const clusters = graphemes
    ? Array.from(segmenter.segment(text), (s) => s.segment)
    : Array.from(text);
  const parts: string[] = [];
  let current = '';
  let used = 0;
  const flush = (): void => {
    parts.push(current);
    current = '';
    used = 0;
  };
  for (const cluster of clusters) {
    const c = cost(cluster);
    if (used + c <= perPart) {
      current += cluster;
      used += c;
    } else if (c <= perPart) {
      flush();
      current = cluster;
      used = c;
    } else {
      for (const atom of Array.from(cluster)) {
        if (used + cost(atom) > perPart) flush();
        current += atom;
        used += cost(atom);
      }
    }
  }
  parts.push(current);
  return parts;
}

function expectedParts(text: string, maxParts: number): string[] {
  const gsm = Array.from(text).every((c) => gsm7Septets(c) > 0);
  const units = gsm ? encodeGsm7(text).length : text.length;
  if (units <= (gsm ? 160 : 70)) return [text];
  const perPart = gsm ? 153 : 67;
  const preferred = oracle(text, gsm, perPart, true);
  return preferred.length <= maxParts ? preferred : oracle(text, gsm, perPart, false);
}

function randomText(next: () => number): string {
  const wide = next() < 0.5;
  const pieces = wide ? [...GSM_PIECES, ...WIDE_PIECES] : GSM_PIECES;
  const count = 1 + Math.floor(next() * (wide ? 500 : 1800));
  let text = '';
  for (let i = 0; i < count; i++) {
    // Mostly plain letters so long runs hit the boundaries in many different ways.
    text += next() < 0.6 ? 'x' : (pieces[Math.floor(next() * pieces.length)] as string);
  }
  return text;
}

describe('splitMessage vs countParts vs oracle on random strings', () => {
  test('2000 random strings', () => {
    const next = rng(20240607);
    let split = 0;
    let tooLong = 0;
    for (let round = 0; round < 2000; round++) {
      const text = randomText(next);
      const maxParts = next() < 0.5 ? 10 : 1 + Math.floor(next() * 12);
      const count = countParts(text, { maxParts });
      const expected = expectedParts(text, maxParts);
      let result: SplitMessage;
      try {
        result = splitMessage(text, { concatRef: round & 0xff, maxParts });
      } catch (err) {
        assert.ok(err instanceof DomainError, String(err));
        assert.equal(err.code, 'text_too_long');
        assert.equal(err.details?.parts, count.parts, text);
        assert.equal(err.details?.parts, expected.length, text);
        assert.ok(count.parts > maxParts);
        tooLong++;
        continue;
      }
      split++;
      const { parts, encoding } = result;
      assert.deepEqual(
        parts.map((p) => p.text),
        expected,
        JSON.stringify(text),
      );
      assert.equal(count.encoding, encoding);
      assert.equal(count.units, result.units);
      assert.equal(count.parts, parts.length);
      assert.equal(
        count.remaining,
        count.perPart - (parts[parts.length - 1] as (typeof parts)[0]).units,
      );
      for (const part of parts) {
        const bytes = encoding === 'gsm7' ? encodeGsm7(part.text) : encodeUcs2(part.text);
        assert.deepEqual(part.userData, bytes);
        const decoded = encoding === 'gsm7' ? decodeGsm7(part.userData) : decodeUcs2(part.userData);
        assert.equal(decoded, part.text);
        assert.equal(part.units, encoding === 'gsm7' ? bytes.length : bytes.length / 2);
        assert.ok(part.units <= count.perPart);
        if (parts.length > 1) {
          assert.deepEqual(Array.from(part.udh ?? []), [
            5,
            0,
            3,
            round & 0xff,
            parts.length,
            part.seq,
          ]);
        } else {
          assert.equal(part.udh, null);
        }
      }
    }
    // The generator must exercise both outcomes, or the test proves little.
    assert.ok(split > 500, `split ${split}`);
    assert.ok(tooLong > 100, `tooLong ${tooLong}`);
  });
});
