import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dueAfterPeriodChange, nextDueAt, nextLook, retryAt } from './schedule.ts';

const H = 3600_000;

describe('nextDueAt', () => {
  const cases: Array<[string, number, number, number, number]> = [
    // name, dueAt, period, now, expected
    ['on time: one period later', 10 * H, H, 10 * H, 11 * H],
    ['a little late: still the next slot on the grid', 10 * H, H, 10 * H + 5_000, 11 * H],
    ['finished exactly on the next slot: the one after', 10 * H, H, 11 * H, 12 * H],
    ['down for a day: once, then back on the grid', 10 * H, H, 34 * H + 1, 35 * H],
    [
      'run early (clock behind the due time): one period after the due time',
      10 * H,
      H,
      9 * H,
      11 * H,
    ],
    ['daily job', 0, 24 * H, 30 * H, 48 * H],
    ['a period of one millisecond', 0, 1, 0, 1],
  ];
  for (const [name, dueAt, period, now, expected] of cases)
    test(name, () => assert.equal(nextDueAt(dueAt, period, now), expected));

  test('a period of zero or less is refused', () => {
    assert.throws(() => nextDueAt(0, 0, 0), RangeError);
    assert.throws(() => nextDueAt(0, -1, 0), RangeError);
    assert.throws(() => nextDueAt(0, Number.NaN, 0), RangeError);
  });
});

describe('retryAt', () => {
  const cases: Array<[string, number, number, number, number, number]> = [
    // name, dueAt, period, now, retry, expected
    ['retry before the next slot', 10 * H, H, 10 * H, 60_000, 10 * H + 60_000],
    ['the next slot comes first', 10 * H, 30_000, 10 * H, 60_000, 10 * H + 30_000],
    ['late run: retry from now', 10 * H, 24 * H, 20 * H, 60_000, 20 * H + 60_000],
  ];
  for (const [name, dueAt, period, now, retry, expected] of cases)
    test(name, () => assert.equal(retryAt(dueAt, period, now, retry), expected));
});

describe('dueAfterPeriodChange', () => {
  test('a shorter period brings the due time forward', () =>
    assert.equal(dueAfterPeriodChange(10 * H, H, 5 * H), 6 * H));
  test('a longer period keeps the due time', () =>
    assert.equal(dueAfterPeriodChange(10 * H, 24 * H, 5 * H), 10 * H));
  test('an overdue job stays overdue', () =>
    assert.equal(dueAfterPeriodChange(2 * H, H, 5 * H), 2 * H));
});

describe('nextLook', () => {
  const cases: Array<[string, number, number | null, number, number, number]> = [
    // name, dueAt, leaseUntil, period, now, expected
    ['no lease: the due time', 10, null, 100, 5, 10],
    ["another node's live lease: its end", 10, 50, 100, 20, 50],
    ['a long lease on a short job: one period on, not every tick', 10, 5000, 30, 20, 50],
    ['an expired lease: the due time (take it over)', 10, 15, 100, 20, 10],
    ['a lease ending exactly now is expired', 10, 20, 100, 20, 10],
  ];
  for (const [name, dueAt, leaseUntil, period, now, expected] of cases)
    test(name, () => assert.equal(nextLook(dueAt, leaseUntil, period, now), expected));
});
