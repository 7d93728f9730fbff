import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTENT_CATEGORIES,
  compileRules,
  normalizeTerm,
  type ContentMatch,
  type ContentRule,
} from './content-filter.ts';
import { SAMPLE_CONTENT_RULES } from './sample-content-rules.ts';
import { DomainError } from '../errors.ts';

const EXTRA: ContentRule[] = [
  // An astral (CJK Extension B) character, to check surrogate pairs inside terms.
  { id: 'x_astral', term: '𠀀赌', category: 'gambling', action: 'review' },
  // Two rules equal once normalised: both report.
  { id: 'x_dup', term: 'G A M B L E', category: 'gambling', action: 'reject' },
];
const filter = compileRules([...SAMPLE_CONTENT_RULES, ...EXTRA]);

const found = (ms: ContentMatch[]) => ms.map((m) => [m.ruleId, m.matched] as const);

function assertConsistent(text: string, ms: ContentMatch[]): void {
  for (const m of ms) assert.equal(m.matched, text.slice(m.start, m.end), JSON.stringify(m));
}

describe('content filter: matches', () => {
  const cases: Array<[name: string, text: string, expected: Array<[string, string]>]> = [
    ['plain', '今晚赌博开局', [['cr_gambling_1', '赌博']]],
    ['inserted space', '赌 博', [['cr_gambling_1', '赌 博']]],
    ['ideographic space', '赌\u3000博', [['cr_gambling_1', '赌\u3000博']]],
    ['asterisk', '赌*博', [['cr_gambling_1', '赌*博']]],
    ['many symbols', '来赌-_/|·、，。！.博吧', [['cr_gambling_1', '赌-_/|·、，。！.博']]],
    ['zero-width space', '赌\u200b博', [['cr_gambling_1', '赌\u200b博']]],
    ['zero-width joiner', '冰\u200d毒', [['cr_drugs_1', '冰\u200d毒']]],
    ['BOM', '冰\ufeff毒', [['cr_drugs_1', '冰\ufeff毒']]],
    ['Hangul filler', '冰\u3164毒', [['cr_drugs_1', '冰\u3164毒']]],
    ['combining mark', '冰\u0301\u0308毒', [['cr_drugs_1', '冰\u0301\u0308毒']]],
    ['variation selector', '冰\ufe0f毒', [['cr_drugs_1', '冰\ufe0f毒']]],
    [
      'full-width Latin',
      'ＧＡＭＢＬＥ',
      [
        ['cr_gambling_10', 'ＧＡＭＢＬＥ'],
        ['x_dup', 'ＧＡＭＢＬＥ'],
      ],
    ],
    [
      'mixed case',
      'Let us GaMbLe!',
      [
        ['cr_gambling_10', 'GaMbLe'],
        ['x_dup', 'GaMbLe'],
      ],
    ],
    [
      'dotted',
      'g.a.m.b.l.e',
      [
        ['cr_gambling_10', 'g.a.m.b.l.e'],
        ['x_dup', 'g.a.m.b.l.e'],
      ],
    ],
    ['term with a space, run together', 'best onlinecasino', [['cr_gambling_9', 'onlinecasino']]],
    [
      'term with a space, full-width',
      'ｏｎｌｉｎｅ　ｃａｓｉｎｏ',
      [['cr_gambling_9', 'ｏｎｌｉｎｅ　ｃａｓｉｎｏ']],
    ],
    ['full-width letter in a CJK term', 'ｋ粉', [['cr_drugs_4', 'ｋ粉']]],
    [
      'overlapping terms',
      '赌博彩票',
      [
        ['cr_gambling_1', '赌博'],
        ['cr_gambling_4', '博彩'],
      ],
    ],
    [
      'term inside a longer term',
      '信用卡套现',
      [
        ['cr_fraud_4', '信用卡套现'],
        ['cr_fraud_3', '套现'],
      ],
    ],
    ['at the very start', '冰毒在此', [['cr_drugs_1', '冰毒']]],
    ['at the very end', '有售冰毒', [['cr_drugs_1', '冰毒']]],
    ['whole text', '冰毒', [['cr_drugs_1', '冰毒']]],
    ['brackets not included', '【赌博】', [['cr_gambling_1', '赌博']]],
    ['emoji around', '😀赌博😀', [['cr_gambling_1', '赌博']]],
    ['emoji inside', '🎰赌😀博🎰', [['cr_gambling_1', '赌😀博']]],
    ['astral term', 'x𠀀 赌y', [['x_astral', '𠀀 赌']]],
    ['traditional form listed', '賭博', [['cr_gambling_2', '賭博']]],
    ['lone surrogates do not break indexes', '\ud800赌博\udc00', [['cr_gambling_1', '赌博']]],
    ['no false positive: OTP', '您的验证码是123456，5分钟内有效。【鸿雁】', []],
    ['no false positive: split by a letter', '赌a博', []],
    ['no false positive: characters apart', '博士生彩排', []],
    ['no false positive: half a term', '法轮', []],
    ['empty text', '', []],
  ];
  for (const [name, text, expected] of cases)
    test(name, () => {
      const ms = filter.check(text);
      assertConsistent(text, ms);
      assert.deepEqual(found(ms), expected);
    });

  test('emoji keep UTF-16 indexes right', () => {
    const text = '🎰赌😀博🎰';
    const [m] = filter.check(text);
    assert.deepEqual({ start: m!.start, end: m!.end }, { start: 2, end: 6 });
  });

  test('a match carries its rule', () => {
    assert.deepEqual(filter.check('x 刷 单 y'), [
      {
        ruleId: 'cr_fraud_2',
        term: '刷单',
        category: 'fraud',
        action: 'reject',
        matched: '刷 单',
        start: 2,
        end: 5,
      },
    ]);
  });
});

