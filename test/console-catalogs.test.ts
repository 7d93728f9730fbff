// The console's texts (issue 12: every label in zh-CN and en, no hard-coded strings): every
// t('area:key') the console calls exists in both languages, no text is empty, and no component
// carries Chinese text of its own (it belongs in a catalog).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { catalogs } from '../web/src/i18n/catalogs/index.ts';

const SRC = join(import.meta.dirname, '..', 'web', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}

function lookup(tree: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, k) =>
        node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined,
      tree,
    );
}

function leaves(tree: unknown, prefix = ''): Array<[string, unknown]> {
  if (typeof tree !== 'object' || tree === null) return [[prefix, tree]];
  return Object.entries(tree).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

test('every text exists in zh-CN and en, and none is empty', () => {
  for (const [ns, c] of Object.entries(catalogs)) {
    const zh = leaves(c['zh-CN']);
    const en = new Map(leaves(c.en));
    for (const [key, value] of zh) {
      assert.equal(typeof value, 'string', `${ns}:${key} (zh-CN) is a text`);
      assert.ok((value as string).trim(), `${ns}:${key} (zh-CN) is not empty`);
      assert.equal(typeof en.get(key), 'string', `${ns}:${key} has an English text`);
      assert.ok((en.get(key) as string).trim(), `${ns}:${key} (en) is not empty`);
    }
    assert.equal(en.size, zh.length, `${ns}: English has no extra keys`);
  }
});

test("every literal t('area:key') in the console names a text that exists", () => {
  const missing: string[] = [];
  for (const file of files(SRC)) {
    if (file.includes(`${join('i18n', 'catalogs')}`)) continue;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bt\(\s*'([A-Za-z]+):([\w.-]+)'/g)) {
      const [, ns, key] = m;
      const c = catalogs[ns!];
      if (!c || typeof lookup(c['zh-CN'], key!) !== 'string')
        missing.push(`${ns}:${key} (${file.slice(SRC.length + 1)})`);
    }
  }
  assert.deepEqual(missing, []);
});

test('menu labels exist', () => {
  // routes.tsx is read as text: its lazy page imports are for the bundler.
  const routes = readFileSync(join(SRC, 'routes.tsx'), 'utf8');
  const labels = [
    ...routes.matchAll(/label: '(\w+)'/g),
    ...routes.matchAll(/^\s+\w+: '(group\w+)',$/gm),
  ].map((m) => m[1]!);
  assert.ok(labels.length > 20);
  for (const label of labels)
    assert.equal(typeof lookup(catalogs.common!['zh-CN'], `nav.${label}`), 'string', label);
});

test('no component carries Chinese text of its own', () => {
  const offenders: string[] = [];
  for (const file of files(SRC)) {
    if (file.includes(`${join('i18n', 'catalogs')}`)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        // Han characters outside comments; 【】 in a regular expression for signatures is code.
        if (/[\u4e00-\u9fff]/.test(code)) offenders.push(`${file.slice(SRC.length + 1)}:${i + 1}`);
      });
  }
  assert.deepEqual(offenders, []);
});
