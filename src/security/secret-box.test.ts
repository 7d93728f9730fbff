import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { decryptText, encryptText, parseKeyring } from './secret-box.ts';

const K1 = Buffer.alloc(32, 0x11).toString('base64');
const K2 = Buffer.alloc(32, 0x22).toString('base64');
const K3 = Buffer.alloc(32, 0x33).toString('base64');

describe('parseKeyring', () => {
  test('first entry is current; whitespace around entries is ignored', () => {
    const ring = parseKeyring(` k1:${K1} , k2:${K2}\n`);
    assert.equal(ring.currentKeyId, 'k1');
    assert.deepEqual(Object.keys(ring.keys), ['k1', 'k2']);
    assert.deepEqual(ring.keys.k1, new Uint8Array(32).fill(0x11));
    assert.deepEqual(ring.keys.k2, new Uint8Array(32).fill(0x22));
  });

  const bad: Array<[string, string, string]> = [
    ['empty', '', 'encryption keyring is empty: expected "id:base64key[,id:base64key…]"'],
    ['blank', '  \n', 'encryption keyring is empty: expected "id:base64key[,id:base64key…]"'],
    ['stray comma', `k1:${K1},`, 'encryption keyring entry 2 is empty (stray comma?)'],
    ['no colon', K1, 'encryption keyring entry 1 has no ":" between key id and key'],
    [
      'empty id',
      `:${K1}`,
      'encryption keyring entry 1 has an invalid key id (1-32 of A-Z a-z 0-9 _ . -)',
    ],
    [
      'id with a space',
      `key one:${K1}`,
      'encryption keyring entry 1 has an invalid key id (1-32 of A-Z a-z 0-9 _ . -)',
    ],
    [
      'duplicate id',
      `k1:${K1},k2:${K2},k1:${K3}`,
      'encryption keyring entry 3: duplicate key id "k1"',
    ],
    ['empty key', 'k1:', 'encryption keyring entry 1 (key id "k1"): key is not valid base64'],
    [
      'bad base64',
      'k1:not*base64!',
      'encryption keyring entry 1 (key id "k1"): key is not valid base64',
    ],
    [
      'unpadded base64',
      `k1:${K1.replace(/=$/, '')}`,
      'encryption keyring entry 1 (key id "k1"): key is not valid base64',
    ],
    [
      'url-safe base64',
      `k1:${Buffer.alloc(32, 0xfb).toString('base64url')}=`,
      'encryption keyring entry 1 (key id "k1"): key is not valid base64',
    ],
    [
      '16-byte key',
      `k1:${Buffer.alloc(16).toString('base64')}`,
      'encryption keyring entry 1 (key id "k1"): key is 16 bytes, AES-256 needs 32',
    ],
    [
      '33-byte key in the second entry',
      `k1:${K1},k2:${Buffer.alloc(33).toString('base64')}`,
      'encryption keyring entry 2 (key id "k2"): key is 33 bytes, AES-256 needs 32',
    ],
  ];
  for (const [name, spec, message] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(() => parseKeyring(spec), { name: 'Error', message });
    });
  }

  test('error messages never contain key material', () => {
    const secret = Buffer.alloc(31, 0x5a).toString('base64');
    assert.throws(
      () => parseKeyring(`k1:${secret}`),
      (err: Error) => !err.message.includes(secret) && /31 bytes/.test(err.message),
    );
  });

  test('"__proto__" and "toString" are ordinary ids', () => {
    const ring = parseKeyring(`__proto__:${K1},toString:${K2}`);
    assert.equal(ring.currentKeyId, '__proto__');
    const sealed = encryptText(ring, 'hi', 'm1');
    assert.equal(decryptText(ring, '__proto__', sealed.data, 'm1'), 'hi');
    // Plain-object lookups would find Object.prototype members; ours must not.
    assert.throws(
      () => decryptText(parseKeyring(`k1:${K1}`), 'constructor', sealed.data),
      /unknown encryption key id "constructor"/,
    );
  });
});

describe('hand-built keyrings', () => {
  test('inherited object members are not keys', () => {
    // A Keyring written as an object literal has Object.prototype behind it.
    const ring = { currentKeyId: 'k1', keys: { k1: new Uint8Array(32).fill(0x11) } };
    const sealed = encryptText(ring, 'x');
    for (const id of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      assert.throws(() => decryptText(ring, id, sealed.data), {
        message: `unknown encryption key id "${id}"`,
      });
    }
  });

  test('a current key of the wrong size is refused', () => {
    const ring = { currentKeyId: 'k1', keys: { k1: new Uint8Array(16) } };
    assert.throws(() => encryptText(ring, 'x'), {
      message: 'encryption key "k1" is 16 bytes, AES-256 needs 32',
    });
    assert.throws(() => encryptText({ currentKeyId: 'k9', keys: {} }, 'x'), {
      message: 'unknown encryption key id "k9"',
    });
  });
});

