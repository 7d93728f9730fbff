import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SENDING_WINDOW, sendingWindow } from './sending-window.ts';

/** The instant the wall clock at `offset` minutes from UTC reads day 2026-03-<d> h:m:s. */
function local(offset: number, d: number, h: number, m: number, s = 0, ms = 0): number {
  return Date.UTC(2026, 2, d, h, m, s, ms) - offset * 60_000;
}

describe('default window 08:00-21:00 in China (UTC+8)', () => {
  const cn = { utcOffsetMinutes: 480 };
  const cases: Array<[string, number, boolean, number]> = [
    ['00:00 midnight', local(480, 10, 0, 0), false, local(480, 10, 8, 0)],
    ['07:59', local(480, 10, 7, 59), false, local(480, 10, 8, 0)],
    ['07:59:59.999', local(480, 10, 7, 59, 59, 999), false, local(480, 10, 8, 0)],
    ['08:00', local(480, 10, 8, 0), true, local(480, 10, 8, 0)],
    ['12:34:56', local(480, 10, 12, 34, 56), true, local(480, 10, 12, 34, 56)],
    ['20:59', local(480, 10, 20, 59), true, local(480, 10, 20, 59)],
    ['20:59:59.999', local(480, 10, 20, 59, 59, 999), true, local(480, 10, 20, 59, 59, 999)],
    ['21:00', local(480, 10, 21, 0), false, local(480, 11, 8, 0)],
    ['23:59:59.999', local(480, 10, 23, 59, 59, 999), false, local(480, 11, 8, 0)],
    [
      '21:00 on the last day of the month',
      local(480, 31, 21, 0),
      false,
      Date.UTC(2026, 3, 1, 0, 0),
    ],
  ];
  for (const [name, now, open, opensAt] of cases)
    test(name, () => assert.deepEqual(sendingWindow(now, cn), { open, opensAt }));

  test('the exact instants: 07:59 Beijing is 23:59 UTC the day before, opens 00:00 UTC', () => {
    const now = Date.UTC(2026, 2, 9, 23, 59);
    assert.deepEqual(sendingWindow(now, cn), { open: false, opensAt: Date.UTC(2026, 2, 10, 0, 0) });
  });

  test('the defaults are 480 and 1260', () =>
    assert.deepEqual(DEFAULT_SENDING_WINDOW, { startMinute: 480, endMinute: 1260 }));

  test('explicit defaults give the same answer', () => {
    const now = local(480, 10, 21, 0);
    assert.deepEqual(
      sendingWindow(now, { utcOffsetMinutes: 480, startMinute: 480, endMinute: 1260 }),
      sendingWindow(now, cn),
    );
  });
});

describe('other offsets', () => {
  const cases: Array<[string, number, number, boolean, number]> = [
    ['UTC 08:00', 0, Date.UTC(2026, 2, 10, 8, 0), true, Date.UTC(2026, 2, 10, 8, 0)],
    ['UTC 07:59', 0, Date.UTC(2026, 2, 10, 7, 59), false, Date.UTC(2026, 2, 10, 8, 0)],
    ['UTC 21:00', 0, Date.UTC(2026, 2, 10, 21, 0), false, Date.UTC(2026, 2, 11, 8, 0)],
    // UTC-5: 02:00 UTC on the 10th is 21:00 local on the 9th; opens 08:00 local on the 10th.
    ['UTC-5 21:00', -300, Date.UTC(2026, 2, 10, 2, 0), false, Date.UTC(2026, 2, 10, 13, 0)],
    ['UTC-5 20:59', -300, Date.UTC(2026, 2, 10, 1, 59), true, Date.UTC(2026, 2, 10, 1, 59)],
    ['UTC+5:45 07:59', 345, local(345, 10, 7, 59), false, local(345, 10, 8, 0)],
    ['UTC+14 midnight', 840, local(840, 10, 0, 0), false, local(840, 10, 8, 0)],
    ['UTC-12 21:30', -720, local(-720, 10, 21, 30), false, local(-720, 11, 8, 0)],
    [
      'before 1970 (negative now)',
      480,
      local(480, 10, 7, 0) - 60 * 365 * 86_400_000,
      false,
      local(480, 10, 8, 0) - 60 * 365 * 86_400_000,
    ],
  ];
  for (const [name, offset, now, open, opensAt] of cases)
    test(name, () =>
      assert.deepEqual(sendingWindow(now, { utcOffsetMinutes: offset }), { open, opensAt }),
    );
});

describe('custom windows', () => {
  const cases: Array<[string, number, number, number, boolean, number]> = [
    ['09:00-18:00 at 18:00', 540, 1080, local(480, 10, 18, 0), false, local(480, 11, 9, 0)],
    ['09:00-18:00 at 08:59', 540, 1080, local(480, 10, 8, 59), false, local(480, 10, 9, 0)],
    ['00:00-24:00 at midnight', 0, 1440, local(480, 10, 0, 0), true, local(480, 10, 0, 0)],
    ['00:00-24:00 at 23:59', 0, 1440, local(480, 10, 23, 59), true, local(480, 10, 23, 59)],
    // Over midnight: 22:00-06:00.
    ['22:00-06:00 at 23:00', 1320, 360, local(480, 10, 23, 0), true, local(480, 10, 23, 0)],
    ['22:00-06:00 at 00:00', 1320, 360, local(480, 10, 0, 0), true, local(480, 10, 0, 0)],
    ['22:00-06:00 at 05:59', 1320, 360, local(480, 10, 5, 59), true, local(480, 10, 5, 59)],
    ['22:00-06:00 at 06:00', 1320, 360, local(480, 10, 6, 0), false, local(480, 10, 22, 0)],
    ['22:00-06:00 at 21:59', 1320, 360, local(480, 10, 21, 59), false, local(480, 10, 22, 0)],
    ['22:00-06:00 at 22:00', 1320, 360, local(480, 10, 22, 0), true, local(480, 10, 22, 0)],
  ];
  for (const [name, startMinute, endMinute, now, open, opensAt] of cases)
    test(name, () =>
      assert.deepEqual(sendingWindow(now, { utcOffsetMinutes: 480, startMinute, endMinute }), {
        open,
        opensAt,
      }),
    );
});

describe('bad options are a RangeError', () => {
  const now = Date.UTC(2026, 2, 10);
  const cases: Array<[string, number, Parameters<typeof sendingWindow>[1]]> = [
    ['offset not an integer', now, { utcOffsetMinutes: 480.5 }],
    ['offset beyond +14:00', now, { utcOffsetMinutes: 841 }],
    ['offset beyond -12:00', now, { utcOffsetMinutes: -721 }],
    ['start 1440', now, { utcOffsetMinutes: 0, startMinute: 1440 }],
    ['negative start', now, { utcOffsetMinutes: 0, startMinute: -1 }],
    ['end 1441', now, { utcOffsetMinutes: 0, endMinute: 1441 }],
    ['start equals end', now, { utcOffsetMinutes: 0, startMinute: 600, endMinute: 600 }],
    ['now NaN', NaN, { utcOffsetMinutes: 0 }],
  ];
  for (const [name, t, opts] of cases)
    test(name, () => assert.throws(() => sendingWindow(t, opts), RangeError));
});
