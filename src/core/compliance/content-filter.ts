// Prohibited-content filter for SMS to China: the contract annex lists nine categories of content
// carriers refuse (MIIT rules on commercial SMS follow the same list). A tenant's rule list is
// compiled once into ONE Aho–Corasick automaton (Aho & Corasick, "Efficient string matching: an aid
// to bibliographic search", CACM 18(6), 1975), so checking a message costs O(text + matches)
// whatever the number of terms — the annex lists grow to tens of thousands of terms.
//
// Matching is on a normalised form of both terms and text, computed ONE CODE POINT AT A TIME so
// that every normalised character maps back to the original code point it came from:
//   1. NFKC (UAX #15): full-width ＡＢＣ/１２３ → ABC/123, ① → 1, ㈱ → (株), compatibility ideographs
//      → unified ones. Per code point, not per string: combining sequences are not composed, and
//      marks are dropped anyway (step 3), so "é" and "e\u0301" both end up as "é" / "e".
//   2. Lower case (String.prototype.toLowerCase; NFKC again after it, which keeps it stable).
//   3. Noise is SKIPPED: whitespace and separators (Z), controls (Cc), format characters (Cf: the
//      zero-width U+200B–U+200D, U+FEFF, bidi marks…), marks (M: "Zalgo" decoration), punctuation
//      (P: . - _ / · 、 ， 。 ！…), symbols (S: * | + emoji…), private use (Co) and every
//      Default_Ignorable_Code_Point (Hangul fillers U+3164, variation selectors). These are what
//      spammers insert between characters ("赌 博", "赌*博", "g.a.m.b.l.e"). Letters (L), numbers (N),
//      CJK and anything unassigned are never skipped. (General categories: UAX #44.)
// Consequences, by design:
//   - Terms are normalised the same way, so spaces and punctuation in a term are not significant:
//     the term "online casino" matches "onlinecasino", "Online-Casino" and "ｏｎｌｉｎｅ\u3000ｃａｓｉｎｏ".
//   - Matching is by substring, not by word: a short English term also matches inside a longer
//     word ("sex" in "Sussex"). Prefer `review` for short Latin terms.
//   - Traditional and simplified forms are different characters (賭博 ≠ 赌博): list both.
//   - A match's `start`/`end` index the ORIGINAL text (UTF-16, as String.prototype.slice), from the
//     first to the last matched character, with any noise between them: `matched` is exactly
//     `text.slice(start, end)`.
import { DomainError } from '../errors.ts';
import { BMP, EXPANSIONS, SKIP, UNKNOWN, normSlow, normalisedCodePoints } from './normalise.ts';

export { normalizeTerm } from './normalise.ts';

export const CONTENT_CATEGORIES = [
  'politics',
  'pornography',
  'gambling',
  'violence',
  'fraud',
  'drugs',
  'weapons',
  'superstition',
  'other_illegal',
] as const;
export type ContentCategory = (typeof CONTENT_CATEGORIES)[number];

export const CONTENT_ACTIONS = ['reject', 'review'] as const;
export type ContentAction = (typeof CONTENT_ACTIONS)[number];

export interface ContentRule {
  id: string;
  term: string;
  category: ContentCategory;
  action: ContentAction;
}

export interface ContentMatch {
  ruleId: string;
  /** The rule's term as written in the rule list. */
  term: string;
  category: ContentCategory;
  action: ContentAction;
  /** The exact substring of the original text, noise included: `text.slice(start, end)`. */
  matched: string;
  start: number;
  end: number;
}

export interface ContentVerdict {
  /** `reject` if any match rejects, else `review` if anything matched, else `pass`. */
  action: 'pass' | ContentAction;
  matches: ContentMatch[];
}

export interface CheckOptions {
  /** Stop scanning at the first `reject` match (it is the last element returned). */
  stopAtFirstReject?: boolean;
}

