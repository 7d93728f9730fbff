import { describe, test } from 'node:test';

import assert from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import { decodeUcs2 } from './encoding.ts';
import { decodeGsm7 } from './gsm7.ts';
import { countParts, shortMessageBytes, splitMessage, type SplitMessage } from './parts.ts';

const hex = (bytes: Uint8Array | null): string | null =>
  bytes && Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const a = (n: number): string => 'a'.repeat(n);
const zh = (n: number): string => '中'.repeat(n);
const FAMILY = '👨‍👩‍👧'; // 8 UTF-16 units, one grapheme cluster (ZWJ sequence)
const FLAG = '🇨🇳'; // 4 units, one cluster (regional indicator pair)

const split = (text: string, maxParts?: number): SplitMessage =>
  splitMessage(text, { concatRef: 0x2a, ...(maxParts ? { maxParts } : {}) });

/** Part capacity the reference gives (§2.3): one message 160/70, once split 153/67. */
const capacity = (encoding: string, parts: number): number =>
  encoding === 'gsm7' ? (parts === 1 ? 160 : 153) : parts === 1 ? 70 : 67;

/** Checks what every split must satisfy, and that countParts agrees with it. */
function checkInvariants(text: string, result: SplitMessage): void {
  const { parts, encoding } = result;
  const perPart = capacity(encoding, parts.length);
  assert.equal(parts.map((p) => p.text).join(''), text);
  const decode = encoding === 'gsm7' ? decodeGsm7 : decodeUcs2;
  for (const part of parts) {
    assert.equal(decode(part.userData), part.text);
    assert.equal(part.userData.length, encoding === 'gsm7' ? part.units : part.units * 2);
    assert.ok(part.units > 0 && part.units <= perPart);
    const last = part.text.charCodeAt(part.text.length - 1);
    const endsInHighSurrogate = last >= 0xd800 && last <= 0xdbff;
    assert.ok(part.seq === parts.length || !endsInHighSurrogate, 'part ends in a high surrogate');
  }
  assert.equal(
    result.units,
    parts.reduce((n, p) => n + p.units, 0),
  );
  const lastUnits = parts[parts.length - 1]!.units;
  assert.deepEqual(countParts(text), {
    encoding,
    units: result.units,
    parts: parts.length,
    perPart,
    remaining: perPart - lastUnits,
  });
}

describe('splitMessage: boundaries', () => {
  // [name, text, encoding, units per part]
  const cases: Array<[string, string, 'gsm7' | 'ucs2', number[]]> = [
    ['1 char', 'a', 'gsm7', [1]],
    ['exactly 160 GSM chars', a(160), 'gsm7', [160]],
    ['161 GSM chars', a(161), 'gsm7', [153, 8]],
    ['306 GSM chars = 2 full parts', a(306), 'gsm7', [153, 153]],
    ['307 GSM chars', a(307), 'gsm7', [153, 153, 1]],
    ['80 € = 160 septets', '€'.repeat(80), 'gsm7', [160]],
    ['81 € = 162 septets', '€'.repeat(81), 'gsm7', [152, 10]],
    ['159 chars + € does not fit one part', a(159) + '€', 'gsm7', [153, 8]],
    ['158 chars + € fits one part', a(158) + '€', 'gsm7', [160]],
    ['ESC pair landing on septet 153 moves whole', a(152) + '€' + a(10), 'gsm7', [152, 12]],
    ['ESC pair ending on septet 153 stays', a(151) + '€' + a(10), 'gsm7', [153, 10]],
    ['CRLF is one cluster: kept together', a(152) + '\r\n' + a(10), 'gsm7', [152, 12]],
    ['exactly 70 Chinese chars', zh(70), 'ucs2', [70]],
    ['71 Chinese chars', zh(71), 'ucs2', [67, 4]],
    ['one Chinese char forces UCS-2', a(100) + '中', 'ucs2', [67, 34]],
    ['100 GSM chars stay GSM-7 in one part', a(100), 'gsm7', [100]],
    ['emoji on unit 67 moves to part 2', zh(66) + '😀' + zh(5), 'ucs2', [66, 7]],
    ['emoji ending on unit 67 stays', zh(65) + '😀' + zh(5), 'ucs2', [67, 5]],
    ['35 emoji = 70 units', '😀'.repeat(35), 'ucs2', [70]],
    ['36 emoji = 72 units', '😀'.repeat(36), 'ucs2', [66, 6]],
    ['ZWJ family across the boundary kept whole', zh(63) + FAMILY + zh(10), 'ucs2', [63, 18]],
    ['ZWJ family just fitting stays', zh(59) + FAMILY + zh(10), 'ucs2', [67, 10]],
    ['flag across the boundary kept whole', zh(65) + FLAG + zh(5), 'ucs2', [65, 9]],
    ['combining mark kept with its base', zh(66) + 'e\u0301' + zh(5), 'ucs2', [66, 7]],
    [
      'cluster longer than a part is cut at a code point',
      'e' + '\u0301'.repeat(100),
      'ucs2',
      [67, 34],
    ],
    [
      'long cluster after text is cut at a code point',
      zh(10) + 'e' + '\u0301'.repeat(100),
      'ucs2',
      [67, 44],
    ],
    ['long emoji ZWJ chain cut between code points', '👨‍'.repeat(40) + '👨', 'ucs2', [66, 56]],
  ];
  for (const [name, text, encoding, units] of cases) {
    test(name, () => {
      const result = split(text);
      assert.equal(result.encoding, encoding);
      assert.equal(result.dataCoding, encoding === 'gsm7' ? 0 : 8);
      assert.deepEqual(
        result.parts.map((p) => p.units),
        units,
      );
      checkInvariants(text, result);
    });
  }

  test('the ESC pair is not split: part 2 starts with ESC 0x65', () => {
    const { parts } = split(a(152) + '€' + a(10));
    assert.equal(parts[0]!.userData.length, 152);
    assert.equal(hex(parts[1]!.userData.subarray(0, 3)), '1b6561');
  });

  test('the moved emoji starts part 2 as a whole surrogate pair', () => {
    const { parts } = split(zh(66) + '😀' + zh(5));
    assert.equal(parts[1]!.text.slice(0, 2), '😀');
    assert.equal(hex(parts[1]!.userData.subarray(0, 4)), 'd83dde00');
  });

  test('ZWJ family and flag texts', () => {
    assert.equal(split(zh(63) + FAMILY + zh(10)).parts[1]!.text, FAMILY + zh(10));
    assert.equal(split(zh(65) + FLAG + zh(5)).parts[1]!.text, FLAG + zh(5));
  });
});

