import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassword, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { checkPassword } from '../core/security/password-policy.ts';

const FORMAT = /^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/;

// RFC 7914 §12, third vector: scrypt("pleaseletmein", "SodiumChloride", N=16384, r=8, p=1, 64).
const RFC7914_KEY_HEX =
  '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2' +
  'd5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887';
const RFC7914_STORED =
  'scrypt$N=16384,r=8,p=1$' +
  Buffer.from('SodiumChloride').toString('base64') +
  '$' +
  Buffer.from(RFC7914_KEY_HEX, 'hex').toString('base64');

describe('hashPassword / verifyPassword', () => {
  test('round trip, and the stored string has the documented shape', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.match(stored, FORMAT);
    assert.equal(await verifyPassword('correct horse battery staple', stored), true);
  });

  test('wrong passwords are refused', async () => {
    const stored = await hashPassword('Tr0ub4dor&3');
    const wrong = ['tr0ub4dor&3', 'Tr0ub4dor&3 ', 'Tr0ub4dor&', '', 'Tr0ub4dor&4'];
    for (const password of wrong) {
      assert.equal(await verifyPassword(password, stored), false, JSON.stringify(password));
    }
  });

  test('the same password twice gives different salts and hashes', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    assert.notEqual(a, b);
    assert.notEqual(a.split('$')[2], b.split('$')[2]);
    assert.notEqual(a.split('$')[3], b.split('$')[3]);
    assert.equal(await verifyPassword('same', a), true);
    assert.equal(await verifyPassword('same', b), true);
  });

  test('Chinese and emoji passwords; NFC and NFD spellings are the same password', async () => {
    const stored = await hashPassword('密码-Café-😀');
    assert.equal(await verifyPassword('密码-Café-😀', stored), true);
    assert.equal(await verifyPassword('密码-Cafe\u0301-😀', stored), true); // é as e + U+0301
    assert.equal(await verifyPassword('密码-Cafe-😀', stored), false);
  });

  test('RFC 7914 §12 vector verifies: parameters are read from the string', async () => {
    assert.equal(await verifyPassword('pleaseletmein', RFC7914_STORED), true);
    assert.equal(await verifyPassword('pleaseletmeim', RFC7914_STORED), false);
  });

  test('a one-bit change to the stored key is refused', async () => {
    const key = Buffer.from(RFC7914_KEY_HEX, 'hex');
    key[63] = (key[63] ?? 0) ^ 1;
    const tampered = RFC7914_STORED.replace(/[^$]+$/, key.toString('base64'));
    assert.notEqual(tampered, RFC7914_STORED);
    assert.equal(await verifyPassword('pleaseletmein', tampered), false);
  });
});

describe('verifyPassword: malformed stored strings are false, never a throw', () => {
  const salt = Buffer.alloc(16, 1).toString('base64');
  const key = Buffer.alloc(32, 2).toString('base64');
  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['bcrypt hash', '$2b$12$KIXQJ1r0nB8d8nL1VtK6gOeJ6n0lZbJ4bN7m8r5e2n2X7m0b9cQ9e'],
    ['plain text', 'hunter2'],
    ['missing key', `scrypt$N=32768,r=8,p=1$${salt}`],
    ['extra field', `scrypt$N=32768,r=8,p=1$${salt}$${key}$x`],
    ['other algorithm name', `argon2$N=32768,r=8,p=1$${salt}$${key}`],
    ['params reordered', `scrypt$r=8,N=32768,p=1$${salt}$${key}`],
    ['N not a power of two', `scrypt$N=30000,r=8,p=1$${salt}$${key}`],
    ['N = 1', `scrypt$N=1,r=8,p=1$${salt}$${key}`],
    ['N too large (DoS)', `scrypt$N=16777216,r=8,p=1$${salt}$${key}`],
    ['r = 0', `scrypt$N=32768,r=0,p=1$${salt}$${key}`],
    ['p = 0', `scrypt$N=32768,r=8,p=0$${salt}$${key}`],
    ['r too large', `scrypt$N=32768,r=999,p=1$${salt}$${key}`],
    ['negative N', `scrypt$N=-32768,r=8,p=1$${salt}$${key}`],
    ['salt not base64', `scrypt$N=32768,r=8,p=1$not*base64$${key}`],
    ['key with URL-safe base64', `scrypt$N=32768,r=8,p=1$${salt}$${key.replace(/A/g, '-')}-`],
    ['non-canonical padding', `scrypt$N=32768,r=8,p=1$${salt.replace(/==$/, '')}$${key}`],
    ['salt too short', `scrypt$N=32768,r=8,p=1$AAAA$${key}`],
    ['key too short', `scrypt$N=32768,r=8,p=1$${salt}$AAAA`],
    ['trailing newline', `scrypt$N=32768,r=8,p=1$${salt}$${key}\n`],
  ];
  for (const [name, stored] of malformed) {
    test(name, async () => {
      assert.equal(await verifyPassword('anything', stored), false);
      assert.equal(needsRehash(stored), true);
    });
  }
  test('non-string stored value', async () => {
    assert.equal(await verifyPassword('x', null as unknown as string), false);
    assert.equal(await verifyPassword('x', undefined as unknown as string), false);
  });
});

describe('needsRehash', () => {
  test('a fresh hash does not need rehashing', async () => {
    assert.equal(needsRehash(await hashPassword('x')), false);
  });
  const salt16 = Buffer.alloc(16, 7).toString('base64');
  const key32 = Buffer.alloc(32, 9).toString('base64');
  const cases: Array<[string, string, boolean]> = [
    ['current parameters', `scrypt$N=32768,r=8,p=1$${salt16}$${key32}`, false],
    ['weaker N', `scrypt$N=16384,r=8,p=1$${salt16}$${key32}`, true],
    ['stronger N', `scrypt$N=65536,r=8,p=1$${salt16}$${key32}`, true],
    ['other r', `scrypt$N=32768,r=16,p=1$${salt16}$${key32}`, true],
    ['other p', `scrypt$N=32768,r=8,p=2$${salt16}$${key32}`, true],
    ['64-byte key', RFC7914_STORED, true],
    [
      '12-byte salt',
      `scrypt$N=32768,r=8,p=1$${Buffer.alloc(12).toString('base64')}$${key32}`,
      true,
    ],
  ];
  for (const [name, stored, expected] of cases) {
    test(`${name} → ${expected}`, () => assert.equal(needsRehash(stored), expected));
  }
});

describe('generatePassword (temporary passwords)', () => {
  test('every sample passes the policy for its user; no fixed part at either end', () => {
    const context = { email: 'zhang.wei@example.com', name: 'Zhang Wei' };
    const samples = Array.from({ length: 2000 }, () => generatePassword(context));
    for (const p of samples) {
      assert.equal(p.length, 20);
      assert.deepEqual(checkPassword(p, context), { ok: true }, p);
    }
    assert.equal(new Set(samples).size, samples.length, 'all different');
    // The old generator ended every password in "-9aZ": no suffix or prefix may be shared by all.
    for (const n of [1, 2, 3, 4]) {
      assert.ok(new Set(samples.map((p) => p.slice(-n))).size > 1, `suffix of ${n}`);
      assert.ok(new Set(samples.map((p) => p.slice(0, n))).size > 1, `prefix of ${n}`);
    }
    // Every position draws from the whole alphabet: with 2000 samples of 64 symbols each
    // position shows far more than half of them (a fixed or narrowed position shows few).
    for (let i = 0; i < 20; i++)
      assert.ok(new Set(samples.map((p) => p[i])).size > 40, `position ${i}`);
  });
});
