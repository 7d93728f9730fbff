import { describe, test } from 'node:test';

import assert from 'node:assert/strict';
import {
  chooseEncoding,
  dataCodingFor,
  decodeLatin1,
  decodeUcs2,
  decodeUserData,
  encodeUcs2,
  type Encoding,
} from './encoding.ts';

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

describe('chooseEncoding', () => {
  const cases: Array<[string, Encoding]> = [
    ['Hello world', 'gsm7'],
    ['', 'gsm7'],
    ['Price: €5 {ok} [x] ~^|\\', 'gsm7'],
    ['@£$¥èéùìòÇ ΔΦΓΛΩΠΨΣΘΞ ÆæßÉ ¤ ¡¿ ÄÖÑÜ§ äöñüà', 'gsm7'],
    ['line\r\nbreak\fpage', 'gsm7'],
    ['Hello 世界', 'ucs2'],
    ['a'.repeat(200) + '中', 'ucs2'],
    ['【鸿雁】验证码 123456', 'ucs2'],
    ['use `code`', 'ucs2'],
    ['ça', 'ucs2'],
    ['smile 😀', 'ucs2'],
    ['tab\there', 'ucs2'],
  ];
  for (const [text, expected] of cases) {
    test(`${JSON.stringify(text.length > 40 ? text.slice(0, 20) + '…' + text.slice(-5) : text)} -> ${expected}`, () => {
      assert.equal(chooseEncoding(text), expected);
    });
  }
});

describe('dataCodingFor', () => {
  test('gsm7 -> 0x00, ucs2 -> 0x08', () => {
    assert.equal(dataCodingFor('gsm7'), 0);
    assert.equal(dataCodingFor('ucs2'), 8);
  });
});

describe('encodeUcs2 / decodeUcs2 (UTF-16BE)', () => {
  const cases: Array<[string, string]> = [
    ['A', '0041'],
    ['中', '4e2d'],
    ['中文', '4e2d6587'],
    ['€', '20ac'],
    ['😀', 'd83dde00'],
    ['a😀b', '0061d83dde000062'],
    ['🇨🇳', 'd83cdde8d83cddf3'],
    ['', ''],
  ];
  for (const [text, bytes] of cases) {
    test(`${JSON.stringify(text)} <-> ${bytes || '(nothing)'}`, () => {
      assert.equal(hex(encodeUcs2(text)), bytes);
      assert.equal(decodeUcs2(fromHex(bytes)), text);
    });
  }

  test('a surrogate pair is two code units, four octets', () => {
    assert.equal(encodeUcs2('😀😀').length, 8);
  });

  test('a lone surrogate survives the round trip', () => {
    assert.equal(decodeUcs2(encodeUcs2('x\ud83d')), 'x\ud83d');
  });

  test('a stray odd trailing octet is ignored', () => {
    assert.equal(decodeUcs2(fromHex('4e2d65')), '中');
  });

  test('long payloads decode across chunk boundaries', () => {
    const text = '鸿雁😀abc'.repeat(3000); // 18000 units, more than one 4096-unit chunk
    assert.equal(decodeUcs2(encodeUcs2(text)), text);
  });
});

describe('decodeUserData by data_coding', () => {
  const cases: Array<[string, number, string, string]> = [
    ['0 GSM-7 unpacked: @ and $ are 0x00 and 0x02', 0, '00410224', '@A$¤'],
    ['0 GSM-7 extension €', 0, '1b65', '€'],
    ['1 labelled IA5 but GSM-encoded (node-smpp)', 1, '020024', '$@¤'],
    ['3 Latin-1', 3, '24e96ce8', '$élè'],
    ['8 UTF-16BE', 8, '4e2dd83dde00', '中😀'],
    ['4 binary: Latin-1 best effort', 4, '41ff', 'Aÿ'],
    ['0xF0 flash: Latin-1 best effort', 0xf0, '4869', 'Hi'],
    ['empty', 8, '', ''],
  ];
  for (const [name, coding, bytes, expected] of cases) {
    test(name, () => assert.equal(decodeUserData(coding, fromHex(bytes)), expected));
  }

  test('decodeLatin1 handles payloads longer than one chunk', () => {
    const bytes = Uint8Array.from({ length: 10000 }, (_, i) => i & 0xff);
    const text = decodeLatin1(bytes);
    assert.equal(text.length, 10000);
    assert.equal(text.charCodeAt(9999), 9999 & 0xff);
  });
});
