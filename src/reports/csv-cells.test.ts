import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeCell } from './csv-cells.ts';

const cases: Array<[string | null, string]> = [
  ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
  ['+1+2', `'+1+2`],
  ['-2+3', `'-2+3`],
  // A number in E.164 (the message export's `to`) stays text, not a sum.
  ['+8613800138000', `'+8613800138000`],
  ['-2', `'-2`],
  ['@SUM(A1)', `'@SUM(A1)`],
  ['\t=1', `'\t=1`],
  ['\r=1', `'\r=1`],
  ['bind lost: ECONNRESET', 'bind lost: ECONNRESET'],
  ['a=b', 'a=b'],
  ['绑定断开', '绑定断开'],
  ['', ''],
  [null, ''],
];
for (const [input, expected] of cases)
  test(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () =>
    assert.equal(safeCell(input), expected));
