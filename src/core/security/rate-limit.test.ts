import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter, type TakeResult } from './rate-limit.ts';

const T0 = 1_700_000_000_000; // an arbitrary Date.now() reading

describe('RateLimiter: scripted sequences', () => {
  // Each step: [key, ms since T0, cost, expected result].
  type Step = [string, number, number, TakeResult];
  const scripts: Array<[string, { capacity: number; refillPerSecond: number }, Step[]]> = [
    [
      'burst up to capacity, then denied with retryAfter 1',
      { capacity: 3, refillPerSecond: 1 },
      [
        ['a', 0, 1, { ok: true, remaining: 2 }],
        ['a', 0, 1, { ok: true, remaining: 1 }],
        ['a', 0, 1, { ok: true, remaining: 0 }],
        ['a', 0, 1, { ok: false, retryAfterSeconds: 1 }],
        ['a', 999, 1, { ok: false, retryAfterSeconds: 1 }],
        ['a', 1000, 1, { ok: true, remaining: 0 }],
      ],
    ],
    [
      'refill is capped at capacity',
      { capacity: 5, refillPerSecond: 2 },
      [
        ['a', 0, 5, { ok: true, remaining: 0 }],
        ['a', 3_600_000, 1, { ok: true, remaining: 4 }],
        ['a', 3_600_000, 5, { ok: false, retryAfterSeconds: 1 }], // needs 1 token at 2/s: 0.5 s → 1
      ],
    ],
    [
      'slow refill: retryAfter is the ceiling of the deficit',
      { capacity: 10, refillPerSecond: 0.1 }, // one token every 10 s
      [
        ['a', 0, 10, { ok: true, remaining: 0 }],
        ['a', 0, 1, { ok: false, retryAfterSeconds: 10 }],
        ['a', 2_500, 1, { ok: false, retryAfterSeconds: 8 }], // 7.5 s left → 8
        ['a', 9_999, 1, { ok: false, retryAfterSeconds: 1 }], // 1 ms left → 1, never 0
        ['a', 10_000, 1, { ok: true, remaining: 0 }], // 0.1 × 10 000 / 1000 must be exactly due
        ['a', 10_000, 3, { ok: false, retryAfterSeconds: 30 }],
        ['a', 40_000, 3, { ok: true, remaining: 0 }],
      ],
    ],
    [
      'floating-point residue does not inflate retryAfter',
      { capacity: 1, refillPerSecond: 0.1 },
      [
        ['a', 0, 1, { ok: true, remaining: 0 }],
        // 0.7 tokens; (1 - 0.7) / 0.1 is 3.0000000000000004 in floating point, still 3 s.
        ['a', 7_000, 1, { ok: false, retryAfterSeconds: 3 }],
        ['a', 10_000, 1, { ok: true, remaining: 0 }],
      ],
    ],
    [
      'floating-point residue does not deny a request that is due',
      { capacity: 2, refillPerSecond: 0.1 },
      [
        ['a', 0, 2, { ok: true, remaining: 0 }],
        ['a', 11_300, 1, { ok: true, remaining: 0 }], // 1.13 - 1 = 0.1299999999999999
        ['a', 20_000, 1, { ok: true, remaining: 0 }], // + 0.87 = 0.9999999999999999, due
      ],
    ],
    [
      'a denied request spends nothing',
      { capacity: 4, refillPerSecond: 1 },
      [
        ['a', 0, 3, { ok: true, remaining: 1 }],
        ['a', 0, 2, { ok: false, retryAfterSeconds: 1 }],
        ['a', 0, 2, { ok: false, retryAfterSeconds: 1 }],
        ['a', 0, 1, { ok: true, remaining: 0 }],
      ],
    ],
    [
      'fractional tokens: remaining is floored, retryAfter accounts for the fraction',
      { capacity: 2, refillPerSecond: 1 },
      [
        ['a', 0, 2, { ok: true, remaining: 0 }],
        ['a', 1_500, 1, { ok: true, remaining: 0 }], // 1.5 → 0.5 left
        ['a', 1_500, 1, { ok: false, retryAfterSeconds: 1 }],
        ['a', 2_000, 1, { ok: true, remaining: 0 }], // 0.5 + 0.5 = 1 → 0
      ],
    ],
    [
      'keys are independent',
      { capacity: 1, refillPerSecond: 1 },
      [
        ['alice', 0, 1, { ok: true, remaining: 0 }],
        ['alice', 0, 1, { ok: false, retryAfterSeconds: 1 }],
        ['bob', 0, 1, { ok: true, remaining: 0 }],
        ['', 0, 1, { ok: true, remaining: 0 }],
        ['__proto__', 0, 1, { ok: true, remaining: 0 }],
        ['__proto__', 0, 1, { ok: false, retryAfterSeconds: 1 }],
      ],
    ],
    [
      'a clock that steps backwards neither mints nor removes tokens',
      { capacity: 2, refillPerSecond: 1 },
      [
        ['a', 10_000, 2, { ok: true, remaining: 0 }],
        ['a', 0, 1, { ok: false, retryAfterSeconds: 1 }],
        ['a', 10_999, 1, { ok: false, retryAfterSeconds: 1 }],
        ['a', 11_000, 1, { ok: true, remaining: 0 }],
      ],
    ],
  ];
  for (const [name, opts, steps] of scripts) {
    test(name, () => {
      const limiter = new RateLimiter(opts);
      steps.forEach(([key, dt, cost, expected], i) => {
        assert.deepEqual(limiter.take(key, T0 + dt, cost), expected, `step ${i}`);
      });
    });
  }
});

