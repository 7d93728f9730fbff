import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Reassembly } from './reassembly.ts';
import { BindGuard } from './bind-guard.ts';

const opts = { ttlMs: 300_000, maxPerScope: 2, maxBytes: 1000 };
let ids = 0;
const part = (key: string, seq: number, text: string, more: Record<string, unknown> = {}) => ({
  key,
  scope: 'acct',
  total: 3,
  seq,
  dataCoding: 0,
  bytes: Buffer.from(text),
  meta: { seq },
  newId: () => `msg_${++ids}`,
  ...more,
});

describe('Reassembly', () => {
  test('parts in any order become one text; every part gets the first part’s id', () => {
    const r = new Reassembly<{ seq: number }>(opts);
    const a = r.add(part('k', 3, 'ccc'), 0);
    const b = r.add(part('k', 1, 'aaa'), 1);
    const c = r.add(part('k', 2, 'bbb'), 2);
    assert.equal(a.kind, 'held');
    assert.equal(b.kind, 'held');
    assert.equal(c.kind, 'complete');
    if (a.kind !== 'held' || c.kind !== 'complete') return;
    assert.equal(c.bytes.toString(), 'aaabbbccc');
    assert.equal(c.held.messageId, a.held.messageId);
    assert.equal(r.size, 0);
    assert.equal(r.bytes, 0);
  });

  test('a part sent twice replaces the first', () => {
    const r = new Reassembly<{ seq: number }>(opts);
    r.add(part('k', 1, 'xx'), 0);
    r.add(part('k', 1, 'aaa'), 0);
    assert.equal(r.bytes, 3);
    r.add(part('k', 2, 'b'), 0);
    const done = r.add(part('k', 3, 'c'), 0);
    assert.equal(done.kind === 'complete' && done.bytes.toString(), 'aaabc');
  });

  test('mixed data_coding is refused', () => {
    const r = new Reassembly<{ seq: number }>(opts);
    r.add(part('k', 1, 'a'), 0);
    assert.equal(r.add(part('k', 2, 'b', { dataCoding: 8 }), 0).kind, 'mixed_coding');
  });

  test('bounded: messages per account and bytes overall', () => {
    const r = new Reassembly<{ seq: number }>(opts);
    assert.equal(r.add(part('k1', 1, 'a'), 0).kind, 'held');
    assert.equal(r.add(part('k2', 1, 'a'), 0).kind, 'held');
    assert.equal(r.add(part('k3', 1, 'a'), 0).kind, 'full', 'a third message of the account');
    assert.equal(r.add(part('k4', 1, 'a', { scope: 'other' }), 0).kind, 'held');
    assert.equal(r.add(part('k1', 2, 'x'.repeat(1000)), 0).kind, 'full', 'over maxBytes');
    assert.equal(r.add(part('k1', 2, 'b'), 0).kind, 'held', 'the message is still there');
  });

  test('incomplete messages expire after the TTL and free their room', () => {
    const r = new Reassembly<{ seq: number }>(opts);
    r.add(part('k1', 1, 'a'), 0);
    r.add(part('k2', 1, 'a'), 100_000);
    assert.deepEqual(r.expire(299_999), []);
    const gone = r.expire(300_000);
    assert.deepEqual(
      gone.map((h) => h.key),
      ['k1'],
    );
    assert.equal(r.size, 1);
    assert.equal(r.add(part('k3', 1, 'a'), 300_000).kind, 'held');
  });

  test('keys separate accounts, senders, recipients, references and totals', () => {
    const keys = new Set([
      Reassembly.key('a', 's', 'd', 1, 8, 3),
      Reassembly.key('b', 's', 'd', 1, 8, 3),
      Reassembly.key('a', 't', 'd', 1, 8, 3),
      Reassembly.key('a', 's', 'e', 1, 8, 3),
      Reassembly.key('a', 's', 'd', 2, 8, 3),
      Reassembly.key('a', 's', 'd', 1, 16, 3),
      Reassembly.key('a', 's', 'd', 1, 8, 4),
    ]);
    assert.equal(keys.size, 7);
  });
});

describe('BindGuard', () => {
  const g = () =>
    new BindGuard({ maxPerSystemId: 3, maxPerAddress: 5, windowMs: 1000, lockMs: 10_000 });

  test('locks a system_id after repeated failures, for lockMs', () => {
    const guard = g();
    assert.equal(guard.lockedUntil('acme', '10.0.0.1', 0), null);
    guard.fail('acme', '10.0.0.1', 0);
    guard.fail('acme', '10.0.0.2', 1);
    assert.equal(guard.lockedUntil('acme', '10.0.0.3', 2), null);
    guard.fail('acme', '10.0.0.3', 2);
    assert.equal(guard.lockedUntil('acme', '10.0.0.9', 3), 10_002);
    assert.equal(guard.lockedUntil('other', '10.0.0.9', 3), null, 'others are not locked');
    assert.equal(guard.lockedUntil('acme', '10.0.0.9', 10_002), null, 'the lock ends');
  });

  test('failures outside the window start a new count; a success clears it', () => {
    const guard = g();
    guard.fail('acme', 'a', 0);
    guard.fail('acme', 'a', 10);
    guard.fail('acme', 'a', 2000);
    assert.equal(guard.lockedUntil('acme', 'b', 2001), null);
    guard.fail('acme', 'a', 2002);
    guard.succeed('acme');
    guard.fail('acme', 'a', 2003);
    assert.equal(guard.lockedUntil('acme', 'b', 2004), null);
  });

  test('an address guessing many system_ids is locked', () => {
    const guard = g();
    for (let i = 0; i < 5; i++) guard.fail(`id${i}`, '192.0.2.7', i);
    assert.equal(guard.lockedUntil('fresh', '192.0.2.7', 10), 10_004);
    assert.equal(guard.lockedUntil('fresh', '192.0.2.8', 10), null);
  });

  test('bounded memory: the oldest keys are forgotten', () => {
    const guard = new BindGuard({
      maxPerSystemId: 1,
      maxPerAddress: 100,
      windowMs: 1000,
      lockMs: 1000,
      maxKeys: 4,
    });
    guard.fail('first', 'x', 0);
    assert.notEqual(guard.lockedUntil('first', 'y', 1), null);
    for (let i = 0; i < 4; i++) guard.fail(`n${i}`, 'x', 1);
    assert.equal(guard.lockedUntil('first', 'y', 2), null);
  });
});
