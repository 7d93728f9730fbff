import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCatalog, type ErrorCode } from '../errors.ts';
import { catalogs, errorTitle, LOCALES, localizedError, translate } from './index.ts';

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('the message catalog', () => {
  test('zh-CN and en have exactly the same keys', () => {
    const zh = Object.keys(catalogs['zh-CN']).sort();
    const en = Object.keys(catalogs.en).sort();
    assert.deepEqual(
      zh.filter((k) => !en.includes(k)),
      [],
      'keys only in zh-CN',
    );
    assert.deepEqual(
      en.filter((k) => !zh.includes(k)),
      [],
      'keys only in en (an error code without a Chinese title goes in messages.zh-CN.ts)',
    );
  });

  test('every error code has a title in every locale', () => {
    for (const locale of LOCALES)
      for (const code of Object.keys(errorCatalog))
        assert.ok(catalogs[locale][`error.${code}`], `${locale}: error.${code}`);
  });

  test('a text says the same placeholders in both languages, and none is empty', () => {
    for (const [key, en] of Object.entries(catalogs.en)) {
      const zh = catalogs['zh-CN'][key] ?? '';
      assert.ok(en.trim() && zh.trim(), key);
      assert.deepEqual(placeholders(zh), placeholders(en), key);
    }
  });

  test('the Chinese texts are Chinese', () => {
    const han = /\p{Script=Han}/u;
    for (const [key, zh] of Object.entries(catalogs['zh-CN']))
      assert.ok(han.test(zh) || /^\{\{\w+\}\}\W*\{\{\w+\}\}$/.test(zh), `${key}: ${zh}`);
  });

  const cases: Array<[Parameters<typeof translate>, string]> = [
    [['zh-CN', 'notice.low_balance.subject'], '短信余额不足'],
    [['en', 'notice.low_balance.subject'], 'Low SMS balance'],
    [
      ['zh-CN', 'notice.contract_expiring.subject', { number: 'HY-1', days: 7 }],
      '合同 HY-1 将于 7 天后到期',
    ],
    [
      ['en', 'notice.contract_expiring.subject', { number: 'HY-1', days: 7 }],
      'Contract HY-1 ends in 7 days',
    ],
    // Plain text, not HTML: values are not escaped.
    [['en', 'http.message_not_found', { id: '<msg&"x">' }], 'no message <msg&"x">'],
    [['zh-CN', 'notice.sms', { subject: '主题', text: '正文' }], '主题：正文'],
    [['zh-CN', 'error.not_found'], '未找到'],
    [['en', 'error.not_found'], 'Not found'],
  ];
  for (const [args, expected] of cases)
    test(`${args[0]} ${args[1]} → ${expected}`, () => assert.equal(translate(...args), expected));

  test('error titles: English from the error catalog, Chinese from messages.zh-CN.ts', () => {
    for (const code of Object.keys(errorCatalog) as ErrorCode[])
      assert.equal(errorTitle('en', code), errorCatalog[code].title);
    assert.equal(errorTitle('zh-CN', 'insufficient_balance'), '余额不足');
  });

  test('localizedError: English in the message, the key and values kept for the transport', () => {
    const e = localizedError(
      'invalid_request',
      'http.invalid_limit',
      { max: 1000 },
      { field: 'limit' },
    );
    assert.equal(e.code, 'invalid_request');
    assert.equal(e.message, 'limit must be 1-1000');
    assert.deepEqual(e.details, { field: 'limit' });
    assert.deepEqual(e.localized, { key: 'http.invalid_limit', params: { max: 1000 } });
    assert.equal(
      translate('zh-CN', e.localized!.key, e.localized!.params),
      'limit 必须在 1 到 1000 之间',
    );
  });
});
