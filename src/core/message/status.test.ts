import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canMove, isFinal, messageOutcome } from './status.ts';

test('messageOutcome: delivered only when every part is', () => {
  const cases: Array<[string[], string | null]> = [
    [['delivered'], 'delivered'],
    [['delivered', 'delivered', 'delivered'], 'delivered'],
    [['delivered', 'undelivered'], 'undelivered'],
    [['expired', 'undelivered'], 'expired'],
    [['delivered', 'submitted'], null],
    [['queued'], null],
    [['failed', 'delivered'], 'failed'],
    [['rejected'], 'rejected'],
    [['unknown', 'delivered'], 'unknown'],
  ];
  for (const [parts, want] of cases) assert.equal(messageOutcome(parts), want, parts.join(','));
});

test('final statuses never move', () => {
  for (const s of [
    'delivered',
    'undelivered',
    'expired',
    'rejected',
    'failed',
    'unknown',
  ] as const) {
    assert.ok(isFinal(s));
    assert.equal(canMove(s, 'queued'), false);
    assert.equal(canMove(s, 'delivered'), false);
  }
  assert.ok(canMove('queued', 'submitted'));
  assert.ok(canMove('held', 'queued'));
  assert.ok(canMove('held', 'failed'));
  assert.equal(canMove('held', 'submitted'), false);
  assert.equal(isFinal('held'), false);
  assert.ok(canMove('submitted', 'delivered'));
  assert.equal(canMove('submitted', 'queued'), false);
  assert.equal(isFinal('submitted'), false);
});
