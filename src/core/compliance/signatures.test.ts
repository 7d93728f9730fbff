import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractSignature, parseSignature, withSignature } from './signatures.ts';
import { DomainError } from '../errors.ts';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DomainError, `expected a DomainError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('parseSignature: accepted', () => {
  const cases: Array<[string, string]> = [
    ['鸿雁科技', '鸿雁科技'],
    ['【鸿雁科技】', '鸿雁科技'],
    ['  【鸿雁科技】 ', '鸿雁科技'],
    ['【 鸿雁科技 】', '鸿雁科技'],
    ['京东', '京东'],
    ['铁路12306', '铁路12306'],
    ['Hongyan', 'Hongyan'],
    ['ACME Corp', 'ACME Corp'],
    ['鸿雁·科技', '鸿雁·科技'],
    ['一二三四五六七八九十一二三四五六', '一二三四五六七八九十一二三四五六'],
    ['【一二三四五六七八九十一二三四五六】', '一二三四五六七八九十一二三四五六'],
    ['𠀀𠀁', '𠀀𠀁'],
    ['𠀀'.repeat(16), '𠀀'.repeat(16)],
    ['【' + '𠀀'.repeat(16) + '】', '𠀀'.repeat(16)],
  ];
  for (const [input, expected] of cases)
    test(`${JSON.stringify(input)} → ${expected}`, () =>
      assert.equal(parseSignature(input), expected));
});

describe('parseSignature: refused with invalid_signature, field text', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['blank', '   ', /empty/],
    ['empty brackets', '【】', /empty/],
    ['one character', '雁', /at least 2/],
    ['one character in brackets', '【雁】', /at least 2/],
    ['one astral character (two UTF-16 units)', '𠀀', /at least 2/],
    ['17 characters', '一二三四五六七八九十一二三四五六七', /at most 16 characters, got 17/],
    ['17 astral code points', '𠀀'.repeat(17), /at most 16 characters, got 17/],
    ['only digits', '12306', /only digits or punctuation/],
    ['only punctuation', '!!!', /only digits or punctuation/],
    ['digits and punctuation', '123-456', /only digits or punctuation/],
    ['inner full-width bracket', '鸿雁【科技】', /brackets/],
    ['nested brackets', '【鸿雁【科技】】', /brackets/],
    ['unclosed bracket', '【鸿雁科技', /brackets/],
    ['square brackets', '[鸿雁科技]', /brackets/],
    ['parentheses', '鸿雁(科技)', /brackets/],
    ['full-width parentheses', '鸿雁（科技）', /brackets/],
    ['emoji', '鸿雁😀', /emoji/],
    ['flag', '鸿雁🇨🇳', /emoji/],
    ['keycap', '鸿雁1️⃣', /emoji/],
    ['newline', '鸿雁\n科技', /control/],
    ['zero-width joiner', '鸿雁\u200d科技', /control/],
    ['NUL', '鸿雁\u0000', /control/],
  ];
  for (const [name, input, detail] of cases)
    test(name, () => {
      const err = refusal(() => parseSignature(input));
      assert.equal(err.code, 'invalid_signature');
      assert.deepEqual(err.details, { field: 'text' });
      assert.match(err.message, detail);
    });

  test('a non-string is refused', () => {
    const err = refusal(() => parseSignature(42 as unknown as string));
    assert.equal(err.code, 'invalid_signature');
  });
});

describe('withSignature', () => {
  const cases: Array<[string, string, string]> = [
    ['您的验证码是1234', '鸿雁科技', '【鸿雁科技】您的验证码是1234'],
    ['您的验证码是1234', '【鸿雁科技】', '【鸿雁科技】您的验证码是1234'],
    ['【鸿雁科技】您的验证码是1234', '鸿雁科技', '【鸿雁科技】您的验证码是1234'],
    ['【其他公司】你好', '鸿雁科技', '【鸿雁科技】【其他公司】你好'],
    [' 【鸿雁科技】你好', '鸿雁科技', '【鸿雁科技】 【鸿雁科技】你好'],
    ['', '鸿雁科技', '【鸿雁科技】'],
  ];
  for (const [text, sig, expected] of cases)
    test(`${JSON.stringify(text)} + ${sig}`, () =>
      assert.equal(withSignature(text, sig), expected));

  test('an invalid signature is refused', () => {
    const err = refusal(() => withSignature('hi', '雁'));
    assert.equal(err.code, 'invalid_signature');
  });
});

describe('extractSignature', () => {
  const cases: Array<[string, string | null, string]> = [
    ['【鸿雁科技】您的验证码是1234', '鸿雁科技', '您的验证码是1234'],
    ['【鸿雁科技】', '鸿雁科技', ''],
    ['【鸿雁】【其他】你好', '鸿雁', '【其他】你好'],
    ['您好【鸿雁科技】', null, '您好【鸿雁科技】'],
    [' 【鸿雁科技】你好', null, ' 【鸿雁科技】你好'],
    ['【】你好', null, '【】你好'],
    ['【鸿雁科技你好', null, '【鸿雁科技你好'],
    ['【鸿【雁】你好', null, '【鸿【雁】你好'],
    ['', null, ''],
  ];
  for (const [text, signature, body] of cases)
    test(JSON.stringify(text), () => assert.deepEqual(extractSignature(text), { signature, body }));
});