describe('content filter: verdict', () => {
  const cases: Array<[string, 'pass' | 'review' | 'reject']> = [
    ['您的验证码是 842913', 'pass'],
    ['专业算命', 'review'],
    ['专业刷单', 'reject'],
    ['算命，刷单', 'reject'],
    ['信用卡套现', 'reject'],
    ['套现', 'review'],
  ];
  for (const [text, action] of cases)
    test(`${text} → ${action}`, () => assert.equal(filter.verdict(text).action, action));

  test('reject beats review whatever the order', () => {
    const v = filter.verdict('刷单 then 算命');
    assert.equal(v.action, 'reject');
    assert.deepEqual(
      v.matches.map((m) => m.action),
      ['reject', 'review'],
    );
  });

  test('stop at the first reject', () => {
    const text = '算命 刷单 冰毒';
    assert.deepEqual(found(filter.check(text, { stopAtFirstReject: true })), [
      ['cr_superstition_3', '算命'],
      ['cr_fraud_2', '刷单'],
    ]);
    assert.equal(filter.firstReject(text)?.ruleId, 'cr_fraud_2');
    assert.equal(filter.firstReject('算命'), undefined);
    assert.equal(filter.check(text).length, 3);
  });
});

describe('compileRules: validation', () => {
  const base = { id: 'r', term: '赌博', category: 'gambling', action: 'reject' } as const;
  const cases: Array<[string, unknown, string]> = [
    ['empty term', [{ ...base, term: '' }], 'rules[0].term'],
    ['spaces only', [base, { ...base, id: 'r2', term: '   ' }], 'rules[1].term'],
    ['punctuation and emoji only', [{ ...base, term: ' *。！😀\u200b ' }], 'rules[0].term'],
    ['term not a string', [{ ...base, term: 42 }], 'rules[0].term'],
    ['unknown category', [{ ...base, category: 'spam' }], 'rules[0].category'],
    ['unknown action', [{ ...base, action: 'block' }], 'rules[0].action'],
    ['missing id', [{ ...base, id: '' }], 'rules[0].id'],
    ['repeated id', [base, base], 'rules[1].id'],
    ['not an object', [null], 'rules[0]'],
    ['not a list', { rules: [] }, 'rules'],
  ];
  for (const [name, rules, field] of cases)
    test(name, () =>
      assert.throws(
        () => compileRules(rules as ContentRule[]),
        (e: unknown) =>
          e instanceof DomainError && e.code === 'invalid_request' && e.details?.field === field,
      ),
    );

  test('an empty list passes everything', () =>
    assert.equal(compileRules([]).verdict('赌博').action, 'pass'));

  test('the sample list compiles and covers the nine categories', () => {
    const f = compileRules(SAMPLE_CONTENT_RULES);
    assert.equal(f.ruleCount, SAMPLE_CONTENT_RULES.length);
    assert.deepEqual(
      [...new Set(SAMPLE_CONTENT_RULES.map((r) => r.category))].sort(),
      [...CONTENT_CATEGORIES].sort(),
    );
  });

  test('normalizeTerm', () => {
    assert.equal(normalizeTerm('Ｇ.A M-B'), 'gamb');
    assert.equal(normalizeTerm('online casino'), 'onlinecasino');
    assert.equal(normalizeTerm('Ｋ粉'), 'k粉');
    assert.equal(normalizeTerm('①'), '1');
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-check against a naive implementation with its own normaliser: keep letters, numbers,
// unassigned and lone surrogates, unless default-ignorable (the complement of the filter's noise
// classes), then indexOf per rule.

const KEEP = /[\p{L}\p{N}\p{Cn}\p{Cs}]/u;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

function naiveNormalise(text: string): { norm: string; starts: number[]; ends: number[] } {
  let norm = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  for (const ch of text) {
    const folded = ch.normalize('NFKC').toLowerCase().normalize('NFKC');
    for (const c of folded)
      if (KEEP.test(c) && !IGNORABLE.test(c)) {
        norm += c;
        for (let k = 0; k < c.length; k++) {
          starts.push(i);
          ends.push(i + ch.length);
        }
      }
    i += ch.length;
  }
  return { norm, starts, ends };
}

function naiveCheck(rules: ContentRule[], text: string): string[] {
  const { norm, starts, ends } = naiveNormalise(text);
  const out: string[] = [];
  for (const r of rules) {
    const t = naiveNormalise(r.term).norm;
    for (let at = norm.indexOf(t); at >= 0; at = norm.indexOf(t, at + 1))
      out.push(`${r.id}@${starts[at]}-${ends[at + t.length - 1]}`);
  }
  return out.sort();
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('content filter: cross-check with a naive matcher', () => {
  // Short, overlapping terms over a small alphabet so the failure and dictionary links are used.
  const rules: ContentRule[] = [
    ...SAMPLE_CONTENT_RULES,
    { id: 'o1', term: 'ab', category: 'other_illegal', action: 'review' },
    { id: 'o2', term: 'abc', category: 'other_illegal', action: 'reject' },
    { id: 'o3', term: 'bc', category: 'other_illegal', action: 'review' },
    { id: 'o4', term: 'b', category: 'other_illegal', action: 'review' },
    { id: 'o5', term: 'aab', category: 'other_illegal', action: 'review' },
    { id: 'o6', term: 'bcab', category: 'other_illegal', action: 'reject' },
    { id: 'o7', term: '赌博彩', category: 'gambling', action: 'reject' },
    { id: 'o8', term: '1a', category: 'other_illegal', action: 'review' },
    { id: 'o9', term: 'fib', category: 'other_illegal', action: 'review' },
    { id: 'o10', term: '𠀀𠀁', category: 'other_illegal', action: 'review' },
  ];
  const f = compileRules(rules);
  const alphabet = [
    ...'abcABCＡＢｃ',
    ...'赌博彩票冰毒刷单套现',
    ' ',
    '\u3000',
    '*',
    '.',
    '、',
    '！',
    '\u200b',
    '\ufeff',
    '😀',
    '🎰',
    '①',
    'ﬁ',
    '𠀀',
    '𠀁',
    'x',
    '9',
  ];
  const rand = mulberry32(20240611);
  for (let n = 0; n < 50; n++) {
    let text = '';
    const len = 1 + Math.floor(rand() * 80);
    for (let k = 0; k < len; k++) text += alphabet[Math.floor(rand() * alphabet.length)];
    test(`random text ${n}`, () => {
      const ms = f.check(text);
      assertConsistent(text, ms);
      assert.deepEqual(
        ms.map((m) => `${m.ruleId}@${m.start}-${m.end}`).sort(),
        naiveCheck(rules, text),
        JSON.stringify(text),
      );
    });
  }
});
