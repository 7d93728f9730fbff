import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fitBalance, payFromPackage, totalAmount, type Priced } from './affordability.ts';
import { DomainError } from '../errors.ts';

interface Msg extends Priced {
  to: string;
}
/** A message of `parts` parts at `price` per part (minor units). */
const msg = (to: string, parts: number, price: number): Msg => ({
  to,
  parts,
  price,
  amount: parts * price,
});
const tos = (ms: readonly Msg[]) => ms.map((m) => m.to);

describe('payFromPackage', () => {
  const batch = [msg('a', 1, 450), msg('b', 2, 450), msg('c', 1, 450)];
  const cases: Array<{
    name: string;
    left: number;
    messages?: Msg[];
    covered: string[];
    partsUsed: number;
  }> = [
    { name: 'an empty package pays for nothing', left: 0, covered: [], partsUsed: 0 },
    { name: 'a negative remainder pays for nothing', left: -3, covered: [], partsUsed: 0 },
    { name: 'package exactly used up', left: 4, covered: ['a', 'b', 'c'], partsUsed: 4 },
    { name: 'package larger than the batch', left: 100, covered: ['a', 'b', 'c'], partsUsed: 4 },
    { name: 'package partly covering', left: 3, covered: ['a', 'b'], partsUsed: 3 },
    { name: 'one part short of the second message', left: 2, covered: ['a'], partsUsed: 1 },
    {
      name: 'the first message that does not fit ends it (no skipping ahead)',
      left: 2,
      messages: [msg('long', 3, 450), msg('short', 1, 450)],
      covered: [],
      partsUsed: 0,
    },
    {
      name: 'free messages use parts too',
      left: 2,
      messages: [msg('free', 2, 0), msg('paid', 1, 450)],
      covered: ['free'],
      partsUsed: 2,
    },
    { name: 'no messages', left: 5, messages: [], covered: [], partsUsed: 0 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const input = c.messages ?? batch;
      const before = structuredClone(input);
      const out = payFromPackage(input, c.left);
      assert.equal(out.partsUsed, c.partsUsed);
      assert.equal(out.messages.length, input.length);
      assert.deepEqual(tos(out.messages.filter((m) => m.package)), c.covered);
      for (const m of out.messages.filter((m) => m.package)) {
        assert.equal(m.price, 0);
        assert.equal(m.amount, 0);
      }
      // The rest keep their price, and the input is not changed.
      for (const [i, m] of out.messages.entries()) if (!m.package) assert.equal(m, input[i]);
      assert.deepEqual(input, before);
    });
  }
});

describe('fitBalance', () => {
  const terms = { currency: 'CNY', partial: false };
  const partial = { currency: 'CNY', partial: true };
  const batch = [msg('a', 1, 450), msg('b', 2, 450), msg('c', 1, 450)]; // 450 + 900 + 450 = 1800
  const cases: Array<{
    name: string;
    available: number;
    partial: boolean;
    messages?: Msg[];
    accepted?: string[];
    hold?: { amount: number; parts: number };
    error?: RegExp;
  }> = [
    {
      name: 'exact balance takes all',
      available: 1800,
      partial: false,
      accepted: ['a', 'b', 'c'],
      hold: { amount: 1800, parts: 4 },
    },
    {
      name: 'more than enough takes all',
      available: 10_000,
      partial: false,
      accepted: ['a', 'b', 'c'],
      hold: { amount: 1800, parts: 4 },
    },
    {
      name: 'one short refuses the whole request',
      available: 1799,
      partial: false,
      error: /costs 0\.1800 CNY; 0\.1799 is available/,
    },
    {
      name: 'one short with partial: the last message is refused',
      available: 1799,
      partial: true,
      accepted: ['a', 'b'],
      hold: { amount: 1350, parts: 3 },
    },
    {
      name: 'partial skips a dear message and takes a cheaper one after it',
      available: 900,
      partial: true,
      accepted: ['a', 'c'],
      hold: { amount: 900, parts: 2 },
    },
    {
      name: 'partial with not even the first message affordable',
      available: 449,
      partial: true,
      error: /not even one message fits in the available 0\.0449 CNY/,
    },
    {
      name: 'exactly the first message with partial',
      available: 450,
      partial: true,
      accepted: ['a'],
      hold: { amount: 450, parts: 1 },
    },
    {
      name: 'a balance owed (negative) refuses a priced request',
      available: -100,
      partial: false,
      error: /-0\.0100 is available/,
    },
    {
      name: 'a balance owed pays for nothing with partial, not even a free message',
      available: -100,
      partial: true,
      messages: [msg('paid', 1, 450), msg('free', 3, 0)],
      error: /not even one message fits in the available -0\.0100 CNY/,
    },
    {
      name: 'zero price costs nothing, even with no money',
      available: 0,
      partial: false,
      messages: [msg('x', 2, 0), msg('y', 1, 0)],
      accepted: ['x', 'y'],
      hold: { amount: 0, parts: 0 },
    },
    {
      name: 'package-paid and free messages are not counted in the held parts',
      available: 450,
      partial: false,
      messages: [
        { ...msg('pkg', 2, 450), package: true, price: 0, amount: 0 },
        msg('free', 1, 0),
        msg('paid', 1, 450),
      ],
      accepted: ['pkg', 'free', 'paid'],
      hold: { amount: 450, parts: 1 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const messages = c.messages ?? batch;
      const run = () => fitBalance(messages, c.available, c.partial ? partial : terms);
      if (c.error) {
        assert.throws(
          run,
          (err: unknown) =>
            err instanceof DomainError &&
            err.code === 'insufficient_balance' &&
            c.error!.test(err.message),
        );
        return;
      }
      const fit = run();
      assert.deepEqual(tos(fit.accepted), c.accepted);
      assert.deepEqual(
        tos(fit.unaffordable),
        tos(messages).filter((to) => !c.accepted!.includes(to)),
      );
      assert.deepEqual(fit.hold, c.hold);
      assert.equal(totalAmount(fit.accepted), c.hold!.amount);
    });
  }

  test('the refusal names what is required and what is available', () => {
    try {
      fitBalance(batch, 1000, terms);
      assert.fail('expected insufficient_balance');
    } catch (err) {
      assert.ok(err instanceof DomainError);
      assert.deepEqual(err.details, { required: '0.1800', available: '0.1000', currency: 'CNY' });
    }
  });
});

describe('package, then balance', () => {
  test('what the package pays for is not held', () => {
    const batch = [msg('a', 1, 450), msg('b', 2, 450), msg('c', 1, 450)];
    const paid = payFromPackage(batch, 1);
    const fit = fitBalance(paid.messages, 1350, { currency: 'CNY', partial: false });
    assert.deepEqual(tos(fit.accepted), ['a', 'b', 'c']);
    assert.deepEqual(fit.hold, { amount: 1350, parts: 3 });
  });
});
