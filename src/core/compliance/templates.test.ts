import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, renderTemplate, type ParamProblem, type Template } from './templates.ts';
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

const vars = (n: number): string => Array.from({ length: n }, (_, i) => `\${v${i}}`).join(' ');

describe('parseTemplate: accepted', () => {
  const cases: Array<[string, string[]]> = [
    ['您的验证码是${code}，5分钟内有效', ['code']],
    ['没有变量的模板', []],
    ['${a}${b}${a}', ['a', 'b']],
    ['${name}您好，订单${order_no}已发货，${name}请查收', ['name', 'order_no']],
    ['价格 $5 {不是变量} 和 } 和 $ {x}', []],
    ['${_}', ['_']],
    ['${A1_b2}', ['A1_b2']],
    [`\${${'a'.repeat(32)}}`, ['a'.repeat(32)]],
    ['$${x}', ['x']],
    ['${x}}', ['x']],
    [vars(20), Array.from({ length: 20 }, (_, i) => `v${i}`)],
    [vars(20) + ' ${v0} ${v19}', Array.from({ length: 20 }, (_, i) => `v${i}`)],
  ];
  for (const [body, variables] of cases)
    test(JSON.stringify(body), () => assert.deepEqual(parseTemplate(body), { body, variables }));
});

describe('parseTemplate: refused with invalid_template, field body', () => {
  const cases: Array<[string, string, RegExp, number | undefined]> = [
    ['empty', '', /empty/, undefined],
    ['blank', '  \n ', /empty/, undefined],
    ['unclosed', '验证码${code', /at 3 is never closed/, 3],
    ['unclosed second', '${a} ${b', /at 5 is never closed/, 5],
    ['empty name', '您好${}', /empty variable name/, 2],
    ['starts with a digit', '${1abc}', /invalid variable name "1abc"/, 0],
    ['space inside', '${ code }', /invalid variable name " code "/, 0],
    ['hyphen', '${order-no}', /invalid variable name "order-no"/, 0],
    ['Han name', '${验证码}', /invalid variable name "验证码"/, 0],
    ['33 characters', `\${${'a'.repeat(33)}}`, /invalid variable name/, 0],
    ['nested', '${a${b}}', /invalid variable name "a\$\{b"/, 0],
    ['21 variables', vars(21), /at most 20 variables, this one has 21/, undefined],
  ];
  for (const [name, body, detail, position] of cases)
    test(name, () => {
      const err = refusal(() => parseTemplate(body));
      assert.equal(err.code, 'invalid_template');
      assert.deepEqual(
        err.details,
        position === undefined ? { field: 'body' } : { field: 'body', position },
      );
      assert.match(err.message, detail);
    });
});

