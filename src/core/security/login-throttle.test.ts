import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  beginAttempt,
  DEFAULT_THROTTLE_POLICY,
  MemoryThrottleCounters,
  type Attempt,
  type Refusal,
  type ThrottlePolicy,
} from './login-throttle.ts';
import { addressKey } from './access.ts';

const policy: ThrottlePolicy = {
  ...DEFAULT_THROTTLE_POLICY,
  perPair: 3,
  perAddress: 5,
  perName: 4,
  windowMs: 1000,
  lockMs: 10_000,
  nameWindowMs: 100_000,
  nameDelayMs: 100,
  nameDelayMaxMs: 400,
  knownMs: 1_000_000,
};

function setup(p = policy) {
  const counters = new MemoryThrottleCounters();
  const begin = (name: string, address: string, now: number) =>
    beginAttempt(counters, p, name, address, now);
  const failOnce = async (name: string, address: string, now: number) => {
    const a = await begin(name, address, now);
    if (a.ok) a.fail();
    return a;
  };
  return { counters, begin, failOnce };
}

const refused = (a: Attempt | Refusal): Refusal => {
  assert.equal(a.ok, false, 'expected a refusal');
  return a as Refusal;
};

test('a name is locked from the address that failed, not from another', async () => {
  const { begin, failOnce } = setup();
  for (let i = 0; i < 3; i++) assert.ok((await failOnce('acme', '10.0.0.1', i)).ok);
  const r = refused(await begin('acme', '10.0.0.1', 3));
  assert.deepEqual(
    [r.reason, r.counter, r.until, r.retryAfterSeconds],
    ['locked', 'pair', 10_002, 10],
  );
  assert.ok((await begin('acme', '10.0.0.2', 4)).ok, 'the same name from elsewhere is checked');
  assert.ok((await begin('other', '10.0.0.1', 5)).ok, 'another name from the address is checked');
  assert.ok((await begin('acme', '10.0.0.1', 10_002)).ok, 'the lock ends');
});

test('counted before the check: concurrent tries never pass the limit', async () => {
  const { begin } = setup();
  // Thirty tries started together, none settled yet.
  const all = await Promise.all(Array.from({ length: 30 }, () => begin('acme', '10.0.0.1', 0)));
  assert.equal(all.filter((a) => a.ok).length, 3);
  assert.ok(all.filter((a) => !a.ok).every((a) => (a as Refusal).reason === 'locked'));
});

test('a success clears the pair and gives back its slots; the address becomes known', async () => {
  const { begin, failOnce } = setup();
  await failOnce('acme', 'a', 0);
  await failOnce('acme', 'a', 1);
  const ok = await begin('acme', 'a', 2);
  assert.ok(ok.ok);
  await ok.succeed(2);
  for (let i = 0; i < 2; i++) await failOnce('acme', 'a', 3 + i);
  assert.ok((await begin('acme', 'a', 6)).ok, 'the count started again after the success');
});

test('abandon gives every slot back (a missing second factor is not a failure)', async () => {
  const { begin } = setup();
  for (let i = 0; i < 10; i++) {
    const a = await begin('acme', 'a', i);
    assert.ok(a.ok, `try ${i}`);
    await a.abandon(i);
  }
});

test('failures outside the window start a new count', async () => {
  const { begin, failOnce } = setup({ ...policy, perName: 100 });
  await failOnce('acme', 'a', 0);
  await failOnce('acme', 'a', 10);
  await failOnce('acme', 'a', 2000);
  await failOnce('acme', 'a', 2001);
  assert.ok((await begin('acme', 'a', 2002)).ok);
});

test('an address spraying many names is throttled, except for names known there', async () => {
  const { begin, failOnce } = setup();
  const known = await begin('neighbour', '192.0.2.7', 0);
  assert.ok(known.ok);
  await known.succeed(0);
  for (let i = 0; i < 5; i++) assert.ok((await failOnce(`id${i}`, '192.0.2.7', i + 1)).ok);
  const r = refused(await begin('fresh', '192.0.2.7', 10));
  assert.deepEqual([r.reason, r.counter, r.until], ['throttled', 'address', 10_005]);
  assert.ok((await begin('fresh', '192.0.2.8', 10)).ok, 'another address is not throttled');
  assert.ok((await begin('neighbour', '192.0.2.7', 11)).ok, 'a name known at the address is not');
  // A throttled try counted nothing on the pair: after the throttle, the name has a full budget.
  for (let i = 0; i < 3; i++) assert.ok((await failOnce('fresh', '192.0.2.9', 20_000 + i)).ok);
});

test('a name failing from many addresses is slowed with a growing delay, never locked', async () => {
  const { begin, failOnce } = setup();
  for (let i = 0; i < 3; i++) await failOnce('acme', `10.0.1.${i}`, i);
  // The 4th failure reaches perName: the next try waits 100 ms.
  await failOnce('acme', '10.0.1.3', 3);
  let r = refused(await begin('acme', '10.0.1.4', 4));
  assert.deepEqual([r.reason, r.counter, r.until], ['throttled', 'name', 103]);
  await failOnce('acme', '10.0.1.5', 103);
  r = refused(await begin('acme', '10.0.1.6', 104));
  assert.equal(r.until, 303, 'doubled');
  await failOnce('acme', '10.0.1.7', 303);
  await failOnce('acme', '10.0.1.8', 703);
  r = refused(await begin('acme', '10.0.1.9', 704));
  assert.equal(r.until, 1103, 'capped at nameDelayMaxMs');
});

test('the real user on a known address is not slowed by failures elsewhere', async () => {
  const { begin, failOnce } = setup();
  const first = await begin('acme', 'home', 0);
  assert.ok(first.ok);
  await first.succeed(0);
  for (let i = 0; i < 6; i++) await failOnce('acme', `bot${i}`, 1 + i * 1000);
  assert.equal((await begin('acme', 'bot9', 5002)).ok, false, 'a new address waits');
  assert.ok((await begin('acme', 'home', 5002)).ok, 'home does not');
});

test('forgetName (an operator unlock) clears the name everywhere', async () => {
  const { begin, failOnce, counters } = setup();
  for (let i = 0; i < 3; i++) await failOnce('acme', 'a', i);
  for (let i = 0; i < 3; i++) await failOnce('x|acme', 'b', i);
  assert.equal((await begin('acme', 'a', 5)).ok, false);
  await counters.forgetName('acme');
  assert.ok((await begin('acme', 'a', 6)).ok);
  assert.equal((await begin('x|acme', 'b', 6)).ok, false, 'only that name');
});

test('bounded memory: the oldest keys are forgotten', async () => {
  const counters = new MemoryThrottleCounters(4);
  const p = { ...policy, perPair: 1 };
  const a = await beginAttempt(counters, p, 'first', 'x', 0);
  assert.ok(a.ok);
  a.fail();
  assert.equal((await beginAttempt(counters, p, 'first', 'x', 1)).ok, false);
  for (let i = 0; i < 4; i++) await beginAttempt(counters, p, `n${i}`, 'y', 1);
  assert.ok((await beginAttempt(counters, p, 'first', 'x', 2)).ok);
});

test('addressKey: IPv4 as is, IPv4-mapped unwrapped, IPv6 by its /64', () => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['0:0:0:0:0:ffff:c000:0207', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002::', '2001:db8:1:2::/64'],
    ['[2001:db8:a:b::9]', '2001:db8:a:b::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['unknown', 'unknown'],
    ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9'],
  ];
  for (const [ip, key] of cases) assert.equal(addressKey(ip), key, ip);
});
