import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  totpCode,
  totpUri,
  verifyTotp,
} from './totp.ts';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('base32 (RFC 4648)', () => {
  // RFC 4648 §10 test vectors, padding stripped (we emit none).
  const vectors: Array<[string, string]> = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
    ['12345678901234567890', RFC_SECRET],
  ];
  for (const [ascii, encoded] of vectors) {
    test(`${JSON.stringify(ascii)} ↔ ${JSON.stringify(encoded)}`, () => {
      assert.equal(base32Encode(Buffer.from(ascii, 'ascii')), encoded);
      assert.equal(Buffer.from(base32Decode(encoded)).toString('ascii'), ascii);
    });
  }

  const lenient: Array<[string, string]> = [
    ['MZXW6YTBOI======', 'foobar'], // RFC padding
    ['mzxw6ytboi', 'foobar'], // lower case
    ['MZXW 6YTB OI', 'foobar'], // grouped as apps display it
  ];
  for (const [input, ascii] of lenient) {
    test(`decodes ${JSON.stringify(input)}`, () => {
      assert.equal(Buffer.from(base32Decode(input)).toString('ascii'), ascii);
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['MZXW6YT1', /"1" is not a base32 character/],
    ['MZXW6YT0', /"0" is not a base32 character/],
    ['MZXW6YT8', /"8" is not a base32 character/],
    ['M', /impossible length \(1\)/],
    ['MZX', /impossible length \(3\)/],
    ['MZXW6Y', /impossible length \(6\)/],
    ['MZ', /non-zero padding bits/], // "f" is MY; Z sets bits that encode nothing
  ];
  for (const [input, message] of bad) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => base32Decode(input), message);
    });
  }

  test('round trips every length 0..64 of pseudo-random bytes', () => {
    let seed = 0x12345678;
    for (let length = 0; length <= 64; length++) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        bytes[i] = seed >>> 24;
      }
      const encoded = base32Encode(bytes);
      assert.equal(encoded.length, Math.ceil((length * 8) / 5));
      assert.deepEqual(base32Decode(encoded), bytes);
    }
  });
});

describe('totpCode: RFC 6238 Appendix B (SHA-1)', () => {
  const vectors: Array<[number, string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, code] of vectors) {
    test(`T = ${seconds} s → ${code} (8 digits), ${code.slice(2)} (6 digits)`, () => {
      assert.equal(totpCode(RFC_SECRET, seconds * 1000, { digits: 8 }), code);
      // 6 digits is the same number mod 10^6.
      assert.equal(totpCode(RFC_SECRET, seconds * 1000), code.slice(2));
    });
  }

  test('the step boundary: 59.999 s and 60 s are different steps', () => {
    assert.equal(totpCode(RFC_SECRET, 59_999, { digits: 8 }), '94287082');
    assert.notEqual(totpCode(RFC_SECRET, 60_000, { digits: 8 }), '94287082');
  });

  test('step option: 60 s steps at T = 119 s give the 30 s code of T = 59 s', () => {
    assert.equal(totpCode(RFC_SECRET, 119_000, { digits: 8, step: 60 }), '94287082');
  });

  const badCalls: Array<[string, () => unknown, RegExp]> = [
    ['5 digits', () => totpCode(RFC_SECRET, 0, { digits: 5 }), /digits/],
    ['11 digits', () => totpCode(RFC_SECRET, 0, { digits: 11 }), /digits/],
    ['step 0', () => totpCode(RFC_SECRET, 0, { step: 0 }), /step/],
    ['negative time', () => totpCode(RFC_SECRET, -1), /time/],
    ['NaN time', () => totpCode(RFC_SECRET, Number.NaN), /time/],
    ['80-bit secret', () => totpCode('GEZDGNBVGY3TQOJQ', 0), /80 bits, at least 128/],
    ['bad secret', () => totpCode('not base32!', 0), /base32/],
  ];
  for (const [name, call, message] of badCalls) {
    test(`throws on ${name}`, () => assert.throws(call, message));
  }
});

