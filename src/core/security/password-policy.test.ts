import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPassword } from './password-policy.ts';

describe('checkPassword: accepted', () => {
  const accepted: Array<[string, { email?: string; name?: string }]> = [
    ['Tr0ub4dor&3x', {}],
    ['correct horse battery Staple', {}], // lower + upper + other (spaces): 3 classes
    ['hongyan-短信-2024', {}], // lower + digit + CJK (other)
    ['密码很长很长的密码abc1', {}], // 13 code points: CJK + lower + digit
    ['Aa1!Aa1!Aa', { email: 'li@example.com', name: 'Li' }], // context words < 3 chars ignored
    ['x'.repeat(60) + 'Y'.repeat(60) + '12345678', {}], // exactly 128 code points
    ['😀😀😀😀😀😀😀aB1', {}], // 10 code points (but 17 UTF-16 units)
    ['我是张伟的密码Ab1', { name: '张伟' }], // 2-character name: below the 3-character floor
    ['AbCdEfGhIj!', {}], // not a sequence once the "!" is there
  ];
  for (const [password, context] of accepted) {
    test(`${JSON.stringify(password)} is accepted`, () => {
      assert.deepEqual(checkPassword(password, context), { ok: true });
    });
  }
});

describe('checkPassword: rejected', () => {
  const rejected: Array<[string, { email?: string; name?: string }, string[], string]> = [
    [
      '',
      {},
      ['min_length', 'character_classes'],
      'Password is too weak: it has 0 characters, at least 10 are needed; it uses 0 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed.',
    ],
    [
      'Aa1!Aa1!A',
      {},
      ['min_length'],
      'Password is too weak: it has 9 characters, at least 10 are needed.',
    ],
    [
      // 9 code points even though it is 16 UTF-16 units long.
      '😀😀😀😀😀😀aB1',
      {},
      ['min_length'],
      'Password is too weak: it has 9 characters, at least 10 are needed.',
    ],
    [
      'x'.repeat(60) + 'Y'.repeat(60) + '123456789',
      {},
      ['max_length'],
      'Password is too weak: it has 129 characters, at most 128 are allowed.',
    ],
    [
      'alllowercaseletters',
      {},
      ['character_classes'],
      'Password is too weak: it uses 1 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed.',
    ],
    [
      '密码密码密码密码密码1',
      {},
      ['character_classes'],
      'Password is too weak: it uses 2 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed.',
    ],
    [
      'Zhangwei@2024',
      { email: 'zhangwei@example.com' },
      ['contains_email'],
      'Password is too weak: it contains your email address.',
    ],
    [
      'My-ZHANGWEI-99',
      { email: 'ZhangWei@Example.com' },
      ['contains_email'],
      'Password is too weak: it contains your email address.',
    ],
    [
      'xx.Wei.Zhang#1',
      { name: 'Zhang Wei' },
      ['contains_name'],
      'Password is too weak: it contains your name.',
    ],
    [
      'Hello-zhangwei1',
      { name: 'Zhang Wei' },
      ['contains_name'],
      'Password is too weak: it contains your name.',
    ],
    [
      // Fullwidth letters fold to ASCII under NFKC.
      'ＺＨＡＮＧ-wei-99x',
      { name: 'zhang' },
      ['contains_name'],
      'Password is too weak: it contains your name.',
    ],
    [
      '我是张小伟的密码Ab1',
      { name: '张小伟' },
      ['contains_name'],
      'Password is too weak: it contains your name.',
    ],
    [
      'P@ssw0rd123',
      {},
      ['common_password'],
      'Password is too weak: it is one of the most common passwords.',
    ],
    [
      '12345678aA',
      {},
      ['common_password'],
      'Password is too weak: it is one of the most common passwords.',
    ],
    [
      'WOAINI1314',
      {},
      ['character_classes', 'common_password'],
      'Password is too weak: it uses 2 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed; it is one of the most common passwords.',
    ],
    [
      'Passw0rd!',
      {},
      ['min_length', 'common_password'],
      'Password is too weak: it has 9 characters, at least 10 are needed; it is one of the most common passwords.',
    ],
    [
      '1qaz@WSX3edc',
      {},
      ['common_password'],
      'Password is too weak: it is one of the most common passwords.',
    ],
    [
      'aaaaaaaaaaaa',
      {},
      ['character_classes', 'repeated_character'],
      'Password is too weak: it uses 1 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed; it is a single character repeated.',
    ],
    [
      '1234567890',
      {},
      ['character_classes', 'sequence'],
      'Password is too weak: it uses 1 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed; it is a simple sequence such as "abcdef" or "987654".',
    ],
    [
      '0987654321',
      {},
      ['character_classes', 'sequence'],
      'Password is too weak: it uses 1 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed; it is a simple sequence such as "abcdef" or "987654".',
    ],
    [
      // An ASCII run that crosses upper → punctuation → lower: 3 classes, still a sequence.
      'UVWXYZ[\\]^_`abcd',
      {},
      ['sequence'],
      'Password is too weak: it is a simple sequence such as "abcdef" or "987654".',
    ],
    [
      'AbCdEfGhIj',
      {},
      ['character_classes', 'sequence'],
      'Password is too weak: it uses 2 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed; it is a simple sequence such as "abcdef" or "987654".',
    ],
    [
      // Everything at once.
      'admin123',
      { email: 'admin@example.com', name: 'Admin' },
      ['min_length', 'character_classes', 'contains_email', 'contains_name', 'common_password'],
      'Password is too weak: it has 8 characters, at least 10 are needed; it uses 2 of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed; it contains your email address; it contains your name; it is one of the most common passwords.',
    ],
  ];
  for (const [password, context, rules, detail] of rejected) {
    test(`${JSON.stringify(password)} ${JSON.stringify(context)} → ${rules.join(', ')}`, () => {
      assert.deepEqual(checkPassword(password, context), {
        ok: false,
        code: 'weak_password',
        detail,
        rules,
      });
    });
  }

  test('a three-letter name is checked, a two-letter one is not', () => {
    assert.deepEqual(checkPassword('Wei.Zhang#2024', { name: 'Wei' }).ok, false);
    assert.deepEqual(checkPassword('Wei.Zhang#2024', { name: 'Wu' }), { ok: true });
    assert.deepEqual(checkPassword('Wei.Zhang#2024', { email: 'wu@example.com' }), { ok: true });
  });

  test('an email without @ is treated as its own local part; blank context is ignored', () => {
    assert.equal(checkPassword('Hello-zhangwei1', { email: 'zhangwei' }).ok, false);
    assert.deepEqual(checkPassword('Hello-zhangwei1', { email: '@example.com', name: '   ' }), {
      ok: true,
    });
  });
});
