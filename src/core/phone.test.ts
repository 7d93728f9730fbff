import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { maskNumber, normaliseNumber } from './phone.ts';

describe('normaliseNumber', () => {
  const valid: Array<[string, string, string]> = [
    ['13800138000', 'CN', '+8613800138000'],
    ['+8613800138000', 'CN', '+8613800138000'],
    ['+86 138-0013-8000', 'CN', '+8613800138000'],
    ['0086 138 0013 8000', 'CN', '+8613800138000'],
    ['008613800138000', 'CN', '+8613800138000'],
    ['(+86) 138 0013 8000', 'CN', '+8613800138000'],
    ['8613800138000', 'CN', '+8613800138000'],
    [' 19912345678 ', 'CN', '+8619912345678'],
    ['+44 7911 123456', 'CN', '+447911123456'],
    ['07911 123456', 'GB', '+447911123456'],
    ['+1 (415) 555-2671', 'CN', '+14155552671'],
    ['+65 9123 4567', 'CN', '+6591234567'],
    ['010 1234 5678', 'CN', '+861012345678'],
  ];
  for (const [input, region, e164] of valid) {
    test(`${JSON.stringify(input)} (${region}) → ${e164}`, () => {
      const r = normaliseNumber(input, region);
      assert.equal(r.ok && r.e164, e164);
    });
  }

  const invalid = [
    '',
    '   ',
    'abc',
    '+86138',
    '1380013800',
    '138001380001',
    '+8613812345',
    '12345',
    '+86 138 0013 800a',
    '++8613800138000',
    '+999123456789',
  ];
  for (const input of invalid) {
    test(`${JSON.stringify(input)} is rejected with invalid_number`, () => {
      const r = normaliseNumber(input, 'CN');
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.code, 'invalid_number');
        assert.match(r.detail, /not a valid phone number/);
      }
    });
  }
});

test('the country comes with the number', () => {
  const cases: Array<[string, string]> = [
    ['13800138000', 'CN'],
    ['+447400123456', 'GB'],
    ['+447911123456', 'GG'],
    ['+14155552671', 'US'],
    ['+6591234567', 'SG'],
  ];
  for (const [n, country] of cases) {
    const r = normaliseNumber(n, 'CN');
    assert.equal(r.ok && r.country, country, n);
  }
});

test('maskNumber keeps the country code and last four digits', () => {
  assert.equal(maskNumber('+8613800138000'), '+86138****8000');
  assert.equal(maskNumber('+6591234567'), '+65****4567');
});
