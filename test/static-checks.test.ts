// The type checker and the linter are part of `npm test`: the rule that keeps core/ pure is a
// design rule, and a test proves it bites.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';

const run = promisify(execFile);

test('TypeScript compiles with no errors (strict)', async () => {
  await run(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'],
    { maxBuffer: 10 * 1024 * 1024 },
  );
});

test('ESLint passes on src, test, bench and bin', async () => {
  const eslint = new ESLint();
  const results = await eslint.lintFiles(['src', 'test', 'bench', 'bin']);
  const errors = results.flatMap((r) =>
    r.messages
      .filter((m) => m.severity === 2)
      .map((m) => `${r.filePath}:${m.line} ${m.ruleId} ${m.message}`),
  );
  assert.deepEqual(errors, []);
});

test('the core may not import I/O, frameworks, the store or the transports', async () => {
  const eslint = new ESLint();
  const bad = [
    "import { readFileSync } from 'node:fs';",
    "import Fastify from 'fastify';",
    "import { Kysely } from 'kysely';",
    "import { MessageStore } from '../store/messages.ts';",
    "import { SmppChannel } from '../../channels/smpp-channel.ts';",
  ];
  for (const line of bad) {
    const [result] = await eslint.lintText(`${line}\nexport const x = 1;\n`, {
      filePath: 'src/core/message/probe.ts',
    });
    assert.ok(
      result!.messages.some((m) => m.ruleId === 'no-restricted-imports'),
      `core must refuse: ${line}`,
    );
  }
  const [ok] = await eslint.lintText(
    "import { DomainError } from '../errors.ts';\nexport const x = DomainError;\n",
    { filePath: 'src/core/message/probe.ts' },
  );
  assert.deepEqual(
    ok!.messages.filter((m) => m.ruleId === 'no-restricted-imports'),
    [],
  );
});

test('the transports may not import the store, only services', async () => {
  const eslint = new ESLint();
  const lint = async (line: string, filePath: string) => {
    const [result] = await eslint.lintText(`${line}\nexport type X = unknown;\n`, { filePath });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
  };
  for (const [line, filePath] of [
    ["import type { AuditStore } from '../../store/audit.ts';", 'src/servers/http/probe.ts'],
    ["import { MessageStore } from '../../store/messages.ts';", 'src/servers/smpp/probe.ts'],
    ["import type { Database } from '../../store/schema.ts';", 'src/servers/cmpp/probe.ts'],
  ])
    assert.ok((await lint(line!, filePath!)).length > 0, `${filePath} must refuse: ${line}`);
  assert.deepEqual(
    await lint(
      "import type { AuditStore } from '../../services/repositories.ts';",
      'src/servers/http/probe.ts',
    ),
    [],
  );
});
