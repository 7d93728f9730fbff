// `npm test`: start one PostgreSQL for the whole run, then node's test runner over every
// *.test.ts (unit tests next to the code, suites in test/). Each suite makes its own database.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from './support/embedded-postgres.ts';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...findTests('src'), ...findTests('test')].sort();
const pg = await startPostgres();
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, HONGYAN_TEST_PG_URL: pg.url('postgres') },
  },
);
const code: number = await new Promise((resolve) =>
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
);
await pg.stop();
process.exit(code);
