import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findOverlap, parsePlan, priceFor, type Destination } from './rating.ts';
import { cnCarrierOf } from './cn-carrier.ts';
import { DomainError } from '../errors.ts';

describe('cnCarrierOf', () => {
  const cases: Array<[string, string | null]> = [
    ['+8613800138000', 'mobile'],
    ['+8613412345678', 'mobile'],
    ['+8613492345678', 'telecom'],
    ['+8613012345678', 'unicom'],
    ['+8618912345678', 'telecom'],
    ['+8619212345678', 'broadnet'],
    ['+8617031234567', 'mobile'],
    ['+8617041234567', 'unicom'],
    ['+8617001234567', 'telecom'],
    ['+8619912345678', 'telecom'],
    ['+8616612345678', 'unicom'],
    ['+861012345678', null],
    ['+447911123456', null],
    ['+8614412345678', null],
  ];
  for (const [n, c] of cases) test(`${n} → ${c}`, () => assert.equal(cnCarrierOf(n), c));
});

describe('price plans', () => {
  const plan = parsePlan([
    { price: '0.0600' },
    { country: 'CN', price: '0.0450' },
    { carrier: 'unicom', price: '0.0420' },
    { class: 'marketing', price: '0.0550' },
    { country: 'CN', class: 'marketing', price: '0.0500' },
    { country: 'GB', price: '0.3000' },
  ]);
  const d = (
    country: string | null,
    carrier: Destination['carrier'],
    cls: Destination['class'],
  ): Destination => ({ country, carrier, class: cls });
  const cases: Array<[Destination, number]> = [
    [d('CN', 'mobile', 'notification'), 450],
    [d('CN', 'unicom', 'verification'), 420],
    [d('CN', 'unicom', 'marketing'), 500],
    [d('CN', 'mobile', 'marketing'), 500],
    [d('GB', null, 'notification'), 3000],
    [d('GB', null, 'marketing'), 550],
    [d('US', null, 'verification'), 600],
  ];
  for (const [dest, price] of cases)
    test(`${JSON.stringify(dest)} costs ${price}`, () => assert.equal(priceFor(plan, dest), price));

  test('no matching rule: no price', () => {
    assert.equal(
      priceFor(parsePlan([{ country: 'CN', price: '0.04' }]), d('GB', null, 'notification')),
      null,
    );
  });

  test('overlapping rules are refused with the field', () => {
    const bad: unknown[][] = [
      [
        { country: 'CN', price: '0.04' },
        { country: 'CN', price: '0.05' },
      ],
      [{ price: '0.04' }, { price: '0.05' }],
      [
        { carrier: 'mobile', price: '0.04' },
        { country: 'CN', carrier: 'mobile', price: '0.05' },
      ],
    ];
    for (const rules of bad) {
      assert.throws(
        () => parsePlan(rules),
        (e: unknown) =>
          e instanceof DomainError &&
          e.code === 'invalid_price_plan' &&
          (e.details as { field: string }).field === 'rules[1]',
      );
    }
    assert.equal(
      findOverlap([
        { country: 'CN', price: 1 },
        { country: 'GB', price: 1 },
      ]),
      null,
    );
  });

  test('bad rules are refused with the field', () => {
    const cases: Array<[unknown, string]> = [
      [[], 'rules'],
      [[{ price: 0.045 }], 'rules[0].price'],
      [[{ price: '0.04501' }], 'rules[0].price'],
      [[{ price: '-1' }], 'rules[0].price'],
      [[{ price: '1', country: 'china' }], 'rules[0].country'],
      [[{ price: '1', carrier: 'vodafone' }], 'rules[0].carrier'],
      [[{ price: '1', country: 'GB', carrier: 'mobile' }], 'rules[0].carrier'],
      [[{ price: '1', class: 'spam' }], 'rules[0].class'],
      [[{ price: '1', colour: 'red' }], 'rules[0].colour'],
    ];
    for (const [rules, field] of cases) {
      assert.throws(
        () => parsePlan(rules),
        (e: unknown) =>
          e instanceof DomainError && (e.details as { field: string }).field === field,
        field,
      );
    }
  });
});
