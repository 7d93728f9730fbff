import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkFrequency,
  DEFAULT_CAPS,
  frequencyError,
  type FrequencyCaps,
  type FrequencyResult,
} from './frequency.ts';
import { DomainError } from '../errors.ts';

const NOW = 1_800_000_000_000;
const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** A send `ago` ms before NOW with hash `h` (default: a hash unlike the one being checked). */
const sent = (ago: number, h = 'other'): { at: number; textHash: string } => ({
  at: NOW - ago,
  textHash: h,
});
const no = (
  rule: Extract<FrequencyResult, { ok: false }>['rule'],
  limit: number,
  retryAfterSeconds: number,
): FrequencyResult => ({ ok: false, rule, limit, retryAfterSeconds });
const OK: FrequencyResult = { ok: true };

describe('defaults', () => {
  test('the documented caps', () =>
    assert.deepEqual(DEFAULT_CAPS, {
      verification: { perMinute: 1, perHour: 5, perDay: 10, sameTextMinutes: 10 },
      notification: { perMinute: 5, perHour: 50, perDay: 100, sameTextMinutes: 10 },
      marketing: { perMinute: 1, perHour: 2, perDay: 3, sameTextMinutes: 1440 },
    }));
});

describe('verification caps (1/min, 5/h, 10/day, same text 10 min)', () => {
  const caps = DEFAULT_CAPS.verification;
  const cases: Array<[string, Array<{ at: number; textHash: string }>, FrequencyResult]> = [
    ['no history', [], OK],
    ['one send 30 s ago', [sent(30 * S)], no('per_minute', 1, 30)],
    ['one send 59.999 s ago: rounds up to 1 s', [sent(60 * S - 1)], no('per_minute', 1, 1)],
    ['one send exactly 60 s ago: out of the minute', [sent(60 * S)], OK],
    ['one send 0.2 s ago: 59.8 s rounds up to 60', [sent(200)], no('per_minute', 1, 60)],
    [
      'a send in the future counts as now',
      [{ at: NOW + 5 * S, textHash: 'other' }],
      no('per_minute', 1, 60),
    ],
    ['same text 9 min 59 s ago', [sent(599 * S, 'x')], no('same_text', 10, 1)],
    ['same text exactly 10 min ago', [sent(10 * M, 'x')], OK],
    ['other text 5 min ago', [sent(5 * M)], OK],
    [
      '5 sends in the hour: wait for the oldest of them to leave it',
      [sent(1 * M), sent(2 * M), sent(3 * M), sent(4 * M), sent(5 * M)],
      no('per_hour', 5, 55 * 60),
    ],
    [
      '4 in the hour, 1 just outside: fine',
      [sent(1 * M), sent(2 * M), sent(3 * M), sent(4 * M), sent(60 * M)],
      OK,
    ],
    [
      'order of the history does not matter',
      [sent(3 * M), sent(5 * M), sent(1 * M), sent(4 * M), sent(2 * M)],
      no('per_hour', 5, 55 * 60),
    ],
    [
      '10 sends in the day (2 h..11 h ago)',
      Array.from({ length: 10 }, (_, i) => sent((i + 2) * H)),
      no('per_day', 10, 13 * 3600),
    ],
    [
      '9 in the day, the 10th exactly 24 h ago: fine',
      [...Array.from({ length: 9 }, (_, i) => sent((i + 2) * H)), sent(24 * H)],
      OK,
    ],
    [
      '11 in the day: the 10th newest decides',
      Array.from({ length: 11 }, (_, i) => sent((i + 2) * H)),
      no('per_day', 10, 13 * 3600),
    ],
    [
      'several rules broken: the one clearing last is reported',
      [sent(30 * S, 'x'), ...Array.from({ length: 9 }, (_, i) => sent((i + 2) * H))],
      no('per_day', 10, 14 * 3600),
    ],
    [
      'minute and same text: same text clears later',
      [sent(30 * S, 'x')],
      no('same_text', 10, 9 * 60 + 30),
    ],
  ];
  for (const [name, history, expected] of cases)
    test(name, () => assert.deepEqual(checkFrequency(history, NOW, 'x', caps), expected));
});

