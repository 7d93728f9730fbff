import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressDigits, afterServiceNumber, senderNumber } from './address.ts';

describe('senderNumber', () => {
  const cases: Array<[string, string | null]> = [
    ['13800138000', '+8613800138000'],
    ['8613800138000', '+8613800138000'],
    ['+8613800138000', '+8613800138000'],
    ['008613800138000', '+8613800138000'],
    [' 13800138000 ', '+8613800138000'],
    ['447400123456', '+447400123456'],
    ['+447400123456', '+447400123456'],
    ['106900', null],
    ['10086', null],
    ['HONGYAN', null],
    ['', null],
  ];
  for (const [from, want] of cases)
    test(`${JSON.stringify(from)} → ${want}`, () => assert.equal(senderNumber(from, 'CN'), want));
});

describe('addressDigits', () => {
  test('drops + and separators', () => {
    assert.equal(addressDigits('+106900 1234'), '1069001234');
    assert.equal(addressDigits('106-900'), '106900');
  });
});

describe('afterServiceNumber', () => {
  const cases: Array<
    [string, string | null, string[], { serviceNumber: string; rest: string } | null]
  > = [
    ['1069001234', '106900', [], { serviceNumber: '106900', rest: '1234' }],
    ['106900', '106900', [], { serviceNumber: '106900', rest: '' }],
    ['+1069001234', '106900', [], { serviceNumber: '106900', rest: '1234' }],
    ['861069001234', '106900', [], { serviceNumber: '106900', rest: '1234' }],
    ['1069001234', null, ['106900'], { serviceNumber: '106900', rest: '1234' }],
    // Its own channel first, even when another service number is longer.
    ['10690012345', '106900', ['1069001'], { serviceNumber: '106900', rest: '12345' }],
    // Other service numbers: longest first.
    ['10690012345', '10655', ['106900', '1069001'], { serviceNumber: '1069001', rest: '2345' }],
    ['10655123', '106900', [], null],
    ['1069001234', '', [''], null],
  ];
  for (const [to, own, others, want] of cases)
    test(`${to} on ${own ?? '(unknown channel)'}`, () =>
      assert.deepEqual(afterServiceNumber(to, own, others), want));
});