describe('RateLimiter: eviction', () => {
  test('least recently used key is evicted and comes back with a full bucket', () => {
    const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 0.001, maxKeys: 2 });
    assert.deepEqual(limiter.take('a', T0), { ok: true, remaining: 0 });
    assert.deepEqual(limiter.take('b', T0), { ok: true, remaining: 0 });
    // Touching "a" (even a denied take) makes "b" the least recently used.
    assert.deepEqual(limiter.take('a', T0), { ok: false, retryAfterSeconds: 1000 });
    assert.deepEqual(limiter.take('c', T0), { ok: true, remaining: 0 });
    assert.equal(limiter.size, 2);
    // "a" kept its empty bucket; "b" was forgotten, so it starts full again.
    assert.deepEqual(limiter.take('a', T0), { ok: false, retryAfterSeconds: 1000 });
    assert.deepEqual(limiter.take('b', T0), { ok: true, remaining: 0 });
    // Now "c" was the least recent and is gone.
    assert.deepEqual(limiter.take('c', T0), { ok: true, remaining: 0 });
    assert.equal(limiter.size, 2);
  });

  test('default maxKeys is 100 000', () => {
    const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 1 });
    assert.equal(limiter.maxKeys, 100_000);
    for (let i = 0; i <= 100_000; i++) limiter.take(`k${i}`, T0);
    assert.equal(limiter.size, 100_000);
    assert.deepEqual(limiter.take('k0', T0), { ok: true, remaining: 0 }); // k0 was evicted
    assert.deepEqual(limiter.take('k100000', T0), { ok: false, retryAfterSeconds: 1 });
  });

  test('reset forgets a key', () => {
    const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 1 });
    limiter.take('a', T0);
    limiter.reset('a');
    assert.equal(limiter.size, 0);
    assert.deepEqual(limiter.take('a', T0), { ok: true, remaining: 0 });
  });
});

