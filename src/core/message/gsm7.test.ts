import { describe, test } from 'node:test';

import assert from 'node:assert/strict';
import {
  GSM7_ESC,
  decodeGsm7,
  encodeGsm7,
  gsm7Septets,
  isGsm7Text,
  measureGsm7,
  packSeptets,
  unpackSeptets,
} from './gsm7.ts';

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

// GSM 03.38 default alphabet written out independently of the module, by code (3GPP TS 23.038 §6.2.1).
// prettier-ignore
const DEFAULT_TABLE: Array<[number, string]> = [
  [0x00, '@'], [0x01, '£'], [0x02, '$'], [0x03, '¥'], [0x04, 'è'], [0x05, 'é'], [0x06, 'ù'],
  [0x07, 'ì'], [0x08, 'ò'], [0x09, '\u00c7'], [0x0a, '\n'], [0x0b, 'Ø'], [0x0c, 'ø'], [0x0d, '\r'],
  [0x0e, 'Å'], [0x0f, 'å'], [0x10, '\u0394'], [0x11, '_'], [0x12, '\u03a6'], [0x13, '\u0393'],
  [0x14, '\u039b'], [0x15, '\u03a9'], [0x16, '\u03a0'], [0x17, '\u03a8'], [0x18, '\u03a3'],
  [0x19, '\u0398'], [0x1a, '\u039e'], [0x1c, 'Æ'], [0x1d, 'æ'], [0x1e, 'ß'], [0x1f, 'É'],
  [0x20, ' '], [0x21, '!'], [0x22, '"'], [0x23, '#'], [0x24, '¤'], [0x25, '%'], [0x26, '&'],
  [0x27, "'"], [0x28, '('], [0x29, ')'], [0x2a, '*'], [0x2b, '+'], [0x2c, ','], [0x2d, '-'],
  [0x2e, '.'], [0x2f, '/'], [0x3a, ':'], [0x3b, ';'], [0x3c, '<'], [0x3d, '='], [0x3e, '>'],
  [0x3f, '?'], [0x40, '¡'], [0x5b, 'Ä'], [0x5c, 'Ö'], [0x5d, 'Ñ'], [0x5e, 'Ü'], [0x5f, '§'],
  [0x60, '¿'], [0x7b, 'ä'], [0x7c, 'ö'], [0x7d, 'ñ'], [0x7e, 'ü'], [0x7f, 'à'],
];
for (let d = 0; d <= 9; d++) DEFAULT_TABLE.push([0x30 + d, String(d)]);
for (let l = 0; l < 26; l++) {
  DEFAULT_TABLE.push([0x41 + l, String.fromCharCode(0x41 + l)]);
  DEFAULT_TABLE.push([0x61 + l, String.fromCharCode(0x61 + l)]);
}

// prettier-ignore
const EXTENSION_TABLE: Array<[string, number]> = [
  ['\f', 0x0a], ['^', 0x14], ['{', 0x28], ['}', 0x29], ['\\', 0x2f],
  ['[', 0x3c], ['~', 0x3d], [']', 0x3e], ['|', 0x40], ['€', 0x65],
];

describe('GSM 03.38 default alphabet', () => {
  test('the test table covers all 127 codes except ESC', () => {
    const codes = new Set(DEFAULT_TABLE.map(([code]) => code));
    assert.equal(codes.size, 127);
    assert.equal(codes.has(GSM7_ESC), false);
  });

  for (const [code, char] of DEFAULT_TABLE) {
    test(`U+${char.charCodeAt(0).toString(16).padStart(4, '0')} <-> 0x${code.toString(16)}`, () => {
      assert.deepEqual(encodeGsm7(char), Uint8Array.of(code));
      assert.equal(decodeGsm7(Uint8Array.of(code)), char);
      assert.equal(gsm7Septets(char), 1);
    });
  }

  test('traps: $ @ ¤ encode to 0x02 0x00 0x24', () => {
    assert.equal(hex(encodeGsm7('$@¤')), '020024');
    assert.equal(hex(encodeGsm7('Price: $5 @ shop')), '50726963653a20023520002073686f70');
  });
});

describe('GSM 03.38 extension table', () => {
  for (const [char, code] of EXTENSION_TABLE) {
    test(`${JSON.stringify(char)} -> ESC 0x${code.toString(16)}, 2 septets`, () => {
      assert.equal(gsm7Septets(char), 2);
      assert.deepEqual(encodeGsm7(char), Uint8Array.of(0x1b, code));
      assert.equal(decodeGsm7(Uint8Array.of(0x1b, code)), char);
    });
  }

  test('a mixed string counts extension characters twice', () => {
    assert.equal(measureGsm7('a€b[c]'), 9);
    assert.equal(hex(encodeGsm7('a€b')), '611b6562');
  });
});

