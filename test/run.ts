// `npm test`: start one PostgreSQL for the whole run, then node's test runner over every
// *.test.ts (unit tests next to the code, suites in test/). Each suite makes its own database.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from './support/embedded-postgres.ts';
import { ensureConsoleBuilt } from '../src/console/build.ts';

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
// The console's browser tests drive the built console: build it first when its sources changed
// (only when they are among the files to run). A failed build fails the run, after the tests.
let buildFailed = false;
if (files.some((f) => /(^|\/)console-[^/]*\.test\.ts$/.test(f)))
  await ensureConsoleBuilt({ log: (line) => process.stdout.write(`# ${line}\n`) }).catch(
    (err: unknown) => {
      buildFailed = true;
      process.stderr.write(`# the web console did not build: ${(err as Error).message}\n`);
    },
  );
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
process.exit(buildFailed ? 1 : code);
