import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Reassembly } from './reassembly.ts';

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
