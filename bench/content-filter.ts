// `npm run bench:content [-- --messages N --terms T]`: the prohibited-content filter at scale.
// Compiles T (default 50,000) distinct pseudo-random terms of 2–6 CJK characters plus the sample
// list, then checks N (default 200,000) generated 300-character messages — Chinese, ASCII letters,
// digits, punctuation and spaces; ~1% with a planted term, half of those with noise inside.
// Everything is seeded, so runs are comparable. Messages are generated in batches outside the
// timed loop; the figure is check() alone, on one core. Requirement: >= 50,000 messages/s.
import { parseArgs } from 'node:util';
import {
  CONTENT_CATEGORIES,
  compileRules,
  type ContentRule,
} from '../src/core/compliance/content-filter.ts';
import { SAMPLE_CONTENT_RULES } from '../src/core/compliance/sample-content-rules.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    terms: { type: 'string', default: '50000' },
  },
});
const N = Number(args.messages);
const TERMS = Number(args.terms);
const LENGTH = 300;
const BATCH = 10_000;

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

const rand = mulberry32(0x5eed);
const int = (n: number) => Math.floor(rand() * n);
const cjk = () => String.fromCharCode(0x4e00 + int(0x9fa5 - 0x4e00 + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const terms = new Set<string>();
while (terms.size < TERMS) {
  let t = '';
  for (let k = 2 + int(5); k > 0; k--) t += cjk();
  terms.add(t);
}
const generated: ContentRule[] = [...terms].map((term, i) => ({
  id: `bench_${i}`,
  term,
  category: CONTENT_CATEGORIES[i % CONTENT_CATEGORIES.length]!,
  action: i % 3 === 0 ? 'reject' : 'review',
}));
const rules = [...generated, ...SAMPLE_CONTENT_RULES];

const t0 = process.hrtime.bigint();
const filter = compileRules(rules);
const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const PUNCT = ['，', '。', '！', '、', '：', '【', '】', '.', ',', '!', '-', '/', '*', '?'];
const NOISE = [' ', '*', '\u200b', '.', '·'];
let planted = 0;

function message(): string {
  const parts: string[] = [];
  for (let k = 0; k < LENGTH; k++) {
    const r = rand();
    parts.push(
      r < 0.55
        ? cjk()
        : r < 0.75
          ? LETTERS[int(LETTERS.length)]!
          : r < 0.85
            ? String.fromCharCode(0x30 + int(10))
            : r < 0.95
              ? pick(PUNCT)
              : ' ',
    );
  }
  let text = parts.join('');
  if (rand() < 0.01) {
    planted++;
    let term = pick(rules).term;
    if (rand() < 0.5) term = [...term].join(pick(NOISE));
    const at = int(LENGTH - term.length);
    text = text.slice(0, at) + term + text.slice(at + term.length);
  }
  return text;
}

let matches = 0;
let matchedMessages = 0;
let rejected = 0;
let ns = 0n;
// Warm-up: let the JIT settle before timing.
for (let k = 0; k < 2_000; k++) filter.check(message());
planted = 0;
for (let done = 0; done < N; done += BATCH) {
  const batch: string[] = [];
  for (let k = 0; k < Math.min(BATCH, N - done); k++) batch.push(message());
  const start = process.hrtime.bigint();
  for (const text of batch) {
    const found = filter.check(text);
    if (found.length > 0) {
      matches += found.length;
      matchedMessages++;
      if (found.some((m) => m.action === 'reject')) rejected++;
    }
  }
  ns += process.hrtime.bigint() - start;
}
const seconds = Number(ns) / 1e9;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
process.stdout.write(
  [
    `content filter: ${fmt(rules.length)} rules (${fmt(generated.length)} generated + ${SAMPLE_CONTENT_RULES.length} sample), ${fmt(filter.stateCount)} states`,
    `  compile: ${compileMs.toFixed(0)} ms`,
    `  check:   ${fmt(N)} messages of ${LENGTH} characters in ${seconds.toFixed(2)} s = ${fmt(N / seconds)} messages/s (${((seconds * 1e6) / N).toFixed(2)} µs each)`,
    `  found:   ${fmt(matches)} matches in ${fmt(matchedMessages)} messages (${fmt(rejected)} with a reject; ${fmt(planted)} planted)`,
    `  target:  >= 50,000 messages/s — ${N / seconds >= 50_000 ? 'met' : 'NOT met'}`,
    '',
  ].join('\n'),
);
