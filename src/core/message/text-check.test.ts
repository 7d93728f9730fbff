import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError } from '../errors.ts';
import { assertSendableText, checkText, type TextProblem } from './text-check.ts';
import { decodeUcs2 } from './encoding.ts';

const HIGH = '\uD83D'; // first half of 😀 (U+1F600 = D83D DE00)
const LOW = '\uDE00';

describe('checkText', () => {
  const good: Array<[string, string]> = [
    ['empty', ''],
    ['ASCII', 'Your code is 123456'],
    ['GSM escapes', '{[~^|€\\]}'],
    ['Chinese', '【鸿雁】您的验证码是 123456'],
    ['an emoji (a surrogate pair)', 'ok 😀'],
    ['a pair at the very start', '😀x'],
    ['a pair at the very end', 'x😀'],
    ['two pairs in a row', '😀👍'],
    ['a CJK Extension B ideograph', '𠀀'],
    ['a flag (two pairs)', '🇨🇳'],
    ['a family ZWJ sequence', '👨‍👩‍👧'],
    ['newline, CR, tab and form feed', 'a\nb\rc\td\fe'],
    ['ESC as a character', 'a\x1bb'],
    ['other C0 controls', '\x01\x07\x1f'],
    ['DEL and C1 controls', '\x7f\x85\x9f'],
    ['U+FFFD (the replacement character itself)', '\uFFFD'],
    ['noncharacters U+FFFE/U+FFFF', '\uFFFE\uFFFF'],
    ['the highest code point', '\u{10FFFF}'],
    ['a BOM', '\uFEFFhi'],
  ];
  for (const [what, text] of good)
    test(`ok: ${what}`, () => assert.deepEqual(checkText(text), { ok: true }));

  const bad: Array<[string, string, TextProblem, number]> = [
    ['a lone high surrogate alone', HIGH, 'lone_surrogate', 0],
    ['a lone low surrogate alone', LOW, 'lone_surrogate', 0],
    ['a high surrogate at the end', `code 1234 ${HIGH}`, 'lone_surrogate', 10],
    ['a low surrogate at the start', `${LOW}abc`, 'lone_surrogate', 0],
    ['a high surrogate followed by a letter', `a${HIGH}b`, 'lone_surrogate', 1],
    ['two high surrogates', `${HIGH}${HIGH}${LOW}`, 'lone_surrogate', 0],
    ['low then high (a reversed pair)', `${LOW}${HIGH}`, 'lone_surrogate', 0],
    ['a pair then a stray low', `😀${LOW}`, 'lone_surrogate', 2],
    ['a stray high between Chinese', `验证${HIGH}码`, 'lone_surrogate', 2],
    ['U+D800 (the first surrogate)', '\uD800', 'lone_surrogate', 0],
    ['U+DBFF (the last high surrogate)', 'x\uDBFF', 'lone_surrogate', 1],
    ['U+DC00 (the first low surrogate)', 'x\uDC00', 'lone_surrogate', 1],
    ['U+DFFF (the last surrogate)', '\uDFFF', 'lone_surrogate', 0],
    ['an emoji cut in half by a slice', 'hi 😀'.slice(0, 4), 'lone_surrogate', 3],
    ['NUL alone', '\0', 'nul', 0],
    ['NUL at the end (a C string habit)', 'hello\0', 'nul', 5],
    ['NUL inside', 'a\0b', 'nul', 1],
    ['NUL before a lone surrogate: the first problem wins', `\0${HIGH}`, 'nul', 0],
  ];
  for (const [what, text, problem, index] of bad)
    test(`refused: ${what}`, () => {
      const c = checkText(text);
      assert.equal(c.ok, false);
      assert.deepEqual(!c.ok && [c.problem, c.index], [problem, index]);
    });

  test('UCS-2 octets that decode to a lone surrogate are refused the same way', () => {
    // A client cut 😀 (D8 3D DE 00) after its first unit.
    const text = decodeUcs2(Uint8Array.from([0x00, 0x68, 0xd8, 0x3d]));
    assert.deepEqual(checkText(text), {
      ok: false,
      problem: 'lone_surrogate',
      index: 1,
      detail:
        'a lone UTF-16 surrogate (U+D83D) at position 1: half of a character, which cannot be sent',
    });
    assert.deepEqual(checkText(decodeUcs2(Uint8Array.from([0xd8, 0x3d, 0xde, 0x00]))), {
      ok: true,
    });
  });

  test('a long text is checked in one pass', () => {
    assert.deepEqual(checkText('😀'.repeat(100_000)), { ok: true });
    const c = checkText('😀'.repeat(100_000) + HIGH);
    assert.deepEqual(!c.ok && c.index, 200_000);
  });
});

describe('assertSendableText', () => {
  test('throws invalid_text naming the field, the problem and where', () => {
    assert.throws(
      () => assertSendableText(`x${HIGH}`, 'params.code'),
      (err: unknown) => {
        assert.ok(isDomainError(err));
        assert.equal(err.code, 'invalid_text');
        assert.deepEqual(err.details, {
          field: 'params.code',
          problem: 'lone_surrogate',
          index: 1,
        });
        assert.match(err.message, /^"params\.code" has a lone UTF-16 surrogate \(U\+D83D\)/);
        return true;
      },
    );
  });

  test('passes a good text', () => {
    assert.doesNotThrow(() => assertSendableText('fine 😀'));
  });
});
