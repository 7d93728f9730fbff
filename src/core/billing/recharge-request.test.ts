import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import {
  amountToCredit,
  currencyDecimals,
  MAX_RECHARGE_REQUEST,
  parseRequestedAmount,
  sniffProofType,
} from './recharge-request.ts';

const ok: Array<[string, string, number]> = [
  ['1000', 'CNY', 10_000_000],
  ['1000.5', 'CNY', 10_005_000],
  ['0.01', 'CNY', 100],
  ['10000000.00', 'CNY', MAX_RECHARGE_REQUEST],
  ['500', 'JPY', 5_000_000],
  ['12.34', 'XYZ', 123_400],
];
for (const [text, currency, minor] of ok)
  test(`${text} ${currency} → ${minor}`, () =>
    assert.equal(parseRequestedAmount(text, currency), minor));

const bad: Array<[string, string]> = [
  ['0', 'CNY'],
  ['0.00', 'CNY'],
  ['-5', 'CNY'],
  ['1.001', 'CNY'],
  ['1.5', 'JPY'],
  ['10000000.01', 'CNY'],
  ['1e3', 'CNY'],
  [' 12', 'CNY'],
  ['12.', 'CNY'],
  ['', 'CNY'],
  ['１２', 'CNY'],
  ['99999999999999999', 'CNY'],
];
for (const [text, currency] of bad)
  test(`"${text}" ${currency} is refused as invalid_amount on the field`, () => {
    assert.throws(
      () => parseRequestedAmount(text, currency, 'amount'),
      (e: unknown) =>
        e instanceof DomainError && e.code === 'invalid_amount' && e.details?.field === 'amount',
    );
  });

test('currency decimals: ISO 4217, 2 when unknown', () => {
  assert.equal(currencyDecimals('CNY'), 2);
  assert.equal(currencyDecimals('JPY'), 0);
  assert.equal(currencyDecimals('ABC'), 2);
});

test('confirming credits the amount asked, or the correction', () => {
  const r = { status: 'pending', amount: 10_000_000, currency: 'CNY' };
  assert.equal(amountToCredit(r, undefined), 10_000_000);
  assert.equal(amountToCredit(r, '999.90'), 9_999_000);
  assert.throws(() => amountToCredit(r, '0'), /more than zero/);
});

test('only a pending request can be decided', () => {
  for (const status of ['confirmed', 'rejected'])
    assert.throws(
      () => amountToCredit({ status, amount: 1, currency: 'CNY' }, undefined),
      (e: unknown) => e instanceof DomainError && e.code === 'already_decided',
    );
});

test('proof files are known by their first bytes, not their names', () => {
  const b = (...x: number[]) => Uint8Array.from(x);
  assert.equal(sniffProofType(b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0)), 'image/png');
  assert.equal(sniffProofType(b(0xff, 0xd8, 0xff, 0xe0)), 'image/jpeg');
  assert.equal(sniffProofType(new TextEncoder().encode('%PDF-1.7\n')), 'application/pdf');
  assert.equal(sniffProofType(new TextEncoder().encode('<html><script>')), null);
  assert.equal(sniffProofType(new TextEncoder().encode('GIF89a')), null);
  assert.equal(sniffProofType(b(0x89, 0x50, 0x4e)), null);
  assert.equal(sniffProofType(b()), null);
});