describe('RateLimiter: argument checks', () => {
  const badOptions: Array<
    [string, { capacity: number; refillPerSecond: number; maxKeys?: number }]
  > = [
    ['capacity 0', { capacity: 0, refillPerSecond: 1 }],
    ['capacity NaN', { capacity: Number.NaN, refillPerSecond: 1 }],
    ['capacity Infinity', { capacity: Infinity, refillPerSecond: 1 }],
    ['refill 0', { capacity: 1, refillPerSecond: 0 }],
    ['refill negative', { capacity: 1, refillPerSecond: -1 }],
    ['maxKeys 0', { capacity: 1, refillPerSecond: 1, maxKeys: 0 }],
    ['maxKeys 1.5', { capacity: 1, refillPerSecond: 1, maxKeys: 1.5 }],
  ];
  for (const [name, opts] of badOptions) {
    test(`constructor rejects ${name}`, () => {
      assert.throws(() => new RateLimiter(opts), RangeError);
    });
  }

  const badTakes: Array<[string, number, number]> = [
    ['cost 0', T0, 0],
    ['negative cost', T0, -1],
    ['cost above capacity', T0, 4],
    ['NaN cost', T0, Number.NaN],
    ['NaN clock', Number.NaN, 1],
  ];
  for (const [name, now, cost] of badTakes) {
    test(`take rejects ${name}`, () => {
      const limiter = new RateLimiter({ capacity: 3, refillPerSecond: 1 });
      assert.throws(() => limiter.take('a', now, cost), RangeError);
      assert.equal(limiter.size, 0);
    });
  }
});

describe('MessageBudget: messages per second and in flight', () => {
  const L = { perSecond: 10, burst: 20, inFlight: 30 };
  test('scripted: burst, refund of the unaccepted, Retry-After from the deficit, overdraft for a request above the burst', async () => {
    const { MessageBudget } = await import('./rate-limit.ts');
    const b = new MessageBudget();
    const a1 = b.admit('t', T0, 15, L);
    assert.deepEqual(a1, { ok: true, granted: 15 });
    // 5 tokens left: 10 more need 5 at 10/s → 1 s.
    assert.deepEqual(b.admit('t', T0, 10, L), {
      ok: false,
      limit: 'messages_per_second',
      retryAfterSeconds: 1,
    });
    b.finish('t', T0, 15, 5, L); // 10 rejected recipients give their tokens back: 15 left
    assert.deepEqual(b.admit('t', T0, 15, L), { ok: true, granted: 15 });
    b.finish('t', T0, 15, 15, L);
    // Empty bucket; 25 > burst may go only when the bucket is full again (2 s), leaving debt.
    assert.deepEqual(b.admit('t', T0, 25, L), {
      ok: false,
      limit: 'messages_per_second',
      retryAfterSeconds: 2,
    });
    assert.deepEqual(b.admit('t', T0 + 2000, 25, L), { ok: true, granted: 25 });
    b.finish('t', T0 + 2000, 25, 25, L);
    // 5 in debt: one message needs 6 tokens → 0.6 s → 1.
    assert.deepEqual(b.admit('t', T0 + 2000, 1, L), {
      ok: false,
      limit: 'messages_per_second',
      retryAfterSeconds: 1,
    });
    assert.equal(b.admit('t', T0 + 2600, 1, L).ok, true);
  });

  test('in flight: a second request past the limit waits; one alone may exceed it; partial grants what fits', async () => {
    const { MessageBudget } = await import('./rate-limit.ts');
    const b = new MessageBudget();
    const big = { perSecond: 1000, burst: 1000, inFlight: 30 };
    assert.deepEqual(b.admit('t', T0, 40, big), { ok: true, granted: 40 });
    assert.deepEqual(b.admit('t', T0, 1, big), {
      ok: false,
      limit: 'messages_in_flight',
      retryAfterSeconds: 1,
    });
    b.finish('t', T0, 40, 40, big);
    assert.deepEqual(b.admit('t', T0, 20, big), { ok: true, granted: 20 });
    assert.deepEqual(b.admit('t', T0, 20, big, true), { ok: true, granted: 10 });
    assert.equal(b.inFlight('t'), 30);
    assert.equal(b.admit('t', T0, 5, big, true).ok, false);
    assert.equal(b.admit('u', T0, 5, big).ok, true, 'tenants do not share a budget');
    // Partial on the rate: 3 tokens left → 3 of 5.
    const c = new MessageBudget();
    const small = { perSecond: 1, burst: 3, inFlight: 100 };
    assert.deepEqual(c.admit('t', T0, 5, small, true), { ok: true, granted: 3 });
    assert.throws(() => c.admit('t', T0, 0, small), RangeError);
    assert.throws(() => c.admit('t', T0, 1, { ...small, burst: 0 }), RangeError);
  });
});
