// hongyan start | simulator | migrate
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { migrate, openStore } from '../store/db.ts';
import { startPlatform } from '../platform.ts';
import { consoleBuilt, ensureConsoleBuilt } from '../console/build.ts';
import { SmscSimulator } from '../simulator/smsc.ts';
import { CmppSimulator } from '../simulator/cmpp-ismg.ts';
import { startControlServer } from '../simulator/control.ts';
import { registerChannelCommands } from './channels.ts';
import { DomainError } from '../core/errors.ts';
import { createUser } from '../services/accounts.ts';
import { AuditStore } from '../store/audit.ts';
import { TenantStore } from '../store/tenants.ts';
import { UserStore } from '../store/users.ts';
import { LedgerStore } from '../store/ledger.ts';

const program = new Command('hongyan')
  .description('Hongyan (鸿雁) enterprise SMS platform')
  .showHelpAfterError();

program
  .command('start')
  .description(
    'run the platform: HTTP API, dispatcher, channels and (by default) the built-in carrier simulator',
  )
  .action(async () => {
    const config = loadConfig();
    const log = createLogger(config.logLevel, { node: config.nodeId });
    // The console is built here when its sources changed (a fresh clone: once, a few seconds).
    // A build that fails (broken sources in a checkout) leaves the last build, or the API alone.
    if (config.http.console && config.roles.includes('api'))
      await ensureConsoleBuilt({ log: (line) => process.stdout.write(`  ${line}\n`) }).catch(
        (err: unknown) =>
          log.error(
            { err: (err as Error).message.split('\n')[0] },
            'the web console did not build',
          ),
      );
    const platform = await startPlatform(config, log);
    const lines = [
      '',
      `  Hongyan is running (${platform.store.dialect}${platform.store.file ? `: ${platform.store.file}` : ''})`,
    ];
    if (platform.httpPort)
      lines.push(
        `  HTTP API      http://${config.http.host}:${platform.httpPort}   (docs: /docs, health: /health)`,
      );
    if (platform.httpPort && config.http.console && consoleBuilt())
      lines.push(`  Web console   http://${config.http.host}:${platform.httpPort}/`);
    if (platform.simulatorPort)
      lines.push(`  Simulator     smpp://${config.simulator.host}:${platform.simulatorPort}`);
    if (platform.smppPort)
      lines.push(
        `  SMPP server   smpp://${config.smpp.host}:${platform.smppPort}   (docs/smpp.md)`,
      );
    if (platform.cmppPort)
      lines.push(
        `  CMPP server   cmpp://${config.cmpp.host}:${platform.cmppPort}   (docs/cmpp.md)`,
      );
    if (platform.demo) {
      // Secrets are printed on the start that creates them only: later starts (and the journals
      // and container logs that keep their output) say where the 0600 files are instead.
      const demo = platform.demo;
      lines.push(`  Demo tenant   ${demo.tenantId}`);
      lines.push(
        demo.created && demo.apiKey
          ? `  Demo API key  ${demo.apiKey}   (also in ${demo.keyFile})`
          : `  Demo API key  in ${demo.keyFile}`,
      );
      const dc = platform.demoConsole;
      if (dc)
        for (const [label, login] of [
          ['Console user', dc.tenant],
          ['Operator    ', dc.operator],
        ] as const)
          lines.push(
            dc.created && login.password
              ? `  ${label}  ${login.email} / ${login.password}   (also in ${dc.file})`
              : `  ${label}  ${login.email}, password in ${dc.file}`,
          );
      const ds = platform.demoSmpp;
      if (ds)
        lines.push(
          ds.created && ds.password
            ? `  Demo SMPP     system_id ${ds.systemId}, password ${ds.password}   (also in ${ds.file})`
            : `  Demo SMPP     system_id ${ds.systemId}, password in ${ds.file}`,
        );
      if (platform.httpPort && demo.apiKey) {
        lines.push(
          '',
          '  Try:',
          `  curl -s http://${config.http.host}:${platform.httpPort}/v1/messages -H "Authorization: Bearer $(cat ${demo.keyFile})" \\`,
          `       -H 'Content-Type: application/json' -d '{"to":"13800138000","text":"【鸿雁】您的验证码是 123456"}'`,
        );
      }
    }
    process.stdout.write(lines.join('\n') + '\n\n');
    onSignal(async () => {
      log.info('shutting down');
      await platform.stop();
    });
  });

