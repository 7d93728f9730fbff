// Summarise a V8 .cpuprofile (from `npm run bench -- --cpu-prof DIR`): top functions by self
// time and by inclusive time, and self time by package, with file:line in the TypeScript source.
//   node --import tsx bench/profile.ts DIR/hongyan-sqlite-….cpuprofile [--top 15]
// tsx runs src/ as minified one-line JS; its transform cache (with source maps) maps positions back.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ROOT } from './harness.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '15' } },
  allowPositionals: true,
});
if (positionals.length !== 1) throw new Error('usage: bench/profile.ts FILE.cpuprofile [--top N]');
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;

// tsx's cache: {code, map} per transformed file; several versions of one file may be there.
const tsxCache = new Map<string, Array<{ code: string; map: SourceMap; mtime: number }>>();
const uid = process.getuid?.() ?? 0;
for (const dir of [join(tmpdir(), `tsx-${uid}`), join(tmpdir(), 'tsx')]) {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    continue;
  }
  for (const name of names) {
    try {
      const file = join(dir, name);
      const entry = JSON.parse(readFileSync(file, 'utf8')) as {
        code?: string;
        map?: { sources?: string[] };
      };
      const source = entry.map?.sources?.[0];
      if (!entry.code || !source) continue;
      const list = tsxCache.get(source) ?? [];
      list.push({
        code: entry.code,
        map: new SourceMap(entry.map as never),
        mtime: statSync(file).mtimeMs,
      });
      tsxCache.set(source, list);
    } catch {
      // not a transform entry
    }
  }
}

type Version = { code: string; map: SourceMap; mtime: number };
const original = (v: Version, cf: CallFrame): number | null => {
  const e = v.map.findEntry(cf.lineNumber, cf.columnNumber) as { originalLine?: number };
  return typeof e.originalLine === 'number' ? e.originalLine : null;
};

/**
 * Several transforms of one file may be cached (it changed between runs). Pick, per file, the one
 * under which the most named frames of this profile land on a source line naming that function.
 */
const chosen = new Map<string, Version>();
function versionFor(path: string): Version | undefined {
  const versions = tsxCache.get(path);
  if (!versions) return undefined;
  if (!chosen.has(path)) {
    let lines: string[] = [];
    try {
      lines = readFileSync(path, 'utf8').split('\n');
    } catch {
      // gone since: score stays 0, the newest wins
    }
    const frames = profile.nodes
      .map((n) => n.callFrame)
      .filter((cf) => cf.url.endsWith(path) && /^[\w$#]+$/.test(cf.functionName));
    const score = (v: Version) =>
      frames.filter((cf) => {
        const line = original(v, cf);
        return line !== null && (lines[line] ?? '').includes(cf.functionName);
      }).length;
    const best = [...versions].sort((a, b) => score(b) - score(a) || b.mtime - a.mtime)[0]!;
    chosen.set(path, best);
  }
  return chosen.get(path);
}

/** file:line in the repository's source for a call frame (1-based line). */
function where(cf: CallFrame): string {
  if (!cf.url) return '';
  const path = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
  const rel = path.startsWith(ROOT) ? relative(ROOT, path) : path;
  const version = path.endsWith('.ts') ? versionFor(path) : undefined;
  const line = version ? original(version, cf) : null;
  return `${rel}:${(line ?? cf.lineNumber) + 1}`;
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = new Map<number, string>();
for (const n of profile.nodes) {
  const cf = n.callFrame;
  keyOf.set(n.id, `${cf.functionName || '(anonymous)'}  ${where(cf)}`);
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const byPackage = new Map<string, number>();
/** Self time of library/native frames, charged to the nearest src/ frame that called them. */
const onBehalfOf = new Map<string, number>();
let total = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const node = byId.get(id)!;
  const key = keyOf.get(id)!;
  self.set(key, (self.get(key) ?? 0) + dt);
  if (node.callFrame.functionName === '(idle)') idle += dt;
  const pkg = packageOf(node.callFrame);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
  if (!/ src\//.test(key) && !key.startsWith('(')) {
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
      const k = keyOf.get(at)!;
      if (/ src\//.test(k)) {
        const label = `${node.callFrame.functionName || '(anonymous)'} ← ${k}`;
        onBehalfOf.set(label, (onBehalfOf.get(label) ?? 0) + dt);
        break;
      }
    }
  }
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const k = keyOf.get(at)!;
    if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    seen.add(k);
  }
}

function packageOf(cf: CallFrame): string {
  if (!cf.url) return cf.functionName.startsWith('(') ? cf.functionName : '(native/builtin)';
  if (cf.url.startsWith('node:')) return 'node: core';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(cf.url);
  if (m) return m[1]!;
  const path = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
  return path.startsWith(ROOT) ? relative(ROOT, path).split('/').slice(0, 2).join('/') : path;
}

const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const pct = (us: number, of: number) => `${((100 * us) / of).toFixed(1).padStart(5)}%`;
const busy = total - idle;
const show = (title: string, m: Map<string, number>, n: number, skip = (_k: string) => false) => {
  process.stdout.write(`\n${title}\n`);
  const rows = [...m.entries()]
    .filter(([k]) => !skip(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
  for (const [k, v] of rows)
    process.stdout.write(`  ${ms(v)} ${pct(v, total)} of all ${pct(v, busy)} of busy  ${k}\n`);
};
process.stdout.write(
  `profile: ${ms(total).trim()} sampled, idle ${ms(idle).trim()} (${pct(idle, total).trim()}), busy ${ms(busy).trim()}\n`,
);
show(`top ${top} by self time`, self, top);
show(`top ${top} by self time, excluding (idle)/(program)/(garbage collector)`, self, top, (k) =>
  /^\((idle|program|garbage collector)\)/.test(k),
);
show(`top ${top} src/ functions by inclusive time`, inclusive, top, (k) => !/ src\//.test(k));
show(`top ${top} library/native self time ← the nearest src/ caller`, onBehalfOf, top);
show('self time by package / source folder', byPackage, 20);