describe('encryptText / decryptText', () => {
  const ring = parseKeyring(`k1:${K1}`);

  const texts = [
    '',
    'hello',
    '【鸿雁】您的验证码是 123456，5 分钟内有效。',
    'emoji 😀👍🏽👨‍👩‍👧 and flags 🇨🇳',
    'x'.repeat(10_000),
  ];
  for (const text of texts) {
    test(`round trip ${JSON.stringify(text.slice(0, 30))} (${text.length} units)`, () => {
      const sealed = encryptText(ring, text, 'msg_01');
      assert.equal(sealed.keyId, 'k1');
      const raw = Buffer.from(sealed.data, 'base64');
      assert.equal(raw.length, 12 + Buffer.byteLength(text, 'utf8') + 16);
      assert.equal(decryptText(ring, 'k1', sealed.data, 'msg_01'), text);
      assert.equal(decryptText(ring, 'k1', encryptText(ring, text).data), text);
    });
  }

  test('layout is IV || ciphertext || tag, decryptable by a plain AES-256-GCM', () => {
    const sealed = encryptText(ring, '验证码', 'row-7');
    const raw = Buffer.from(sealed.data, 'base64');
    const d = createDecipheriv('aes-256-gcm', Buffer.alloc(32, 0x11), raw.subarray(0, 12));
    d.setAAD(Buffer.from('row-7'));
    d.setAuthTag(raw.subarray(raw.length - 16));
    const plain = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
    assert.equal(plain.toString('utf8'), '验证码');
  });

  test('fresh IV each time: same plaintext gives different data', () => {
    const a = encryptText(ring, 'same', 'm');
    const b = encryptText(ring, 'same', 'm');
    assert.notEqual(a.data, b.data);
    assert.notEqual(a.data.slice(0, 16), b.data.slice(0, 16));
  });

  test('refuses an empty aad, which GCM could not tell from none', () => {
    assert.throws(() => encryptText(ring, 'x', ''), {
      message: 'aad must be a non-empty string (or omitted)',
    });
  });

  test('refuses a lone surrogate rather than storing U+FFFD', () => {
    assert.throws(() => encryptText(ring, 'bad \ud83d text'), /lone UTF-16 surrogate/);
  });
});

describe('key rotation', () => {
  test('old rows keep decrypting after a new current key is added', () => {
    const before = parseKeyring(`k1:${K1}`);
    const old = encryptText(before, '旧消息', 'm1');
    const after = parseKeyring(`k2:${K2},k1:${K1}`);
    const fresh = encryptText(after, '新消息', 'm2');
    assert.equal(old.keyId, 'k1');
    assert.equal(fresh.keyId, 'k2');
    assert.equal(decryptText(after, 'k1', old.data, 'm1'), '旧消息');
    assert.equal(decryptText(after, 'k2', fresh.data, 'm2'), '新消息');
    // Claiming the wrong key id for a row fails authentication, not garbage output.
    assert.throws(() => decryptText(after, 'k2', old.data, 'm1'), /failed authentication/);
  });

  test('a row whose key was removed from the ring cannot be read', () => {
    const old = encryptText(parseKeyring(`k1:${K1}`), 'x');
    assert.throws(() => decryptText(parseKeyring(`k2:${K2}`), 'k1', old.data), {
      message: 'unknown encryption key id "k1"',
    });
  });
});

describe('decryptText failures', () => {
  const ring = parseKeyring(`k1:${K1},k2:${K2}`);
  const sealed = encryptText(ring, '您的验证码是 123456', 'msg_A');
  const raw = Buffer.from(sealed.data, 'base64');
  const flip = (index: number): string => {
    const copy = Buffer.from(raw);
    copy[index] = (copy[index] ?? 0) ^ 0x01;
    return copy.toString('base64');
  };
  const AUTH = /failed authentication: wrong key, wrong aad, or tampered/;

  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      'wrong aad (body swapped onto another row)',
      () => decryptText(ring, 'k1', sealed.data, 'msg_B'),
      AUTH,
    ],
    ['missing aad', () => decryptText(ring, 'k1', sealed.data), AUTH],
    ['aad differing only in case', () => decryptText(ring, 'k1', sealed.data, 'MSG_A'), AUTH],
    ['flipped IV bit', () => decryptText(ring, 'k1', flip(0), 'msg_A'), AUTH],
    ['flipped ciphertext bit', () => decryptText(ring, 'k1', flip(12), 'msg_A'), AUTH],
    ['flipped tag bit', () => decryptText(ring, 'k1', flip(raw.length - 1), 'msg_A'), AUTH],
    [
      'truncated tag',
      () => decryptText(ring, 'k1', raw.subarray(0, raw.length - 4).toString('base64'), 'msg_A'),
      AUTH,
    ],
    [
      'extra byte appended',
      () => decryptText(ring, 'k1', Buffer.concat([raw, Buffer.of(0)]).toString('base64'), 'msg_A'),
      AUTH,
    ],
    ['other key', () => decryptText(ring, 'k2', sealed.data, 'msg_A'), AUTH],
    [
      'unknown key id',
      () => decryptText(ring, 'k9', sealed.data, 'msg_A'),
      /unknown encryption key id "k9"/,
    ],
    ['empty data', () => decryptText(ring, 'k1', '', 'msg_A'), /too short: 0 bytes/],
    [
      '27 bytes (shorter than IV + tag)',
      () => decryptText(ring, 'k1', Buffer.alloc(27).toString('base64')),
      /too short: 27 bytes/,
    ],
    ['empty aad', () => decryptText(ring, 'k1', sealed.data, ''), /aad must be a non-empty string/],
    ['not base64', () => decryptText(ring, 'k1', 'Zm9v!!!', 'msg_A'), /not valid base64/],
  ];
  for (const [name, call, message] of cases) {
    test(name, () => assert.throws(call, message));
  }

  test('the authentication error keeps the crypto error as its cause', () => {
    try {
      decryptText(ring, 'k1', sealed.data, 'msg_B');
      assert.fail('should have thrown');
    } catch (err) {
      assert.ok(err instanceof Error);
      assert.ok(err.cause instanceof Error);
    }
  });
});