describe('splitMessage: Chinese with a signature', () => {
  test('short message with 【签名】 is one UCS-2 part counting every character as 1', () => {
    const text = '【鸿雁科技】您的验证码是123456，5分钟内有效，请勿泄露。';
    const result = split(text);
    assert.equal(result.encoding, 'ucs2');
    assert.equal(result.units, 31);
    assert.equal(result.parts.length, 1);
    assert.equal(result.parts[0]!.udh, null);
    assert.equal(hex(result.parts[0]!.userData.subarray(0, 4)), '30109e3f');
  });

  test('160-character message with a signature is 67 + 67 + 26', () => {
    const text = '【鸿雁】' + '尊敬的客户您好'.repeat(22);
    assert.equal(text.length, 158);
    const padded = text + 'ab';
    const result = split(padded);
    assert.deepEqual(
      result.parts.map((p) => p.units),
      [67, 67, 26],
    );
    assert.equal(result.parts[0]!.text.slice(0, 4), '【鸿雁】');
    checkInvariants(padded, result);
  });
});

describe('UDH and short_message bytes', () => {
  test('single part: no UDH, short_message is the user data', () => {
    const result = splitMessage('Hi', { concatRef: 9 });
    const [part] = result.parts;
    assert.deepEqual(
      { seq: part!.seq, total: part!.total, udh: part!.udh },
      { seq: 1, total: 1, udh: null },
    );
    assert.equal(hex(shortMessageBytes(part!)), '4869');
  });

  test('multi part: 05 00 03 ref total seq in every part', () => {
    const result = splitMessage(a(400), { concatRef: 0xab });
    assert.deepEqual(
      result.parts.map((p) => hex(p.udh)),
      ['050003ab0301', '050003ab0302', '050003ab0303'],
    );
    assert.deepEqual(
      result.parts.map((p) => [p.seq, p.total]),
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
    );
    const bytes = shortMessageBytes(result.parts[2]!);
    assert.equal(bytes.length, 6 + 94);
    assert.equal(hex(bytes.subarray(0, 8)), '050003ab03036161');
  });

  test('UCS-2 part with UDH fits 140 octets', () => {
    const result = splitMessage(zh(201), { concatRef: 0 });
    assert.deepEqual(
      result.parts.map((p) => shortMessageBytes(p).length),
      [140, 140, 140],
    );
    assert.equal(hex(result.parts[0]!.udh), '050003000301');
  });

  test('concatRef must be 0..255', () => {
    for (const concatRef of [-1, 256, 1.5, Number.NaN]) {
      assert.throws(() => splitMessage('x', { concatRef }), RangeError);
    }
  });
});