export interface ContentFilter {
  readonly ruleCount: number;
  readonly stateCount: number;
  /**
   * Every match, in the order they end in the text; among matches ending at the same character,
   * longest first. Overlapping matches are all reported ("赌博彩票" → 赌博 and 博彩).
   */
  check(text: string, options?: CheckOptions): ContentMatch[];
  /** The first `reject` match (the one ending first), scanning no further; undefined if none. */
  firstReject(text: string): ContentMatch | undefined;
  verdict(text: string): ContentVerdict;
}

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
// Transitions: one open-addressing hash table over (state, code point) in a single Int32Array
// laid out [state, cp, target] per slot (one cache line per probe, no per-node Map, no boxed
// keys). The root's BMP transitions are also in a dense table: most characters of a message are
// read at the root. Fibonacci hashing on the top bits (Knuth, TAOCP vol. 3, §6.4).

class Transitions {
  table: Int32Array;
  bits: number;
  size = 0;

  constructor(expected: number) {
    this.bits = 4;
    while (1 << this.bits < expected * 2) this.bits++;
    this.table = new Int32Array((1 << this.bits) * 3).fill(-1);
  }

  get(s: number, c: number): number {
    const t = this.table;
    const mask = (1 << this.bits) - 1;
    let h = Math.imul(s ^ Math.imul(c, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits);
    for (;;) {
      const k = h * 3;
      const ks = t[k]!;
      if (ks === -1) return -1;
      if (ks === s && t[k + 1] === c) return t[k + 2]!;
      h = (h + 1) & mask;
    }
  }

  set(s: number, c: number, target: number): void {
    const t = this.table;
    const mask = (1 << this.bits) - 1;
    let h = Math.imul(s ^ Math.imul(c, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits);
    while (t[h * 3] !== -1) h = (h + 1) & mask;
    t[h * 3] = s;
    t[h * 3 + 1] = c;
    t[h * 3 + 2] = target;
    this.size++;
  }
}

// The per-state record read by the hot loop, NODE ints side by side (one cache line, not a miss
// per array). CHILD_BITS is 64 bits over two ints, bit (cp & 63) set for each child's code point:
// most lookups from a non-root state miss, and this answers nearly all of them without a probe
// into the big transition table.
const NODE = 4;
const CHILD_BITS = 0;
const FAIL = 2;
const REPORT = 3;

function invalid(field: string, detail: string): DomainError {
  return new DomainError('invalid_request', detail, { field });
}

function validate(rules: unknown): ContentRule[] {
  if (!Array.isArray(rules)) throw invalid('rules', 'rules must be a list');
  const ids = new Set<string>();
  return rules.map((raw: unknown, i): ContentRule => {
    const field = `rules[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw invalid(field, `${field} must be an object`);
    const r = raw as Record<string, unknown>;
    if (typeof r.id !== 'string' || r.id.trim() === '')
      throw invalid(`${field}.id`, `${field}.id must be a non-empty string`);
    if (ids.has(r.id)) throw invalid(`${field}.id`, `${field}.id "${r.id}" is used twice`);
    ids.add(r.id);
    if (typeof r.term !== 'string')
      throw invalid(`${field}.term`, `${field}.term must be a string`);
    if (!CONTENT_CATEGORIES.includes(r.category as ContentCategory))
      throw invalid(
        `${field}.category`,
        `${field}.category must be one of ${CONTENT_CATEGORIES.join(', ')}`,
      );
    if (!CONTENT_ACTIONS.includes(r.action as ContentAction))
      throw invalid(
        `${field}.action`,
        `${field}.action must be one of ${CONTENT_ACTIONS.join(', ')}`,
      );
    return {
      id: r.id,
      term: r.term,
      category: r.category as ContentCategory,
      action: r.action as ContentAction,
    };
  });
}

/**
 * Check a rule list and compile it into one automaton. Throws invalid_request with the field
 * (`rules[3].term`) for a term that is empty once normalised (only spaces, punctuation, emoji…),
 * an unknown category or action, or a missing or repeated id. Terms equal once normalised are all
 * kept, and each reports its own rule.
 */
export function compileRules(rules: ContentRule[]): ContentFilter {
  const checked = validate(rules);
  const terms = checked.map((r, i) => {
    const cps = normalisedCodePoints(r.term);
    if (cps.length === 0)
      throw invalid(
        `rules[${i}].term`,
        `rules[${i}].term is empty once spaces, punctuation and symbols are removed`,
      );
    return cps;
  });

  // 1. The trie, states numbered as created.
  let capacity = 1;
  for (const t of terms) capacity += t.length;
  const trie = new Transitions(capacity);
  const trieRoot = new Int32Array(0x10000).fill(-1);
  const firstChild = new Int32Array(capacity).fill(-1);
  const nextSibling = new Int32Array(capacity).fill(-1);
  const label = new Int32Array(capacity);
  const ownHeadT = new Int32Array(capacity).fill(-1);
  const ownTail = new Int32Array(capacity).fill(-1);
  const ruleNext = new Int32Array(checked.length).fill(-1);
  let states = 1;
  let maxDepth = 1;
  terms.forEach((cps, i) => {
    let s = 0;
    for (const c of cps) {
      let t = s === 0 && c < 0x10000 ? trieRoot[c]! : trie.get(s, c);
      if (t < 0) {
        t = states++;
        trie.set(s, c, t);
        if (s === 0 && c < 0x10000) trieRoot[c] = t;
        label[t] = c;
        nextSibling[t] = firstChild[s]!;
        firstChild[s] = t;
      }
      s = t;
    }
    maxDepth = Math.max(maxDepth, cps.length);
    // Rules of one state in list order.
    if (ownHeadT[s] === -1) ownHeadT[s] = i;
    else ruleNext[ownTail[s]!] = i;
    ownTail[s] = i;
  });

  // 2. Renumber in breadth-first order: the shallow states, where a scan spends nearly all its
  // time, end up side by side in memory (depth 1 of a 50,000-term list fits in the L2 cache).
  const order = new Int32Array(states);
  const parent = new Int32Array(states);
  const trans = new Transitions(states);
  const rootDense = new Int32Array(0x10000).fill(-1);
  const node = new Int32Array(states * NODE);
  const ownHead = new Int32Array(states).fill(-1);
  const labelOf = new Int32Array(states);
  const depth = new Int32Array(states);
  let n = 1;
  for (let k = 0; k < n; k++) {
    const u = order[k]!;
    ownHead[k] = ownHeadT[u]!;
    for (let v = firstChild[u]!; v !== -1; v = nextSibling[v]!) {
      const id = n++;
      const c = label[v]!;
      order[id] = v;
      parent[id] = k;
      labelOf[id] = c;
      trans.set(k, c, id);
      if (k === 0 && c < 0x10000) rootDense[c] = id;
      const bits = k * NODE + CHILD_BITS + ((c >> 5) & 1);
      node[bits] = node[bits]! | (1 << (c & 31));
      depth[id] = depth[k]! + 1;
    }
  }

  // 3. Failure links, in that same order (a state's fail is shallower, so it is done first).
  // REPORT is the nearest state on the suffix chain (the state included) that ends a term; `dict`
  // the nearest one strictly after it (the dictionary-suffix link). Output: REPORT, dict, dict…
  const go = (s: number, c: number): number =>
    s === 0 && c < 0x10000 ? rootDense[c]! : trans.get(s, c);
  const dict = new Int32Array(states).fill(-1);
  node[REPORT] = -1;
  for (let v = 1; v < states; v++) {
    const u = parent[v]!;
    const c = labelOf[v]!;
    let fail = 0;
    if (u !== 0)
      for (let f = node[u * NODE + FAIL]!; ; f = node[f * NODE + FAIL]!) {
        const g = go(f, c);
        if (g >= 0) {
          fail = g;
          break;
        }
        if (f === 0) break;
      }
    node[v * NODE + FAIL] = fail;
    dict[v] = node[fail * NODE + REPORT]!;
    node[v * NODE + REPORT] = ownHead[v]! >= 0 ? v : dict[v]!;
  }

  let ringSize = 1;
  while (ringSize < maxDepth) ringSize <<= 1;
  return new Automaton(
    checked,
    states,
    trans,
    rootDense,
    node,
    dict,
    depth,
    ownHead,
    ruleNext,
    new Int32Array(ringSize),
  );
}

class Automaton implements ContentFilter {
  readonly ruleCount: number;

  constructor(
    private readonly rules: readonly ContentRule[],
    readonly stateCount: number,
    private readonly trans: Transitions,
    private readonly rootDense: Int32Array,
    // Per state, NODE ints: CHILD_BITS (2), FAIL, REPORT.
    private readonly node: Int32Array,
    private readonly dict: Int32Array,
    private readonly depth: Int32Array,
    private readonly ownHead: Int32Array,
    private readonly ruleNext: Int32Array,
    // Original index of the last normalised characters, by normalised position modulo its size
    // (>= the longest term). Shared between calls: check() is synchronous.
    private readonly ring: Int32Array,
  ) {
    this.ruleCount = rules.length;
  }

  check(text: string, options?: CheckOptions): ContentMatch[] {
    return this.scan(text, options?.stopAtFirstReject === true);
  }

  firstReject(text: string): ContentMatch | undefined {
    const found = this.scan(text, true);
    const last = found[found.length - 1];
    return last?.action === 'reject' ? last : undefined;
  }

  verdict(text: string): ContentVerdict {
    const matches = this.scan(text, false);
    let action: ContentVerdict['action'] = matches.length > 0 ? 'review' : 'pass';
    for (const m of matches) if (m.action === 'reject') action = 'reject';
    return { action, matches };
  }

  // The hot loop: no allocation unless something matches; the transition lookup is inlined.
  private scan(text: string, stopAtReject: boolean): ContentMatch[] {
    const out: ContentMatch[] = [];
    const { rootDense, node, dict, depth, ownHead, ruleNext, ring, rules } = this;
    const table = this.trans.table;
    const bits = this.trans.bits;
    const tmask = (1 << bits) - 1;
    const shift = 32 - bits;
    const rmask = ring.length - 1;
    const len = text.length;
    let s = 0;
    let p = 0;
    for (let i = 0; i < len;) {
      let cp = text.charCodeAt(i);
      let w = 1;
      if ((cp & 0xfc00) === 0xd800 && i + 1 < len) {
        const lo = text.charCodeAt(i + 1);
        if ((lo & 0xfc00) === 0xdc00) {
          cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          w = 2;
        }
      }
      let v = cp < 0x10000 ? BMP[cp]! : UNKNOWN;
      if (v === UNKNOWN) v = normSlow(cp);
      if (v !== SKIP) {
        let n = 1;
        let k = 0;
        if (v < 0) {
          k = -3 - v;
          n = EXPANSIONS[k]!;
        }
        for (let j = 0; j < n; j++) {
          const c = v >= 0 ? v : EXPANSIONS[k + 1 + j]!;
          ring[p & rmask] = i;
          for (;;) {
            let t: number;
            if (s === 0 && c < 0x10000) t = rootDense[c]!;
            else if ((node[s * NODE + CHILD_BITS + ((c >> 5) & 1)]! & (1 << (c & 31))) === 0)
              t = -1;
            else {
              let h = Math.imul(s ^ Math.imul(c, 0x85ebca6b), 0x9e3779b1) >>> shift;
              for (;;) {
                const e = h * 3;
                const ks = table[e]!;
                if (ks === -1) {
                  t = -1;
                  break;
                }
                if (ks === s && table[e + 1] === c) {
                  t = table[e + 2]!;
                  break;
                }
                h = (h + 1) & tmask;
              }
            }
            if (t >= 0) {
              s = t;
              break;
            }
            if (s === 0) break;
            s = node[s * NODE + FAIL]!;
          }
          for (let o = node[s * NODE + REPORT]!; o >= 0; o = dict[o]!) {
            const start = ring[(p - depth[o]! + 1) & rmask]!;
            for (let r = ownHead[o]!; r >= 0; r = ruleNext[r]!) {
              const rule = rules[r]!;
              out.push({
                ruleId: rule.id,
                term: rule.term,
                category: rule.category,
                action: rule.action,
                matched: text.slice(start, i + w),
                start,
                end: i + w,
              });
              if (stopAtReject && rule.action === 'reject') return out;
            }
          }
          p++;
        }
      }
      i += w;
    }
    return out;
  }
}
