import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendRate } from './send-rate.ts';

test('the bucket holds at most the burst and refills at the throughput', () => {
  const r = new SendRate(100, 5, 0);
  let taken = 0;
  while (r.take(0)) taken++;
  assert.equal(taken, 5);
  assert.equal(r.waitMs(), 10);
  assert.equal(r.take(10), true, 'one token after 10 ms at 100/s');
  assert.equal(r.take(10), false);
});

test('throttling halves the rate once per burst of answers; quiet seconds give it back', () => {
  const r = new SendRate(1000, 10, 0);
  assert.equal(r.throttled(0), true);
  assert.equal(r.throttled(50), false, 'the same burst halves once');
  assert.equal(r.rate, 500);
  r.recover(500);
  assert.equal(r.rate, 500, 'not within a second of the last throttle');
  r.recover(1100);
  assert.equal(r.rate, 550);
  for (let t = 2000; t < 20_000; t += 1000) r.recover(t);
  assert.equal(r.rate, 1000, 'never above the configured throughput');
});
