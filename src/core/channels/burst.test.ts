import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BurstBreaker } from './burst.ts';

const policy = { errors: 3, windowMs: 1000, cooldownMs: 5000 };

test('three errors within the window trip the breaker for the cool-down', () => {
  const b = new BurstBreaker(policy);
  assert.equal(b.error(0), false);
  assert.equal(b.error(100), false);
  assert.equal(b.error(200), true);
  assert.equal(b.isOpen(200), true);
  assert.equal(b.isOpen(5199), true);
  assert.equal(b.isOpen(5200), false);
  assert.equal(b.until(), 5200);
});

test('errors spread wider than the window do not trip it', () => {
  const b = new BurstBreaker(policy);
  for (const t of [0, 600, 1200, 1800, 2400]) assert.equal(b.error(t), false);
  assert.equal(b.isOpen(2400), false);
});

test('a success in between resets the run', () => {
  const b = new BurstBreaker(policy);
  b.error(0);
  b.error(10);
  b.success();
  assert.equal(b.error(20), false);
  assert.equal(b.isOpen(20), false);
});

test('after the cool-down the count starts again and a new burst trips it again', () => {
  const b = new BurstBreaker(policy);
  b.error(0);
  b.error(1);
  b.error(2);
  assert.equal(b.error(3), false, 'errors while open are not counted');
  assert.equal(b.isOpen(6000), false);
  assert.equal(b.error(6000), false);
  assert.equal(b.error(6001), false);
  assert.equal(b.error(6002), true);
});

test('errors: 0 turns the breaker off', () => {
  const b = new BurstBreaker({ ...policy, errors: 0 });
  for (let t = 0; t < 100; t++) assert.equal(b.error(t), false);
  assert.equal(b.isOpen(100), false);
});
