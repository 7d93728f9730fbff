#!/usr/bin/env node
// The `hongyan` command. Runs the compiled build when there is one (npm run build),
// otherwise the TypeScript sources through tsx, so a fresh clone needs no build step.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/hongyan.js', import.meta.url));
if (existsSync(built)) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/hongyan.ts');
}
