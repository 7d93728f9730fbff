import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { keywordCandidates, matchKeyword, normaliseKeyword, withoutKeyword } from './keywords.ts';

describe('normaliseKeyword', () => {
  const cases: Array<[string, string | RegExp]> = [
    ['HY', 'HY'],
    ['hy', 'HY'],
    [' ＨＹ ', 'HY'],
    ['鸿雁', '鸿雁'],
    ['a1', 'A1'],
    ['', /empty/],
    ['  ', /empty/],
    ['H Y', /letters and digits/],
    ['HY!', /letters and digits/],
    ['x'.repeat(21), /at most 20/],
  ];
  for (const [input, want] of cases)
    test(JSON.stringify(input), () => {
      const r = normaliseKeyword(input);
      if (typeof want === 'string') assert.deepEqual(r, { ok: true, keyword: want });
      else assert.match(r.ok ? '' : r.reason, want);
    });
});

describe('matchKeyword', () => {
  const keywords = new Map([
    ['HY', 'A'],
    ['HYX', 'B'],
    ['鸿雁', 'C'],
    ['鸿', 'D'],
    ['A1', 'E'],
  ]);
  const cases: Array<[string, string | null]> = [
    ['HY', 'A'],
    ['hy', 'A'],
    ['HY 订单 123', 'A'],
    ['  hy,好的', 'A'],
    ['HY好的', 'A'],
    ['ＨＹ 你好', 'A'],
    ['【HY】好', 'A'],
    ['HYX 1', 'B'],
    ['HYX', 'B'],
    ['HYPE', null],
    ['HY123', null],
    ['HYXZ', null],
    ['THY', null],
    ['鸿雁你好', 'C'],
    ['鸿雁', 'C'],
    ['鸿你好', 'D'],
    ['a1 ok', 'E'],
    ['A12', null],
    ['', null],
    ['   ', null],
    ['你好 HY', null],
  ];
  for (const [text, want] of cases)
    test(JSON.stringify(text), () =>
      assert.equal(matchKeyword(text, keywords)?.owner ?? null, want),
    );
});

describe('keywordCandidates', () => {
  test('longest first, within 20 characters', () => {
    assert.deepEqual(keywordCandidates('HY 1'), ['HY']);
    assert.deepEqual(keywordCandidates('鸿雁好'), ['鸿雁好', '鸿雁', '鸿']);
    assert.deepEqual(keywordCandidates('x'.repeat(40)), []);
    assert.equal(keywordCandidates('好'.repeat(40)).length, 20);
  });
});

describe('withoutKeyword', () => {
  const cases: Array<[string, string, string]> = [
    ['HY TD', 'HY', ' TD'],
    [' hy,退订', 'HY', ',退订'],
    ['ＨＹ TD', 'HY', ' TD'],
    ['鸿雁退订', '鸿雁', '退订'],
    ['HY', 'HY', ''],
    ['XY TD', 'HY', 'XY TD'],
  ];
  for (const [text, keyword, want] of cases)
    test(`${JSON.stringify(text)} without ${keyword}`, () =>
      assert.equal(withoutKeyword(text, keyword), want));
});
