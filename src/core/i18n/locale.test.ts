import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLocale, negotiateLocale, type Locale } from './locale.ts';

describe('negotiateLocale (Accept-Language)', () => {
  const cases: Array<[string | undefined, Locale, Locale]> = [
    // header, fallback (the tenant's locale), expected
    [undefined, 'zh-CN', 'zh-CN'],
    [undefined, 'en', 'en'],
    ['', 'en', 'en'],
    ['en', 'zh-CN', 'en'],
    ['EN', 'zh-CN', 'en'],
    ['en-US,en;q=0.9', 'zh-CN', 'en'],
    ['en-GB', 'zh-CN', 'en'],
    ['zh-CN', 'en', 'zh-CN'],
    ['zh', 'en', 'zh-CN'],
    ['zh-Hans-CN', 'en', 'zh-CN'],
    ['zh-TW,zh;q=0.9', 'en', 'zh-CN'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'en', 'zh-CN'],
    ['en;q=0.8, zh;q=0.9', 'en', 'zh-CN'],
    ['zh;q=0.5, en;q=0.5', 'en', 'zh-CN'], // equal weights: the first listed
    ['fr-FR, fr;q=0.9, en;q=0.5', 'zh-CN', 'en'], // the first we have
    ['fr, de', 'en', 'en'], // none we have: the tenant's
    ['*', 'en', 'en'],
    ['*;q=0.5, en', 'zh-CN', 'en'],
    ['en;q=0', 'en', 'zh-CN'], // "not English": the other one
    ['en;q=0, fr', 'zh-CN', 'zh-CN'],
    ['en ; q = 0.7', 'zh-CN', 'en'],
    ['en;q=1.000', 'zh-CN', 'en'],
    ['en;q=abc', 'zh-CN', 'en'], // a bad weight is ignored, the tag still counts
    ['x-klingon, en', 'zh-CN', 'en'],
    ['e n, zh', 'en', 'zh-CN'], // a malformed tag is skipped
    [';;;,,,', 'en', 'en'],
    ['x'.repeat(5000), 'zh-CN', 'zh-CN'], // nonsense of any length: the fallback
    [','.repeat(5000) + 'en', 'zh-CN', 'zh-CN'], // only the first 32 ranges are read
  ];
  for (const [header, fallback, expected] of cases)
    test(`${JSON.stringify(header?.slice(0, 40))} (tenant ${fallback}) → ${expected}`, () =>
      assert.equal(negotiateLocale(header, fallback), expected));

  test('the default fallback is zh-CN', () => assert.equal(negotiateLocale('fr'), 'zh-CN'));
});

describe('isLocale', () => {
  for (const [v, ok] of [
    ['zh-CN', true],
    ['en', true],
    ['zh', false],
    ['en-US', false],
    ['', false],
    [null, false],
    [1, false],
  ] as Array<[unknown, boolean]>)
    test(`${JSON.stringify(v)} → ${ok}`, () => assert.equal(isLocale(v), ok));
});