describe('limits and errors', () => {
  test('10 parts are allowed, 11 are text_too_long', () => {
    assert.equal(split(a(1530)).parts.length, 10);
    assert.equal(split(zh(670)).parts.length, 10);
    assert.throws(
      () => split(a(1531)),
      (err: unknown) => {
        assert.ok(err instanceof DomainError);
        assert.equal(err.code, 'text_too_long');
        assert.match(err.message, /11 parts.*limit is 10/);
        assert.deepEqual(err.details, { parts: 11, maxParts: 10, encoding: 'gsm7', units: 1531 });
        return true;
      },
    );
    assert.throws(() => split(zh(671)), {
      code: 'text_too_long',
      details: { parts: 11, maxParts: 10, encoding: 'ucs2', units: 671 },
    });
  });

  test('maxParts option', () => {
    assert.equal(split(a(459), 3).parts.length, 3);
    assert.throws(() => split(a(460), 3), {
      code: 'text_too_long',
      details: { parts: 4, maxParts: 3, encoding: 'gsm7', units: 460 },
    });
    assert.throws(() => split(a(161), 1), { code: 'text_too_long' });
    assert.throws(() => splitMessage('x', { concatRef: 1, maxParts: 0 }), RangeError);
    assert.throws(() => splitMessage('x', { concatRef: 1, maxParts: 256 }), RangeError);
  });

  test('grapheme preference yields to code points when it would exceed maxParts', () => {
    const text = zh(65) + FLAG + zh(65); // 134 units: 2 parts only if the flag is cut
    assert.deepEqual(
      split(text, 2).parts.map((p) => p.units),
      [67, 67],
    );
    assert.deepEqual(
      split(text).parts.map((p) => p.units),
      [65, 67, 2],
    );
    assert.equal(countParts(text, { maxParts: 2 }).parts, 2);
    assert.equal(countParts(text).parts, 3);
  });

  test('empty text is empty_text', () => {
    assert.throws(() => split(''), { name: 'DomainError', code: 'empty_text' });
  });

  test('forced encodings', () => {
    const ucs2 = splitMessage('hello', { concatRef: 1, encoding: 'ucs2' });
    assert.deepEqual([ucs2.encoding, ucs2.dataCoding, ucs2.units], ['ucs2', 8, 5]);
    assert.equal(hex(ucs2.parts[0]!.userData), '00680065006c006c006f');
    assert.equal(splitMessage('€', { concatRef: 1, encoding: 'gsm7' }).units, 2);
    assert.throws(() => splitMessage('中', { concatRef: 1, encoding: 'gsm7' }), {
      code: 'invalid_request',
    });
  });
});

describe('countParts', () => {
  const cases: Array<[string, string, ReturnType<typeof countParts>]> = [
    ['empty', '', { encoding: 'gsm7', units: 0, parts: 0, perPart: 160, remaining: 160 }],
    ['40 ASCII', a(40), { encoding: 'gsm7', units: 40, parts: 1, perPart: 160, remaining: 120 }],
    ['160 ASCII', a(160), { encoding: 'gsm7', units: 160, parts: 1, perPart: 160, remaining: 0 }],
    ['161 ASCII', a(161), { encoding: 'gsm7', units: 161, parts: 2, perPart: 153, remaining: 145 }],
    [
      '81 €',
      '€'.repeat(81),
      { encoding: 'gsm7', units: 162, parts: 2, perPart: 153, remaining: 143 },
    ],
    ['30 Chinese', zh(30), { encoding: 'ucs2', units: 30, parts: 1, perPart: 70, remaining: 40 }],
    ['71 Chinese', zh(71), { encoding: 'ucs2', units: 71, parts: 2, perPart: 67, remaining: 63 }],
    [
      'emoji at 67',
      zh(66) + '😀',
      { encoding: 'ucs2', units: 68, parts: 1, perPart: 70, remaining: 2 },
    ],
    [
      'over the limit still counts',
      a(2000),
      { encoding: 'gsm7', units: 2000, parts: 14, perPart: 153, remaining: 153 * 14 - 2000 },
    ],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => assert.deepEqual(countParts(text), expected));
  }
});

describe('fast path', () => {
  test('single-part messages never run the grapheme segmenter; split ones do', () => {
    const original = Intl.Segmenter.prototype.segment;
    let calls = 0;
    Intl.Segmenter.prototype.segment = function (this: Intl.Segmenter, input: string) {
      calls++;
      return original.call(this, input);
    };
    try {
      for (const text of [a(40), zh(30), a(160), zh(70), '😀'.repeat(35)]) {
        split(text);
        countParts(text);
      }
      assert.equal(calls, 0);
      split(a(161));
      assert.ok(calls > 0);
    } finally {
      Intl.Segmenter.prototype.segment = original;
    }
  });
});

// Property test lives in parts.property.test.ts (random strings, independent oracle).
