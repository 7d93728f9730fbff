import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readUserData } from './user-data.ts';

describe('readUserData (protocol-neutral: bytes, UDHI flag, SAR)', () => {
  const ok: Array<[string, number[], boolean, object | null, string]> = [
    ['no UDHI: the bytes as they are', [0x41, 0x42], false, null, 'AB'],
    [
      'no UDHI keeps a leading 05 00 03',
      [5, 0, 3, 1, 2, 1, 0x41],
      false,
      null,
      '\x05\x00\x03\x01\x02\x01A',
    ],
    [
      '8-bit reference',
      [5, 0, 3, 0x2a, 3, 2, 0x41],
      true,
      { ref: 0x2a, refBits: 8, total: 3, seq: 2 },
      'A',
    ],
    [
      '16-bit reference',
      [6, 8, 4, 0x12, 0x34, 2, 1, 0x42],
      true,
      { ref: 0x1234, refBits: 16, total: 2, seq: 1 },
      'B',
    ],
    ['a header without concatenation', [3, 0x24, 1, 1, 0x44], true, null, 'D'],
    ['an empty header', [0, 0x45], true, null, 'E'],
    [
      'a header and no text',
      [5, 0, 3, 1, 2, 2],
      true,
      { ref: 1, refBits: 8, total: 2, seq: 2 },
      '',
    ],
  ];
  for (const [what, bytes, udhi, concat, text] of ok) {
    test(what, () => {
      const r = readUserData(Buffer.from(bytes), udhi);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value.bytes.toString('latin1'), text);
      assert.deepEqual(r.value.concat, concat);
    });
  }

  test('SAR stands for the header when there is none', () => {
    const r = readUserData(Buffer.from('G'), false, { ref: 500, total: 4, seq: 4 });
    assert.ok(r.ok);
    assert.deepEqual(r.value.concat, { ref: 500, refBits: 16, total: 4, seq: 4 });
  });

  const bad: Array<[string, number[], boolean]> = [
    ['UDHI and nothing', [], true],
    ['header length past the data', [9, 0, 3, 1, 2, 1, 0x41], true],
    ['an element past the header', [5, 0, 7, 1, 2, 1, 0x41], true],
    ['an element header cut by the header end', [1, 0, 0x41], true],
    ['a concatenation element of the wrong size', [4, 0, 2, 1, 2, 0x41], true],
    ['part 0', [5, 0, 3, 1, 2, 0, 0x41], true],
    ['part 3 of 2', [5, 0, 3, 1, 2, 3, 0x41], true],
    ['total 0 (16-bit)', [6, 8, 4, 0, 1, 0, 0, 0x41], true],
  ];
  for (const [what, bytes, udhi] of bad) {
    test(`refused: ${what}`, () => {
      const r = readUserData(Buffer.from(bytes), udhi);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.detail.length > 0);
    });
  }

  test('refused: SAR part above its total', () => {
    assert.equal(readUserData(Buffer.from('x'), false, { ref: 1, total: 2, seq: 5 }).ok, false);
  });
});
