import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advanceHorizon, type Gap } from './horizon.ts';

const WAIT = 1000;

test('the horizon moves over contiguous ids and stops at a hole until it is old', () => {
  const cases: Array<{
    name: string;
    from: number;
    steps: Array<{ ids: number[]; now: number; expect: number }>;
  }> = [
    { name: 'nothing new', from: 5, steps: [{ ids: [], now: 0, expect: 5 }] },
    { name: 'contiguous', from: 5, steps: [{ ids: [6, 7, 8], now: 0, expect: 8 }] },
    {
      name: 'ids at or below are ignored',
      from: 5,
      steps: [{ ids: [4, 5, 6], now: 0, expect: 6 }],
    },
    {
      name: 'a hole waits, then fills',
      from: 10,
      steps: [
        { ids: [11, 13, 14], now: 0, expect: 11 },
        { ids: [13, 14], now: 500, expect: 11 },
        { ids: [12, 13, 14], now: 600, expect: 14 },
      ],
    },
    {
      name: 'a hole that never fills (a rollback) is passed after the wait',
      from: 10,
      steps: [
        { ids: [12], now: 0, expect: 10 },
        { ids: [12], now: 999, expect: 10 },
        { ids: [12, 13], now: 1000, expect: 13 },
      ],
    },
    {
      name: 'a hole half filled keeps the time it was first seen',
      from: 0,
      steps: [
        { ids: [4], now: 0, expect: 0 },
        { ids: [2, 4], now: 600, expect: 0 },
        { ids: [2, 4], now: 1000, expect: 4 },
      ],
    },
    {
      name: 'a second hole is timed from when it was seen, not when the first filled',
      from: 0,
      steps: [
        { ids: [2, 4], now: 0, expect: 0 },
        { ids: [1, 2, 4], now: 1200, expect: 4 },
      ],
    },
    {
      name: 'a big transaction in flight (ids 2-9999) holds everything behind it',
      from: 1,
      steps: [
        { ids: [10_000, 10_001], now: 0, expect: 1 },
        {
          ids: [...Array.from({ length: 9998 }, (_, i) => i + 2), 10_000, 10_001],
          now: 100,
          expect: 10_001,
        },
      ],
    },
  ];
  for (const c of cases) {
    const gaps: Gap[] = [];
    let h = c.from;
    for (const [i, s] of c.steps.entries()) {
      h = advanceHorizon(h, s.ids, gaps, s.now, WAIT);
      assert.equal(h, s.expect, `${c.name}, step ${i + 1}`);
      assert.ok(
        gaps.every((g) => g.from > h),
        `${c.name}: no hole below the horizon is kept`,
      );
    }
  }
});
