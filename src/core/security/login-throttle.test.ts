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

test('a name failing from many addresses slows the addresses that failed for it, never locks', async () => {
  const { begin, failOnce } = setup();
  // Two failures each from two addresses: the 4th failure reaches perName.
  for (let i = 0; i < 4; i++) assert.ok((await failOnce('acme', `10.0.1.${i % 2}`, i)).ok);
  // An address that has failed for the name waits 100 ms after the 4th failure.
  let r = refused(await begin('acme', '10.0.1.0', 4));
  assert.deepEqual([r.reason, r.counter, r.until], ['throttled', 'name', 103]);
  assert.ok((await failOnce('acme', '10.0.1.2', 103)).ok);
  r = refused(await begin('acme', '10.0.1.2', 104));
  assert.equal(r.until, 303, 'doubled');
  assert.ok((await failOnce('acme', '10.0.1.2', 303)).ok);
  assert.ok((await failOnce('acme', '10.0.1.3', 703)).ok);
  r = refused(await begin('acme', '10.0.1.3', 704));
  assert.equal(r.until, 1103, 'capped at nameDelayMaxMs');
  // An address with no failures of its own for the name is checked at once, delay or not.
  assert.ok((await begin('acme', '10.0.1.9', 704)).ok);
});

test('a stranger taking every slot of the name delay cannot keep the user out of a clean address', async () => {
  // The reviewer's case: guesses from a few rotating addresses as fast as they are admitted, the
  // real user (never logged in before) trying now and then from an address of their own.
  const { begin } = setup({ ...DEFAULT_THROTTLE_POLICY });
  const bots = ['6.6.6.1', '6.6.6.2', '6.6.6.3', '6.6.6.4'];
  let guesses = 0;
  let userTries = 0;
  let userChecked = 0;
  for (let t = 0, now = 1_000_000; t < 3600; t++, now += 1000) {
    const a = await begin('new@user', bots[guesses % bots.length]!, now);
    if (a.ok) {
      a.fail();
      guesses++;
    }
    if (t % 30 === 0) {
      userTries++;
      const v = await begin('new@user', '8.8.4.4', now);
      if (v.ok) {
        userChecked++;
        await v.abandon(now);
      }
    }
  }
  assert.equal(userChecked, userTries, 'every try of the user is checked');
  assert.ok(guesses < 80, `the guesser is still slowed: ${guesses} guesses in an hour`);
  // The user's own failure there counts: from then on that address shares the delay.
  const typo = await begin('new@user', '8.8.4.4', 5_000_000);
  assert.ok(typo.ok);
  typo.fail();
  const again = await begin('new@user', '8.8.4.4', 5_000_000);
  assert.deepEqual([again.ok, (again as Refusal).counter], [false, 'name']);
});

test('a name known at an address is slowed there by its failures, never locked', async () => {
  // Tenants behind one NAT: a guesser there cannot lock a neighbour out of their own address.
  const { begin, failOnce } = setup();
  const b = await begin('tenantB', '203.0.113.9', 0);
  assert.ok(b.ok);
  await b.succeed(0);
  for (let i = 0; i < 3; i++) assert.ok((await failOnce('tenantB', '203.0.113.9', 1)).ok);
  // perPair (3) failures: the next try waits nameDelayMs, doubling, capped; never lockMs.
  let r = refused(await begin('tenantB', '203.0.113.9', 2));
  assert.deepEqual([r.reason, r.counter, r.until], ['throttled', 'pair', 101]);
  assert.ok((await failOnce('tenantB', '203.0.113.9', 101)).ok);
  r = refused(await begin('tenantB', '203.0.113.9', 102));
  assert.equal(r.until, 301, 'doubled');
  for (const at of [301, 701]) assert.ok((await failOnce('tenantB', '203.0.113.9', at)).ok);
  r = refused(await begin('tenantB', '203.0.113.9', 702));
  assert.deepEqual([r.reason, r.until], ['throttled', 701 + policy.nameDelayMaxMs], 'capped');
  const right = await begin('tenantB', '203.0.113.9', r.until);
  assert.ok(right.ok, 'the right password is checked once the delay is over');
  await right.succeed(r.until);
  assert.ok((await begin('tenantB', '203.0.113.9', r.until)).ok, 'and the count starts again');
});

test('the real user on a known address is not slowed by failures elsewhere', async () => {
  const { begin, failOnce } = setup();
  const first = await begin('acme', 'home', 0);
  assert.ok(first.ok);
  await first.succeed(0);
  for (let i = 0; i < 6; i++) await failOnce('acme', `bot${i % 2}`, 1 + i * 100);
  assert.equal((await begin('acme', 'bot0', 502)).ok, false, 'an address that failed waits');
  assert.ok((await begin('acme', 'bot9', 502)).ok, 'a clean address does not');
  assert.ok((await begin('acme', 'home', 502)).ok, 'home does not');
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

test('memory: a throttled address creates no counters and cannot push out its own block', async () => {
  // The reviewer's flood: a throttled address trying ever new names must neither grow the map
  // nor, by pushing entries out, win new checks.
  const counters = new MemoryThrottleCounters(1000);
  const p = { ...DEFAULT_THROTTLE_POLICY };
  let checked = 0;
  for (let i = 0; i < 5000; i++) {
    const a = await beginAttempt(counters, p, `n${i}`, '7.7.7.7', 0);
    if (a.ok) {
      checked++;
      a.fail();
    }
  }
  assert.equal(checked, p.perAddress);
  // 20 pairs, 20 names, the address: nothing for the 4980 refused tries.
  assert.deepEqual(counters.size, { counters: 41, known: 0 });
  assert.equal((await beginAttempt(counters, p, 'target', '7.7.7.7', 1)).ok, false);
});

test('memory: full counters refuse new unknown tries, never evict a block or a known mark', async () => {
  const counters = new MemoryThrottleCounters(8);
  const p = { ...policy, perPair: 1 };
  const begin = (name: string, address: string, now: number) =>
    beginAttempt(counters, p, name, address, now);
  const home = await begin('tenantB', 'nat', 0);
  assert.ok(home.ok);
  await home.succeed(0);
  const a = await begin('first', 'x', 0);
  assert.ok(a.ok);
  a.fail(); // 'first' is locked from x until 10_000
  for (let i = 0; i < 10; i++) {
    const b = await begin(`n${i}`, `y${i}`, 1);
    if (b.ok) b.fail();
  }
  assert.ok(counters.size.counters <= 8, `bounded: ${JSON.stringify(counters.size)}`);
  assert.equal(counters.size.known, 1);
  const full = refused(await begin('fresh', 'z', 2));
  assert.deepEqual([full.reason, full.counter], ['throttled', 'address']);
  assert.equal(refused(await begin('first', 'x', 2)).reason, 'locked', 'the lock is kept');
  assert.ok((await begin('tenantB', 'nat', 2)).ok, 'a name known at its address still binds');
  // Once the windows are over, the expired entries make room (the lock stays until it ends).
  assert.ok((await begin('fresh', 'z', 2000)).ok);
  assert.equal(refused(await begin('first', 'x', 2000)).reason, 'locked');
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
