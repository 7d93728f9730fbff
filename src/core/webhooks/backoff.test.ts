import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY_POLICY, nextAttemptAt, retryDelayMs } from './backoff.ts';

test('retry delays: ×3 from 10 s, capped at 1 h, ±20 % jitter', () => {
  const p = DEFAULT_RETRY_POLICY;
  const exact = [10_000, 30_000, 90_000, 270_000, 810_000, 2_430_000, 3_600_000, 3_600_000];
  for (const [i, ms] of exact.entries()) {
    assert.equal(retryDelayMs(p, i + 1, 0.5), ms, `after ${i + 1} failures`);
    assert.equal(retryDelayMs(p, i + 1, 0), Math.round(ms * 0.8));
    const top = retryDelayMs(p, i + 1, 0.999999);
    assert.ok(top <= ms * 1.2 && top > ms * 1.19, String(top));
  }
  assert.equal(retryDelayMs(p, 0, 0.5), 10_000, 'never below the base');
  assert.equal(retryDelayMs(p, 500, 0.5), 3_600_000, 'no overflow for long runs');
});

test('dead once the next attempt would fall after 24 h from queueing', () => {
  const p = DEFAULT_RETRY_POLICY;
  const day = 24 * 3_600_000;
  assert.equal(
    nextAttemptAt(p, { failedAttempts: 1, queuedAt: 0, now: 1000, random: 0.5 }),
    11_000,
  );
  assert.equal(
    nextAttemptAt(p, { failedAttempts: 20, queuedAt: 0, now: day - 3_600_000, random: 0.5 }),
    day,
    'exactly at the deadline is still tried',
  );
  assert.equal(
    nextAttemptAt(p, { failedAttempts: 20, queuedAt: 0, now: day - 3_600_000 + 1, random: 0.5 }),
    null,
  );
  // The whole schedule for a receiver that is down all day: ~30 attempts, then dead.
  let now = 0;
  let attempts = 1;
  for (;;) {
    const next = nextAttemptAt(p, { failedAttempts: attempts, queuedAt: 0, now, random: 0.5 });
    if (next === null) break;
    now = next;
    attempts++;
  }
  assert.ok(attempts >= 25 && attempts <= 35, String(attempts));
  assert.ok(now <= day && now > day - 3_600_000);
});
