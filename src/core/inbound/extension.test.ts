import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  extensionCandidates,
  extensionProblem,
  longestExtension,
  nextExtension,
} from './extension.ts';

describe('extensionProblem', () => {
  const cases: Array<[string, string[], RegExp | null]> = [
    ['1000', [], null],
    ['0', [], null],
    ['0123', ['106900'], null],
    ['123456789012', ['10690012'], null],
    ['', [], /digits only/],
    ['12a', [], /digits only/],
    ['１２', [], /digits only/],
    ['-12', [], /digits only/],
    ['1234567890123', [], /at most 12/],
    ['123456', ['1069001234567890'], /longer than 20/],
  ];
  for (const [code, numbers, want] of cases)
    test(JSON.stringify(code), () => {
      const p = extensionProblem(code, numbers);
      if (want === null) assert.equal(p, null);
      else assert.match(p ?? '', want);
    });
});

describe('longestExtension: the longest code wins, the rest is the sub-code', () => {
  const codes = new Map([
    ['12', 'A'],
    ['1234', 'B'],
    ['5', 'C'],
    ['0042', 'D'],
  ]);
  const cases: Array<[string, { code: string; owner: string; subCode: string } | null]> = [
    ['1234', { code: '1234', owner: 'B', subCode: '' }],
    ['123499', { code: '1234', owner: 'B', subCode: '99' }],
    ['1235', { code: '12', owner: 'A', subCode: '35' }],
    ['12', { code: '12', owner: 'A', subCode: '' }],
    ['123', { code: '12', owner: 'A', subCode: '3' }],
    ['5', { code: '5', owner: 'C', subCode: '' }],
    ['50000', { code: '5', owner: 'C', subCode: '0000' }],
    ['0042', { code: '0042', owner: 'D', subCode: '' }],
    ['042', null],
    ['1', null],
    ['', null],
    ['9999', null],
  ];
  for (const [rest, want] of cases)
    test(JSON.stringify(rest), () => assert.deepEqual(longestExtension(rest, codes), want));
});

describe('extensionCandidates', () => {
  test('longest first, at most 12 digits', () => {
    assert.deepEqual(extensionCandidates('1234'), ['1234', '123', '12', '1']);
    assert.deepEqual(extensionCandidates(''), []);
    assert.equal(extensionCandidates('1'.repeat(30)).length, 12);
  });
});

describe('nextExtension', () => {
  const cases: Array<[string, string[], number, string]> = [
    ['the first one', [], 4, '1000'],
    ['after the highest', ['1000', '1001'], 4, '1002'],
    ['after the highest, not into a gap', ['1000', '1007'], 4, '1008'],
    ['codes of other lengths do not move it', ['1000', '99999', '77'], 4, '1001'],
    // 77 is taken: 77xx would take 77's sub-codes, so they are skipped.
    ['never starts with a code in use', ['1', '1000'], 4, '2000'],
    ['never a prefix of a code in use', ['10010', '1000'], 4, '1002'],
    ['skips a blocked range', ['1009', '101'], 4, '1020'],
    ['other lengths', [], 6, '100000'],
    ['one digit', [], 1, '1'],
    [
      'one more digit when every code of the length is blocked',
      ['10', '20', '30', '40', '50', '60', '70', '80', '90'],
      1,
      '91',
    ],
  ];
  for (const [what, taken, digits, want] of cases)
    test(what, () => assert.equal(nextExtension(taken, digits), want));
  test('a full length falls back to free codes below the highest', () => {
    assert.equal(nextExtension(['9'], 1), '1');
  });
  test('a thousand in a row are all different and free of prefixes', () => {
    const taken: string[] = ['12'];
    for (let i = 0; i < 1000; i++) taken.push(nextExtension(taken));
    assert.equal(new Set(taken).size, taken.length);
    for (const a of taken)
      for (const b of taken) if (a !== b) assert.ok(!b.startsWith(a), `${a} / ${b}`);
  });
  test('every length blocked by short codes: bounded, then an error', () => {
    const all = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
    assert.throws(() => nextExtension(all, 11), /no extension code left/);
  });
});
