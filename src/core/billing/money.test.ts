import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAmount, parseAmount } from './money.ts';

test('parseAmount and formatAmount are exact inverses', () => {
  const cases: Array<[string, number, string]> = [
    ['0', 0, '0.0000'],
    ['12.34', 123400, '12.3400'],
    ['12.3400', 123400, '12.3400'],
    ['0.0001', 1, '0.0001'],
    ['-0.5', -5000, '-0.5000'],
    ['1000', 10000000, '1000.0000'],
    ['0.1', 1000, '0.1000'],
  ];
  for (const [text, minor, formatted] of cases) {
    assert.equal(parseAmount(text), minor, text);
    assert.equal(formatAmount(minor), formatted, text);
  }
});

test('parseAmount refuses what it cannot hold exactly', () => {
  for (const bad of ['', 'abc', '1.23456', '1e5', '1,000', '.5', '12.'])
    assert.throws(() => parseAmount(bad), RangeError, bad);
});
