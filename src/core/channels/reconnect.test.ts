import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reconnectWait } from './reconnect.ts';

describe('reconnectWait', () => {
  const cases: Array<[number, number, number, number, number]> = [
    // backoff, max, random, delay, next
    [1000, 30_000, 0, 750, 2000],
    [1000, 30_000, 0.5, 1000, 2000],
    [1000, 30_000, 1, 1250, 2000],
    [20_000, 30_000, 0.5, 20_000, 30_000],
    [30_000, 30_000, 0, 22_500, 30_000],
  ];
  for (const [backoff, max, r, delay, next] of cases)
    test(`${backoff} ms (random ${r}) → wait ${delay}, then ${next}`, () =>
      assert.deepEqual(
        reconnectWait(backoff, max, () => r),
        {
          delayMs: delay,
          nextBackoffMs: next,
        },
      ));
});
