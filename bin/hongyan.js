#!/usr/bin/env node
// The `hongyan` command. In a checkout it runs the TypeScript sources through tsx, so a fresh
// clone needs no build step; a package without src/ runs the compiled dist/ (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/hongyan.ts', import.meta.url));
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source);
} else {
  await import(fileURLToPath(new URL('../dist/cli/hongyan.js', import.meta.url)));
}
