import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { creditCodeCheckChar, validateCreditCode } from './credit-code.ts';

describe('validateCreditCode: valid codes', () => {
  // Published codes (business licences / public registries), each also re-checked by an
  // independent Python implementation of GB 32100-2015 §5 while writing this table.
  const published: Array<[string, string]> = [
    ['91350100M000100Y43', 'common GB 32100 example'],
    ['91110000802100433B', '北京百度网讯科技有限公司'],
    ['914403001922038216', '华为技术有限公司 (digit check char)'],
    ['91330100799655058B', '阿里巴巴(中国)有限公司'],
    ['91110108551385082Q', '小米科技有限责任公司'],
    ['91440300708461136T', '深圳市腾讯计算机系统有限公司'],
    ['9111000071093123XX', 'published code with check char X'],
    ['91110000710925462X', 'published code with check char X'],
  ];
  for (const [code, what] of published) {
    test(`${code} (${what})`, () => {
      assert.deepEqual(validateCreditCode(code), { ok: true, code });
    });
  }

  // Constructed: first 17 chosen, check char computed independently (Python, see above).
  const constructed: Array<[string, string]> = [
    ['91110000MA0123456P', 'MA-prefixed organisation code'],
    ['12100000400011479M', 'authority 1 (机构编制), type 2'],
    ['52100000500000337X', 'authority 5 (民政)'],
    ['Y1110000000000000Q', 'authority Y (其他)'],
    ['000000000000000000', 'all zeros: sum 0 → c = 31 → "0"'],
    ['91440300MA500B0000', 'sum ≡ 0 (mod 31) → c = 31 → "0"'],
    ['93440300MA5FABCDET', 'letters throughout the organisation code'],
  ];
  for (const [code, what] of constructed) {
    test(`${code} (${what})`, () => {
      assert.deepEqual(validateCreditCode(code), { ok: true, code });
    });
  }

  const normalised: Array<[string, string]> = [
    ['91350100m000100y43', '91350100M000100Y43'],
    ['  91110108551385082q\n', '91110108551385082Q'],
    ['\t9111000071093123xx ', '9111000071093123XX'],
  ];
  for (const [input, code] of normalised) {
    test(`${JSON.stringify(input)} normalises to ${code}`, () => {
      assert.deepEqual(validateCreditCode(input), { ok: true, code });
    });
  }
});

describe('validateCreditCode: invalid codes', () => {
  const invalid: Array<[string, string]> = [
    ['', 'credit code is empty'],
    ['   ', 'credit code is empty'],
    ['91350100M000100Y4', 'credit code must be 18 characters, got 17'],
    ['91350100M000100Y433', 'credit code must be 18 characters, got 19'],
    ['9135 0100M000100Y43', 'credit code must be 18 characters, got 19'],
    // An astral character is one character, not two UTF-16 units.
    ['91350100M000100Y4😀', 'credit code has invalid character "😀" at position 18'],
    [
      '91350100M000100I43',
      'credit code has invalid character "I" at position 16 (I, O, Z, S and V are never used)',
    ],
    [
      '91350100O000100Y43',
      'credit code has invalid character "O" at position 9 (I, O, Z, S and V are never used)',
    ],
    [
      'Z1350100M000100Y43',
      'credit code has invalid character "Z" at position 1 (I, O, Z, S and V are never used)',
    ],
    [
      '91350100M000100Y4S',
      'credit code has invalid character "S" at position 18 (I, O, Z, S and V are never used)',
    ],
    [
      '9v350100M000100Y43',
      'credit code has invalid character "V" at position 2 (I, O, Z, S and V are never used)',
    ],
    ['91350100M00-100Y43', 'credit code has invalid character "-" at position 12'],
    ['91350100M000１00Y43', 'credit code has invalid character "１" at position 13'],
    [
      '9135A100M000100Y43',
      'credit code positions 3-8 must be a 6-digit administrative division code, got "35A100"',
    ],
    // One character changed anywhere must be caught (GB 32100 weights are all non-zero mod 31).
    ['91350100M000100Y44', 'credit code check character is "4" but should be "3"'],
    ['91350101M000100Y43', 'credit code check character is "3" but should be "H"'],
    ['81350100M000100Y43', 'credit code check character is "3" but should be "4"'],
    ['91110000802100433C', 'credit code check character is "C" but should be "B"'],
    // Circulates online as a real code but fails the check: a typo, not a valid code.
    ['911100001000136740', 'credit code check character is "0" but should be "W"'],
    // Two adjacent characters transposed.
    ['91110108553185082Q', 'credit code check character is "Q" but should be "0"'],
  ];
  for (const [input, detail] of invalid) {
    test(`${JSON.stringify(input)} → ${detail}`, () => {
      const r = validateCreditCode(input);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.detail, detail);
    });
  }

  test('every single-character substitution of a valid code is rejected', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const valid = '91330100799655058B';
    let tried = 0;
    for (let i = 0; i < valid.length; i++) {
      for (const ch of alphabet) {
        if (ch === valid[i]) continue;
        const mutated = valid.slice(0, i) + ch + valid.slice(i + 1);
        assert.equal(validateCreditCode(mutated).ok, false, mutated);
        tried++;
      }
    }
    assert.equal(tried, 18 * 30);
  });
});

describe('creditCodeCheckChar', () => {
  const cases: Array<[string, string]> = [
    ['91350100M000100Y4', '3'],
    ['91440300708461136', 'T'],
    ['00000000000000000', '0'],
    ['10000000000000000', 'Y'], // sum 1 → c = 30 → alphabet[30]
  ];
  for (const [first17, ch] of cases) {
    test(`${first17} → ${ch}`, () => assert.equal(creditCodeCheckChar(first17), ch));
  }
  test('rejects the wrong length and foreign characters', () => {
    assert.throws(() => creditCodeCheckChar('9135'), RangeError);
    assert.throws(() => creditCodeCheckChar('91350100M000100I4'), RangeError);
  });
});
