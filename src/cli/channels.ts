// `hongyan channels …`: the operator's channel commands, straight on the database. Running nodes
// apply a change within a few seconds (they reload channel configs every 5 s); no restart.
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { migrate, openStore, type Store } from '../store/db.ts';
import { ChannelStore } from '../store/channels.ts';
import { AuditStore } from '../store/audit.ts';
import { keyringCipher, loadKeyring, plaintextCipher } from '../security/body-cipher.ts';
import {
  CMPP_DEFAULTS,
  SMPP_DEFAULTS,
  ChannelConfigError,
  publicChannelConfig,
  validateChannelConfig,
} from '../core/channels/channel-config.ts';

const CLI = { type: 'system' as const, id: 'cli', ip: null };

async function withChannels<T>(
  run: (channels: ChannelStore, audit: AuditStore, store: Store) => Promise<T>,
): Promise<T | undefined> {
  const config = loadConfig();
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(store);
    const { keyring } = loadKeyring(config.security.encryptionKeys, {
      dataDir: config.dataDir,
      embedded: store.dialect === 'sqlite',
    });
    const cipher = keyring ? keyringCipher(keyring) : plaintextCipher;
    return await run(new ChannelStore(store.db, cipher), new AuditStore(store.db), store);
  } catch (err) {
    if (err instanceof ChannelConfigError || err instanceof CliError) {
      process.stderr.write(`hongyan: ${err.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw err;
  } finally {
    await store.close();
  }
}

class CliError extends Error {}

/** `--set window=64 --set tls=true --set name="Mobile GD"`: values are JSON when they parse as JSON. */
function settings(pairs: string[], json: string | undefined): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  if (json !== undefined) {
    try {
      out = JSON.parse(json) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`--json: ${(err as Error).message}`);
    }
    if (typeof out !== 'object' || out === null || Array.isArray(out))
      throw new CliError('--json must be an object');
  }
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new CliError(`--set ${pair}: expected key=value`);
    const key = pair.slice(0, i);
    const raw = pair.slice(i + 1);
    let value: unknown = raw;
    // Text options stay text (spId=901234 is a code, not a number); others read as JSON.
    if (!STRING_OPTIONS.has(key)) {
      try {
        value = JSON.parse(raw);
      } catch {
        // a plain string: the validator names the option if it wanted something else
      }
    }
    out[key] = value;
  }
  return out;
}

const STRING_OPTIONS = new Set(
  [...Object.entries(SMPP_DEFAULTS), ...Object.entries(CMPP_DEFAULTS)]
    .filter(([, v]) => typeof v === 'string')
    .map(([k]) => k)
    .concat('id'),
);

const collect = (v: string, all: string[]) => [...all, v];

export function registerChannelCommands(program: Command): void {
  const channels = program
    .command('channels')
    .description(
      'carrier channels: list, add, change, enable, disable, remove (no restart needed)',
    );

  channels
    .command('list')
    .description('the channels and their settings (secrets shown as set or not)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withChannels(async (store) => {
        const all = await store.list();
        if (opts.json) {
          process.stdout.write(
            JSON.stringify(
              all.map((s) => ({ ...publicChannelConfig(s.config), source: s.source })),
              null,
              2,
            ) + '\n',
          );
          return;
        }
        const rows = all.map((s) => [
          s.config.id,
          s.config.kind,
          `${s.config.host}:${s.config.port}`,
          s.config.enabled ? 'enabled' : 'disabled',
          s.config.use,
          `${s.config.binds}x${s.config.window}`,
          `${s.config.throughput}/s`,
          s.source,
        ]);
        const head = ['ID', 'KIND', 'ADDRESS', 'STATE', 'USE', 'BINDSxWINDOW', 'RATE', 'SOURCE'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        for (const r of [head, ...rows])
          process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ') + '\n');
      });
    });

  channels
    .command('add <id>')
    .description('add a channel, e.g. add cmcc --set kind=cmpp --set host=10.0.0.5 --set port=7890')
    .option('--set <key=value>', 'an option (repeatable); see docs/channels.md', collect, [])
    .option('--json <object>', 'options as one JSON object')
    .action(async (id: string, opts: { set: string[]; json?: string }) => {
      await withChannels(async (store, audit) => {
        const config = validateChannelConfig({ ...settings(opts.set, opts.json), id });
        if (!(await store.create(config, Date.now())))
          throw new CliError(`channel ${id} exists; change it with "channels set"`);
        await audit.record({
          tenantId: null,
          actor: CLI,
          action: 'channel.created',
          details: { channel: id, kind: config.kind, host: config.host, port: config.port },
        });
        process.stdout.write(
          `channel ${id} added (${config.kind} ${config.host}:${config.port})\n`,
        );
      });
    });

  const change = async (id: string, inputOf: () => Record<string, unknown>, what: string) => {
    await withChannels(async (store, audit) => {
      const input = inputOf();
      const current = await store.get(id);
      if (!current) throw new CliError(`no channel ${id}`);
      if ('id' in input && input.id !== id) throw new CliError('a channel id cannot change');
      const config = validateChannelConfig(input, current.config);
      await store.update(config, Date.now());
      await audit.record({
        tenantId: null,
        actor: CLI,
        action: 'channel.changed',
        details: { channel: id, fields: Object.keys(input) },
      });
      process.stdout.write(`channel ${id} ${what}; running nodes apply it within 5 s\n`);
    });
  };

  channels
    .command('set <id>')
    .description('change options of a channel, e.g. set cmcc --set window=32')
    .option('--set <key=value>', 'an option (repeatable)', collect, [])
    .option('--json <object>', 'options as one JSON object')
    .action((id: string, opts: { set: string[]; json?: string }) =>
      change(id, () => settings(opts.set, opts.json), 'changed'),
    );
  channels
    .command('enable <id>')
    .description('connect a disabled channel again')
    .action((id: string) => change(id, () => ({ enabled: true }), 'enabled'));
  channels
    .command('disable <id>')
    .description('stop using a channel (outstanding submits are answered first)')
    .action((id: string) => change(id, () => ({ enabled: false }), 'disabled'));

  channels
    .command('remove <id>')
    .description('remove a channel (its messages keep naming it)')
    .action(async (id: string) => {
      await withChannels(async (store, audit) => {
        if (!(await store.remove(id, Date.now()))) throw new CliError(`no channel ${id}`);
        await audit.record({
          tenantId: null,
          actor: CLI,
          action: 'channel.removed',
          details: { channel: id },
        });
        process.stdout.write(`channel ${id} removed\n`);
      });
    });
}