describe('renderTemplate', () => {
  const verification: Template = {
    ...parseTemplate('您的验证码是${code}，${minutes}分钟内有效。验证码${code}请勿告诉他人'),
    class: 'verification',
  };
  const notification: Template = {
    ...parseTemplate('${name}您好，订单${order}已发货'),
    class: 'notification',
  };

  const rendered: Array<[string, Template, Record<string, unknown>, string]> = [
    [
      'replaces every occurrence',
      verification,
      { code: '123456', minutes: 5 },
      '您的验证码是123456，5分钟内有效。验证码123456请勿告诉他人',
    ],
    [
      '4-digit code',
      verification,
      { code: '0123', minutes: '5' },
      '您的验证码是0123，5分钟内有效。验证码0123请勿告诉他人',
    ],
    [
      'numeric code',
      verification,
      { code: 87654321, minutes: 10 },
      '您的验证码是87654321，10分钟内有效。验证码87654321请勿告诉他人',
    ],
    ['notification', notification, { name: '张三', order: 'A-1001' }, '张三您好，订单A-1001已发货'],
    [
      'decimal number',
      { ...parseTemplate('余额${b}元'), class: 'notification' },
      { b: 12.5 },
      '余额12.5元',
    ],
    [
      'no variables',
      { ...parseTemplate('系统维护通知'), class: 'notification' },
      {},
      '系统维护通知',
    ],
    ['a value with $ and }', notification, { name: '$}{', order: '1' }, '$}{您好，订单1已发货'],
    [
      '20 code points',
      notification,
      { name: '一'.repeat(20), order: '1' },
      '一'.repeat(20) + '您好，订单1已发货',
    ],
    [
      '20 astral code points',
      notification,
      { name: '𠀀'.repeat(20), order: '1' },
      '𠀀'.repeat(20) + '您好，订单1已发货',
    ],
    [
      'code outside verification is free-form',
      { ...parseTemplate('取件码${code}'), class: 'notification' },
      { code: 'AB-12' },
      '取件码AB-12',
    ],
  ];
  for (const [name, t, params, expected] of rendered)
    test(name, () => assert.equal(renderTemplate(t, params), expected));

  test('maxParamLength raises the limit', () =>
    assert.equal(
      renderTemplate(notification, { name: 'x'.repeat(30), order: '1' }, { maxParamLength: 30 }),
      'x'.repeat(30) + '您好，订单1已发货',
    ));

  const refused: Array<
    [string, Template, Record<string, unknown>, string, ParamProblem, RegExp, RenderOpts?]
  > = [
    ['missing', notification, { name: '张三' }, 'params.order', 'missing', /"order" is missing/],
    [
      'undefined counts as missing',
      notification,
      { name: '张三', order: undefined },
      'params.order',
      'missing',
      /missing/,
    ],
    [
      'first problem in variable order',
      notification,
      {},
      'params.name',
      'missing',
      /"name" is missing/,
    ],
    [
      'unknown',
      notification,
      { name: '张三', order: '1', extra: 'x' },
      'params.extra',
      'unknown',
      /"extra" is not a variable/,
    ],
    [
      'boolean',
      notification,
      { name: true, order: '1' },
      'params.name',
      'type',
      /string or a finite number/,
    ],
    [
      'null',
      notification,
      { name: null, order: '1' },
      'params.name',
      'type',
      /string or a finite number/,
    ],
    [
      'object',
      notification,
      { name: { a: 1 }, order: '1' },
      'params.name',
      'type',
      /string or a finite number/,
    ],
    ['NaN', notification, { name: NaN, order: '1' }, 'params.name', 'type', /finite/],
    ['Infinity', notification, { name: Infinity, order: '1' }, 'params.name', 'type', /finite/],
    ['bigint', notification, { name: 1n, order: '1' }, 'params.name', 'type', /finite/],
    ['empty string', notification, { name: '', order: '1' }, 'params.name', 'empty', /is empty/],
    ['blank string', notification, { name: '  ', order: '1' }, 'params.name', 'empty', /is empty/],
    [
      '21 characters',
      notification,
      { name: '一'.repeat(21), order: '1' },
      'params.name',
      'too_long',
      /is 21 characters, at most 20 allowed/,
    ],
    [
      'over a custom maximum',
      notification,
      { name: 'abcd', order: '1' },
      'params.name',
      'too_long',
      /is 4 characters, at most 3/,
      { maxParamLength: 3 },
    ],
    [
      'placeholder',
      notification,
      { name: '${order}', order: '1' },
      'params.name',
      'placeholder',
      /must not contain "\$\{"/,
    ],
    [
      'newline',
      notification,
      { name: '张\n三', order: '1' },
      'params.name',
      'control',
      /control characters/,
    ],
    [
      'code with letters',
      verification,
      { code: '12a4', minutes: 5 },
      'params.code',
      'code_format',
      /4-8 digits/,
    ],
    [
      '3-digit code',
      verification,
      { code: '123', minutes: 5 },
      'params.code',
      'code_format',
      /4-8 digits/,
    ],
    [
      '9-digit code',
      verification,
      { code: '123456789', minutes: 5 },
      'params.code',
      'code_format',
      /4-8 digits/,
    ],
    [
      'full-width digits',
      verification,
      { code: '１２３４', minutes: 5 },
      'params.code',
      'code_format',
      /4-8 digits/,
    ],
    [
      'code number losing its leading zero',
      verification,
      { code: 123, minutes: 5 },
      'params.code',
      'code_format',
      /4-8 digits/,
    ],
  ];
  for (const [name, t, params, field, problem, detail, opts] of refused)
    test(`refused: ${name}`, () => {
      const err = refusal(() => renderTemplate(t, params, opts));
      assert.equal(err.code, 'template_params_invalid');
      assert.deepEqual(err.details, { field, problem });
      assert.match(err.message, detail);
    });

  test('params that are not an object are refused with field params', () => {
    for (const params of [null, ['x'], 'x']) {
      const err = refusal(() => renderTemplate(notification, params as never));
      assert.equal(err.code, 'template_params_invalid');
      assert.deepEqual(err.details, { field: 'params', problem: 'type' });
    }
  });

  test('variables that do not match the body are invalid_template', () => {
    const err = refusal(() =>
      renderTemplate({ body: '${a}${b}', variables: ['a'], class: 'notification' }, { a: '1' }),
    );
    assert.equal(err.code, 'invalid_template');
    assert.deepEqual(err.details, { field: 'body' });
  });

  test('a bad maxParamLength is a RangeError', () => {
    assert.throws(
      () => renderTemplate(notification, { name: 'a', order: '1' }, { maxParamLength: 0 }),
      RangeError,
    );
  });
});

type RenderOpts = { maxParamLength?: number };

describe('templates: text that cannot be sent is invalid_text', () => {
  const notification: Template = {
    body: '尊敬的${name}，您的订单${order}已发货',
    variables: ['name', 'order'],
    class: 'notification',
  };
  const bodies: Array<[string, string, number]> = [
    ['a lone high surrogate in the body', '您好\uD83D，${code}', 2],
    ['a lone low surrogate at the start', '\uDE00${code}', 0],
    ['NUL in the body', '验证码${code}\0', 10],
  ];
  for (const [name, body, index] of bodies)
    test(`parseTemplate refuses ${name}`, () => {
      const err = refusal(() => parseTemplate(body));
      assert.equal(err.code, 'invalid_text');
      assert.equal(err.details?.field, 'body');
      assert.equal(err.details?.index, index);
    });

  test('a body with an emoji (a well-formed pair) is fine', () =>
    assert.deepEqual(parseTemplate('🎉 ${name}'), { body: '🎉 ${name}', variables: ['name'] }));

  const params: Array<[string, Record<string, unknown>, string, string]> = [
    [
      'a lone surrogate in a value',
      { name: '张\uD83D', order: '1' },
      'params.name',
      'lone_surrogate',
    ],
    ['NUL in a value', { name: '张三', order: '1\0' }, 'params.order', 'nul'],
  ];
  for (const [name, p, field, problem] of params)
    test(`renderTemplate refuses ${name}`, () => {
      const err = refusal(() => renderTemplate(notification, p));
      assert.equal(err.code, 'invalid_text');
      assert.equal(err.details?.field, field);
      assert.equal(err.details?.problem, problem);
    });

  test('a value with an emoji renders', () =>
    assert.equal(
      renderTemplate(notification, { name: '张三😀', order: '1' }),
      '尊敬的张三😀，您的订单1已发货',
    ));
});
