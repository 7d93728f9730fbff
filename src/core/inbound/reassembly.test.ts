import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, setExpired, usableConcat, type HeldSegment } from './reassembly.ts';

describe('usableConcat', () => {
  const cases: Array<[Parameters<typeof usableConcat>[0], boolean]> = [
    [{ ref: 7, total: 3, seq: 1 }, true],
    [{ ref: 7, total: 3, seq: 3 }, true],
    [{ ref: 0xffff, total: 2, seq: 2 }, true],
    [{ ref: 7, total: 255, seq: 255 }, true],
    [undefined, false],
    [null, false],
    [{ ref: 7, total: 1, seq: 1 }, false],
    [{ ref: 7, total: 0, seq: 0 }, false],
    [{ ref: 7, total: 3, seq: 0 }, false],
    [{ ref: 7, total: 3, seq: 4 }, false],
    [{ ref: 7, total: 256, seq: 1 }, false],
    [{ ref: -1, total: 2, seq: 1 }, false],
    [{ ref: 1.5, total: 2, seq: 1 }, false],
  ];
  for (const [c, ok] of cases)
    test(JSON.stringify(c), () => assert.equal(usableConcat(c) !== null, ok));
});

describe('assemble', () => {
  const seg = (seq: number, text: string, receivedAt = 1000 + seq): HeldSegment => ({
    seq,
    text,
    receivedAt,
  });
  test('in order', () => {
    const a = assemble(3, [seg(1, 'a'), seg(2, 'b'), seg(3, 'c')]);
    assert.deepEqual(a, { text: 'abc', complete: true, received: 3, missing: [], firstAt: 1001 });
  });
  test('out of order', () => {
    const a = assemble(3, [seg(3, 'c', 5), seg(1, 'a', 9), seg(2, 'b', 7)]);
    assert.deepEqual([a.text, a.complete, a.firstAt], ['abc', true, 5]);
  });
  test('a segment sent twice counts once', () => {
    const a = assemble(2, [seg(1, '你'), seg(1, '你'), seg(2, '好')]);
    assert.deepEqual([a.text, a.complete, a.received], ['你好', true, 2]);
  });
  test('incomplete: what arrived, in order, and what is missing', () => {
    const a = assemble(4, [seg(4, 'd'), seg(2, 'b')]);
    assert.deepEqual([a.text, a.complete, a.received, a.missing], ['bd', false, 2, [1, 3]]);
  });
  test('a surrogate pair split across segments joins again', () => {
    const [hi, lo] = ['\ud83d', '\ude00'];
    assert.equal(assemble(2, [seg(2, lo + '!'), seg(1, 'ok ' + hi)]).text, 'ok 😀!');
  });
});

describe('setExpired', () => {
  test('after the wait, not before', () => {
    assert.equal(setExpired(0, 599_999), false);
    assert.equal(setExpired(0, 600_000), true);
    assert.equal(setExpired(0, 10, 10), true);
  });
});