describe('characters outside GSM-7', () => {
  const cases: Array<[string, string]> = [
    ['backtick', '`'],
    ['lowercase c-cedilla', 'ç'],
    ['Greek capital Alpha (looks like A)', '\u0391'],
    ['Ohm sign (looks like Omega)', '\u2126'],
    ['a-acute', 'á'],
    ['Chinese', '中'],
    ['emoji (surrogate pair)', '😀'],
    ['lone high surrogate', '\ud83d'],
    ['NUL', '\0'],
    ['ESC itself', '\x1b'],
    ['tab', '\t'],
    ['fullwidth comma', '，'],
  ];
  for (const [name, char] of cases) {
    test(`${name} is not representable`, () => {
      assert.equal(gsm7Septets(char), 0);
      assert.equal(isGsm7Text(`ok ${char} ok`), false);
      assert.equal(measureGsm7(`ok${char}`), -1);
      assert.throws(() => encodeGsm7(`ok${char}`), RangeError);
    });
  }

  test('gsm7Septets takes one character only', () => {
    assert.equal(gsm7Septets(''), 0);
    assert.equal(gsm7Septets('ab'), 0);
  });

  test('the error names the code point and index', () => {
    assert.throws(() => encodeGsm7('ab中'), /U\+4E2D at index 2/);
  });

  test('isGsm7Text', () => {
    assert.equal(isGsm7Text(''), true);
    assert.equal(isGsm7Text('Hello, World! {ok} ~ €5'), true);
    assert.equal(isGsm7Text('Ça va? Ünïcode'), false); // ï is not in GSM 03.38
    assert.equal(isGsm7Text('Ça va? Ü'), true);
  });
});

describe('decodeGsm7 (lenient, inbound)', () => {
  const cases: Array<[string, string, string]> = [
    ['ESC + unknown code shows the default character', '1b41', 'A'],
    ['ESC ESC shows a space', '1b1b41', ' A'],
    ['trailing ESC shows a space', '411b', 'A '],
    ['high bit ignored', 'c1e1', 'Aa'],
    ['@ is a NUL octet, not a terminator', '410042', 'A@B'],
    ['empty', '', ''],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.equal(decodeGsm7(fromHex(input)), expected));
  }

  test('round trip over every representable character', () => {
    const all = DEFAULT_TABLE.map(([, c]) => c).join('') + EXTENSION_TABLE.map(([c]) => c).join('');
    const encoded = encodeGsm7(all);
    assert.equal(encoded.length, 127 + 2 * 10);
    assert.equal(decodeGsm7(encoded), all);
  });
});

describe('packSeptets / unpackSeptets', () => {
  const vectors: Array<[string, string]> = [
    ['hellohello', 'e8329bfd4697d9ec37'],
    ['Hello', 'c8329bfd06'],
    ['How are you?', 'c8f71d14969741f977fd07'],
    ['A', '41'],
    ['', ''],
  ];
  for (const [text, packed] of vectors) {
    test(`${JSON.stringify(text)} packs to ${packed || '(nothing)'}`, () => {
      const septets = encodeGsm7(text);
      assert.equal(hex(packSeptets(septets)), packed);
      assert.deepEqual(unpackSeptets(fromHex(packed), septets.length), septets);
    });
  }

  test('8 septets pack into 7 octets', () => {
    const packed = packSeptets(encodeGsm7('12345678'));
    assert.equal(packed.length, 7);
    assert.equal(hex(packed), '31d98c56b3dd70');
  });

  test('fill bits shift the text to a septet boundary', () => {
    // 1 fill bit after a 6-octet UDH (GSM 03.38 §6.1.2): 'A' = 0x41 << 1 = 0x82.
    assert.equal(hex(packSeptets(Uint8Array.of(0x41), 1)), '82');
    assert.equal(hex(packSeptets(encodeGsm7('hello'), 1)), 'd06536fb0d');
    assert.equal(hex(packSeptets(Uint8Array.of(0x7f), 6)), 'c01f');
  });

  test('a trailing @ (0x00) survives because the count is explicit', () => {
    const septets = encodeGsm7('abcdefg@');
    const packed = packSeptets(septets);
    assert.equal(packed.length, 7);
    assert.equal(decodeGsm7(unpackSeptets(packed, 8)), 'abcdefg@');
  });

  test('round trip with every fill bit count and length', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let fill = 0; fill <= 6; fill++) {
      for (let length = 0; length <= 40; length++) {
        const septets = Uint8Array.from({ length }, () => next() & 0x7f);
        const packed = packSeptets(septets, fill);
        assert.equal(packed.length, Math.ceil((length * 7 + fill) / 8));
        assert.equal(packed.length > 0 ? (packed[0] as number) & ((1 << fill) - 1) : 0, 0);
        assert.deepEqual(unpackSeptets(packed, length, fill), septets);
      }
    }
  });

  test('rejects bad arguments', () => {
    assert.throws(() => packSeptets(Uint8Array.of(1), 7), RangeError);
    assert.throws(() => packSeptets(Uint8Array.of(1), -1), RangeError);
    assert.throws(() => unpackSeptets(Uint8Array.of(1), 2), RangeError);
    assert.throws(() => unpackSeptets(Uint8Array.of(1), -1), RangeError);
  });
});