describe('verifyTotp', () => {
  const t = 1111111111_000; // step 37037037, code 14050471 (8 digits) / 050471 (6)

  test('accepts the current code and returns its step counter', () => {
    assert.deepEqual(verifyTotp(RFC_SECRET, '050471', t), { ok: true, step: 37037037 });
    assert.deepEqual(verifyTotp(RFC_SECRET, '14050471', t, { digits: 8 }), {
      ok: true,
      step: 37037037,
    });
  });

  test('window: one step either side by default, reported as that step', () => {
    const previous = totpCode(RFC_SECRET, t - 30_000);
    const next = totpCode(RFC_SECRET, t + 30_000);
    const twoBack = totpCode(RFC_SECRET, t - 60_000);
    assert.deepEqual(verifyTotp(RFC_SECRET, previous, t), { ok: true, step: 37037036 });
    assert.deepEqual(verifyTotp(RFC_SECRET, next, t), { ok: true, step: 37037038 });
    assert.deepEqual(verifyTotp(RFC_SECRET, twoBack, t), { ok: false });
    assert.deepEqual(verifyTotp(RFC_SECRET, twoBack, t, { window: 2 }), {
      ok: true,
      step: 37037035,
    });
    assert.deepEqual(verifyTotp(RFC_SECRET, previous, t, { window: 0 }), { ok: false });
  });

  test('near the epoch there are no negative steps', () => {
    const code = totpCode(RFC_SECRET, 0);
    assert.deepEqual(verifyTotp(RFC_SECRET, code, 0), { ok: true, step: 0 });
  });

  const refused = [
    '050472', // wrong
    '05047', // too short
    '0504711', // too long
    '', // empty
    '05O471', // letter O
    '０５０４７１', // fullwidth digits
    '-50471',
    '14050471', // 8-digit code when 6 are expected
  ];
  for (const code of refused) {
    test(`refuses ${JSON.stringify(code)}`, () => {
      assert.deepEqual(verifyTotp(RFC_SECRET, code, t), { ok: false });
    });
  }

  test('accepts the code with spaces as apps display it, and a lowercase secret', () => {
    assert.deepEqual(verifyTotp(RFC_SECRET.toLowerCase(), ' 050 471 ', t), {
      ok: true,
      step: 37037037,
    });
  });

  test('rejects an unreasonable window', () => {
    assert.throws(() => verifyTotp(RFC_SECRET, '050471', t, { window: -1 }), /window/);
    assert.throws(() => verifyTotp(RFC_SECRET, '050471', t, { window: 11 }), /window/);
  });
});

describe('generateTotpSecret', () => {
  test('20 random bytes as 32 base32 characters, no padding, never repeating', () => {
    const a = generateTotpSecret();
    const b = generateTotpSecret();
    assert.match(a, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(a).length, 20);
    assert.notEqual(a, b);
    const code = totpCode(a, 1_700_000_000_000);
    assert.deepEqual(verifyTotp(a, code, 1_700_000_000_000), { ok: true, step: 56666666 });
  });
});

describe('totpUri', () => {
  const cases: Array<[string, string, string | undefined, string]> = [
    [
      RFC_SECRET,
      'alice@example.com',
      undefined,
      `otpauth://totp/Hongyan:alice%40example.com?secret=${RFC_SECRET}&issuer=Hongyan&algorithm=SHA1&digits=6&period=30`,
    ],
    [
      'gezd gnbv gy3t qojq gezd gnbv gy3t qojq',
      '张 伟+ops@例子.cn',
      'ACME & Co',
      `otpauth://totp/ACME%20%26%20Co:%E5%BC%A0%20%E4%BC%9F%2Bops%40%E4%BE%8B%E5%AD%90.cn?secret=${RFC_SECRET}&issuer=ACME%20%26%20Co&algorithm=SHA1&digits=6&period=30`,
    ],
    [
      'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====',
      'a/b?c#d',
      '鸿雁',
      `otpauth://totp/%E9%B8%BF%E9%9B%81:a%2Fb%3Fc%23d?secret=${RFC_SECRET}&issuer=%E9%B8%BF%E9%9B%81&algorithm=SHA1&digits=6&period=30`,
    ],
  ];
  for (const [secret, account, issuer, uri] of cases) {
    test(`${account} / ${issuer ?? '(default issuer)'}`, () => {
      assert.equal(totpUri(secret, account, issuer), uri);
      // Whatever we print must survive a standard URL parser.
      const parsed = new URL(uri);
      assert.equal(parsed.searchParams.get('secret'), RFC_SECRET);
      assert.equal(parsed.searchParams.get('issuer'), issuer ?? 'Hongyan');
      assert.equal(decodeURIComponent(parsed.pathname), `/${issuer ?? 'Hongyan'}:${account}`);
    });
  }

  const bad: Array<[string, () => unknown]> = [
    ['colon in account', () => totpUri(RFC_SECRET, 'a:b')],
    ['colon in issuer', () => totpUri(RFC_SECRET, 'a', 'X:Y')],
    ['empty account', () => totpUri(RFC_SECRET, ' ')],
    ['short secret', () => totpUri('GEZDGNBV', 'a')],
  ];
  for (const [name, call] of bad) {
    test(`throws on ${name}`, () => assert.throws(call, RangeError));
  }
});