program
  .command('simulator')
  .description('run only the carrier simulator (an SMPP SMSC or a CMPP ISMG on loopback)')
  .option('--protocol <protocol>', 'smpp or cmpp', 'smpp')
  .option('--port <port>', 'port (SMPP: HONGYAN_SIMULATOR_PORT or 2776; CMPP: 7891)')
  .option('--host <host>', 'listen address', '127.0.0.1')
  .option('--receipt-delay-ms <ms>', 'delay before each delivery receipt')
  .option(
    '--secret <secret>',
    'CMPP: the shared secret AuthenticatorISMG is signed with (default: the CMPP channel default)',
  )
  .option(
    '--control-port <port>',
    'HTTP control port (POST /inbound, GET /stats); off unless given',
  )
  .option(
    '--state <file>',
    'SMPP: journal of the receipts owed, kept across restarts (default: <data dir>/smpp-simulator-<port>.journal)',
  )
  .option('--no-state', 'SMPP: keep the receipts owed in memory only (lost on a crash)')
  .action(
    async (opts: {
      protocol: string;
      port?: string;
      host: string;
      receiptDelayMs?: string;
      secret?: string;
      controlPort?: string;
      state?: string | false;
    }) => {
      if (opts.protocol !== 'smpp' && opts.protocol !== 'cmpp') {
        process.stderr.write(`hongyan: --protocol must be smpp or cmpp, got "${opts.protocol}"\n`);
        process.exit(2);
      }
      if (opts.protocol === 'cmpp' && typeof opts.state === 'string') {
        process.stderr.write('hongyan: --state is for the SMPP simulator\n');
        process.exit(2);
      }
      const config = loadConfig();
      const log = createLogger(config.logLevel, { role: 'simulator' });
      const receiptDelayMs =
        opts.receiptDelayMs !== undefined
          ? Number(opts.receiptDelayMs)
          : config.simulator.receiptDelayMs;
      const smppPort = opts.port !== undefined ? Number(opts.port) : config.simulator.port;
      const sim =
        opts.protocol === 'cmpp'
          ? new CmppSimulator({
              host: opts.host,
              port: opts.port !== undefined ? Number(opts.port) : 7891,
              receiptDelayMs,
              ...(opts.secret !== undefined ? { secret: opts.secret } : {}),
              logger: log,
            })
          : new SmscSimulator({
              host: opts.host,
              port: smppPort,
              receiptDelayMs,
              // Like a carrier, it keeps what it owes across a crash; one journal per port by default,
              // so a standalone simulator never shares the embedded one's (or another's) journal.
              ...(opts.state === false
                ? {}
                : {
                    stateFile:
                      opts.state ?? join(config.dataDir, `smpp-simulator-${smppPort}.journal`),
                  }),
              logger: log,
            });
      const { port } = await sim.start();
      const control =
        opts.controlPort !== undefined
          ? await startControlServer(sim, { port: Number(opts.controlPort), host: opts.host })
          : null;
      process.stdout.write(
        `simulator listening on ${opts.protocol}://${opts.host}:${port}${control ? `, control http://${opts.host}:${control.port}` : ''}\n`,
      );
      onSignal(async () => {
        await control?.close();
        await sim.stop();
      });
    },
  );

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const config = loadConfig();
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const applied = await migrate(store);
    await store.close();
    process.stdout.write(
      applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
    );
  });

const admin = program.command('admin').description('operator administration');
admin
  .command('create')
  .description(
    'create an operator admin (the first one, or another); prints a temporary password, changed at first login',
  )
  .requiredOption('--email <email>', 'login email')
  .option('--name <name>', 'display name', 'Administrator')
  .option('--role <role>', 'admin, reviewer, finance or support', 'admin')
  .action(async (opts: { email: string; name: string; role: string }) => {
    const config = loadConfig();
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrate(store);
      const deps = {
        db: store.db,
        tenants: new TenantStore(store.db),
        users: new UserStore(store.db),
        audit: new AuditStore(store.db),
      };
      const { user, temporaryPassword } = await createUser(
        deps,
        { tenantId: null, email: opts.email, name: opts.name, role: opts.role },
        { type: 'system', id: null, ip: null },
      );
      process.stdout.write(
        `operator ${user.role} ${user.email} created (${user.id})\ntemporary password: ${temporaryPassword}\nlog in with POST /v1/auth/login and change it (POST /v1/auth/password)\n`,
      );
    } catch (err) {
      if (err instanceof DomainError) {
        process.stderr.write(`hongyan: ${err.message}\n`);
        process.exitCode = 1;
      } else throw err;
    } finally {
      await store.close();
    }
  });

registerChannelCommands(program);

const billing = program.command('billing').description('billing');
billing
  .command('verify')
  .description(
    "recompute every tenant's balance from its ledger entries and its messages; exit 1 on any difference",
  )
  .action(async () => {
    const config = loadConfig();
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrate(store);
      const started = Date.now();
      const report = await new LedgerStore(store.db, store.dialect).verify();
      process.stdout.write(
        `checked ${report.tenants} tenants, ${report.messages} messages in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
      for (const d of report.differences)
        process.stdout.write(
          `DIFFERENCE ${d.tenantId} ${d.check}: expected ${d.expected}, found ${d.actual}\n`,
        );
      process.stdout.write(
        report.differences.length === 0
          ? 'ledger consistent\n'
          : `${report.differences.length} differences\n`,
      );
      if (report.differences.length > 0) process.exitCode = 1;
    } finally {
      await store.close();
    }
  });

function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) process.exit(1);
      stopping = true;
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`hongyan: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