describe('notification caps (5/min, 50/h, 100/day)', () => {
  const caps = DEFAULT_CAPS.notification;
  const cases: Array<[string, Array<{ at: number; textHash: string }>, FrequencyResult]> = [
    ['4 in the minute', [10, 20, 30, 40].map((s) => sent(s * S)), OK],
    ['5 in the minute', [10, 20, 30, 40, 50].map((s) => sent(s * S)), no('per_minute', 5, 10)],
    [
      '50 in the hour',
      Array.from({ length: 50 }, (_, i) => sent((i + 1) * M)),
      no('per_hour', 50, 10 * 60),
    ],
    ['49 in the hour', Array.from({ length: 49 }, (_, i) => sent((i + 1) * M)), OK],
    [
      '100 in the day',
      Array.from({ length: 100 }, (_, i) => sent(2 * H + i * 10 * M)),
      no('per_day', 100, (22 * 60 - 990) * 60),
    ],
  ];
  for (const [name, history, expected] of cases)
    test(name, () => assert.deepEqual(checkFrequency(history, NOW, 'x', caps), expected));
});

describe('marketing caps (1/min, 2/h, 3/day, same text 1 day)', () => {
  const caps = DEFAULT_CAPS.marketing;
  const cases: Array<[string, Array<{ at: number; textHash: string }>, FrequencyResult]> = [
    ['2 today', [sent(2 * H), sent(5 * H)], OK],
    ['3 today', [sent(2 * H), sent(5 * H), sent(8 * H)], no('per_day', 3, 16 * 3600)],
    ['2 in the hour', [sent(10 * M), sent(50 * M)], no('per_hour', 2, 10 * 60)],
    ['same campaign 23 h 59 min ago', [sent(24 * H - M, 'x')], no('same_text', 1440, 60)],
    ['same campaign 24 h ago', [sent(24 * H, 'x')], OK],
  ];
  for (const [name, history, expected] of cases)
    test(name, () => assert.deepEqual(checkFrequency(history, NOW, 'x', caps), expected));
});

describe('custom caps', () => {
  test('a tie is reported in the order day, hour, minute, same text', () => {
    const caps: FrequencyCaps = { perMinute: 1, perHour: 100, perDay: 100, sameTextMinutes: 1 };
    assert.deepEqual(checkFrequency([sent(30 * S, 'x')], NOW, 'x', caps), no('per_minute', 1, 30));
  });
  test('Infinity disables a count, 0 disables same text', () => {
    const caps: FrequencyCaps = {
      perMinute: Infinity,
      perHour: Infinity,
      perDay: Infinity,
      sameTextMinutes: 0,
    };
    const history = Array.from({ length: 1000 }, (_, i) => sent(i * S, 'x'));
    assert.deepEqual(checkFrequency(history, NOW, 'x', caps), OK);
  });
  test('after retryAfterSeconds every rule is satisfied', () => {
    const caps = DEFAULT_CAPS.verification;
    const history = [sent(30 * S), sent(20 * M), sent(40 * M), sent(50 * M), sent(55 * M)];
    const first = checkFrequency(history, NOW, 'x', caps);
    assert.deepEqual(first, no('per_hour', 5, 5 * 60));
    assert.ok(!first.ok);
    const later = NOW + first.retryAfterSeconds * S;
    assert.deepEqual(checkFrequency(history, later, 'x', caps), OK);
    assert.deepEqual(checkFrequency(history, later - 1, 'x', caps), no('per_hour', 5, 1));
  });

  const bad: Array<[string, Partial<FrequencyCaps>]> = [
    ['perMinute 0', { perMinute: 0 }],
    ['perHour 1.5', { perHour: 1.5 }],
    ['perDay -1', { perDay: -1 }],
    ['perMinute NaN', { perMinute: NaN }],
    ['sameTextMinutes -1', { sameTextMinutes: -1 }],
    ['sameTextMinutes 0.5', { sameTextMinutes: 0.5 }],
    ['sameTextMinutes Infinity', { sameTextMinutes: Infinity }],
  ];
  for (const [name, change] of bad)
    test(`RangeError: ${name}`, () =>
      assert.throws(
        () => checkFrequency([], NOW, 'x', { ...DEFAULT_CAPS.verification, ...change }),
        RangeError,
      ));
});

describe('frequencyError', () => {
  test('a count rule', () => {
    const err = frequencyError({ ok: false, rule: 'per_hour', limit: 5, retryAfterSeconds: 300 });
    assert.ok(err instanceof DomainError);
    assert.equal(err.code, 'frequency_limited');
    assert.equal(err.message, 'at most 5 messages per hour to this number; retry in 300 s');
    assert.deepEqual(err.details, { rule: 'per_hour', limit: 5, retryAfterSeconds: 300 });
  });
  test('the same-text rule', () => {
    const err = frequencyError({ ok: false, rule: 'same_text', limit: 10, retryAfterSeconds: 61 });
    assert.equal(
      err.message,
      'the same text was sent to this number in the last 10 minutes; retry in 61 s',
    );
  });
});
