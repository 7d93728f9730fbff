import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendOptOutHint,
  DEFAULT_OPT_OUT_HINT,
  DEFAULT_OPT_OUT_KEYWORDS,
  isOptOutReply,
} from './opt-out.ts';

describe('isOptOutReply with the default keywords', () => {
  const cases: Array<[string, boolean]> = [
    // The whole reply is a keyword.
    ['TD', true],
    ['td', true],
    ['Td', true],
    [' TD ', true],
    ['T', true],
    ['t', true],
    ['N', true],
    ['R', true],
    ['r。', true],
    ['0000', true],
    ['００００', true],
    ['STOP', true],
    ['stop', true],
    ['STOP!', true],
    ['Stop.', true],
    ['退订', true],
    [' 退订 ', true],
    ['退订。', true],
    ['【退订】', true],
    ['“退订”', true],
    ['取消', true],
    ['取消！', true],
    ['ＴＤ', true],
    ['Ｔ Ｄ', true],
    ['T D', true],
    ['\tTD\n', true],
    ['TD🙏', true],
    ['!! td !!', true],
    // A phrase inside a longer reply (documented choice: negation is not parsed).
    ['请退订，谢谢', true],
    ['退订谢谢', true],
    ['不要再发了，退订', true],
    ['我不想退订', true],
    ['为什么不能退订', true],
    ['please stop', true],
    ['Stop texting me', true],
    ['STOP发短信', true],
    // Not an opt-out.
    ['', false],
    ['   ', false],
    ['!!!', false],
    ['好的', false],
    ['TDD', false],
    ['TD TD', false],
    ['T.D', false],
    ['ok T', false],
    ['N0', false],
    ['NO', false],
    ['000', false],
    ['00000', false],
    ['取消订单', false],
    ['我要取消预约', false],
    ['stopped', false],
    ['nonstop', false],
    ['STOPS', false],
    ['退', false],
    ['Thanks', false],
    ['Yes', false],
  ];
  for (const [text, expected] of cases)
    test(`${JSON.stringify(text)} → ${expected}`, () =>
      assert.equal(isOptOutReply(text), expected));
});

describe('isOptOutReply with custom lists', () => {
  test('custom keywords replace the defaults for the whole-reply match', () => {
    assert.equal(isOptOutReply('QUIT', ['quit']), true);
    assert.equal(isOptOutReply('quit!', ['QUIT']), true);
    assert.equal(isOptOutReply('TD', ['QUIT']), false);
    assert.equal(isOptOutReply('请退订', ['QUIT']), true, 'the default phrases still apply');
  });
  test('custom phrases', () => {
    assert.equal(
      isOptOutReply('please unsubscribe me', DEFAULT_OPT_OUT_KEYWORDS, ['UNSUBSCRIBE']),
      true,
    );
    assert.equal(isOptOutReply('请退订', DEFAULT_OPT_OUT_KEYWORDS, []), false);
    assert.equal(isOptOutReply('退订', DEFAULT_OPT_OUT_KEYWORDS, []), true);
  });
  test('empty keywords never match', () => {
    assert.equal(isOptOutReply('!', ['', '!'], []), false);
  });
  test('a non-string is not an opt-out', () => {
    assert.equal(isOptOutReply(undefined as unknown as string), false);
  });
});

describe('appendOptOutHint', () => {
  const cases: Array<[string, string]> = [
    ['您的订单已发货', '您的订单已发货，拒收请回复R'],
    ['您的订单已发货。', '您的订单已发货。拒收请回复R'],
    ['您的订单已发货！', '您的订单已发货！拒收请回复R'],
    ['您的订单已发货，', '您的订单已发货，拒收请回复R'],
    ['您的订单已发货  \n', '您的订单已发货，拒收请回复R'],
    ['Your order shipped', 'Your order shipped 拒收请回复R'],
    ['Your order shipped.', 'Your order shipped.拒收请回复R'],
    ['详情见官网（hongyan.example）', '详情见官网（hongyan.example），拒收请回复R'],
    ['', '拒收请回复R'],
    ['   ', '拒收请回复R'],
    // Already hinted: unchanged.
    ['新品上市，拒收请回复R', '新品上市，拒收请回复R'],
    ['新品上市，回复TD退订', '新品上市，回复TD退订'],
    ['新品上市，回复 T 拒收', '新品上市，回复 T 拒收'],
    ['新品上市 回复n拒收', '新品上市 回复n拒收'],
    ['新品上市，回复ＴＤ拒收', '新品上市，回复ＴＤ拒收'],
    ['新品上市，退订回T', '新品上市，退订回T'],
    ['新品上市，如需退订请联系客服', '新品上市，如需退订请联系客服'],
    ['New arrivals, 回复STOP', 'New arrivals, 回复STOP'],
    // Look-alikes that are not a hint.
    ['回复Trip报名', '回复Trip报名，拒收请回复R'],
    ['请回复Y确认', '请回复Y确认，拒收请回复R'],
  ];
  for (const [text, expected] of cases)
    test(JSON.stringify(text), () => assert.equal(appendOptOutHint(text), expected));

  test('a custom hint, and its presence detected', () => {
    assert.equal(
      appendOptOutHint('新品上市', 'Reply STOP to opt out'),
      '新品上市，Reply STOP to opt out',
    );
    assert.equal(
      appendOptOutHint('Hi. Reply STOP to opt out', 'Reply STOP to opt out'),
      'Hi. Reply STOP to opt out',
    );
  });

  test('the default hint', () => assert.equal(DEFAULT_OPT_OUT_HINT, '拒收请回复R'));
});
