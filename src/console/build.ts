// The web console's build (web/ → web/dist), done on `hongyan start` when the sources changed
// since the last build, so a fresh clone needs no extra command. Staleness is decided by a hash of
// the sources (not by mtimes, which a checkout rewrites); the new build is written beside the old
// one and swapped in with a rename, so a server never serves a half-written console.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONSOLE_DIST = join(REPO_ROOT, 'web', 'dist');
const STAMP = '.build-stamp';

/** What the console is built from: its own sources and the pure core it shares with the server. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(join(REPO_ROOT, 'web', 'src'));
  walk(join(REPO_ROOT, 'src', 'core'));
  for (const f of ['web/index.html', 'web/vite.config.ts', 'package-lock.json'])
    if (existsSync(join(REPO_ROOT, f))) out.push(join(REPO_ROOT, f));
  return out.sort();
}

export function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of sources()) {
    h.update(relative(REPO_ROOT, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

export function consoleBuilt(): boolean {
  return existsSync(join(CONSOLE_DIST, 'index.html'));
}

export function consoleStale(): boolean {
  if (!existsSync(join(REPO_ROOT, 'web', 'src'))) return false; // an install without sources
  const stampFile = join(CONSOLE_DIST, STAMP);
  if (!consoleBuilt() || !existsSync(stampFile)) return true;
  return readFileSync(stampFile, 'utf8').trim() !== sourceHash();
}

/**
 * Build the console if its sources changed; returns what it did. Vite is loaded only when a build
 * is needed, so a start with a current build pays nothing.
 */
export async function ensureConsoleBuilt(
  opts: { force?: boolean; log?: (line: string) => void } = {},
): Promise<'current' | 'built'> {
  if (!opts.force && !consoleStale()) return 'current';
  const started = Date.now();
  opts.log?.('building the web console (web/ → web/dist) …');
  const hash = sourceHash();
  const tmp = join(REPO_ROOT, 'web', `.dist-${process.pid}-${Date.now()}`);
  const { build } = await import('vite');
  try {
    await build({
      configFile: join(REPO_ROOT, 'web', 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: tmp, emptyOutDir: true },
    });
    precompress(join(tmp, 'assets'));
    writeFileSync(join(tmp, STAMP), hash + '\n');
    const old = `${tmp}-old`;
    if (existsSync(CONSOLE_DIST)) renameSync(CONSOLE_DIST, old);
    renameSync(tmp, CONSOLE_DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  opts.log?.(`web console built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}

/** Brotli and gzip copies beside each text asset, served as sent (no compression per request). */
function precompress(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css|svg|json|html)$/.test(name)) continue;
    const body = readFileSync(join(dir, name));
    if (body.length < 1024) continue;
    writeFileSync(join(dir, `${name}.gz`), gzipSync(body, { level: 9 }));
    writeFileSync(
      join(dir, `${name}.br`),
      brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
    );
  }
}
