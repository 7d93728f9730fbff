// Open the database: a SQLite file by default, PostgreSQL when DATABASE_URL says so.
// Everything above this file sees one Kysely<Database>; what differs lives in `dialect`.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrations } from './migrations/index.ts';

export type Dialect = 'sqlite' | 'postgres';

/** Modes of what Hongyan keeps in its data dir: only the user it runs as may read it. */
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/**
 * Create the data dir owner-only (the mode set outright, whatever the umask). A dir that exists
 * keeps its mode: the operator chose it, and the files in it are 0600 anyway.
 */
export function ensureDataDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  if (created !== undefined) chmodSync(dir, DATA_DIR_MODE);
}

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the SQLite file lives (null on PostgreSQL). */
  file: string | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

// bigint columns hold epoch-ms times and minor-unit money: both are safe integers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function openStore(opts: OpenOptions): Store {
  // On PostgreSQL too: the demo credentials and generated keys are written there.
  ensureDataDir(opts.dataDir);
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', file: null, close: () => db.destroy() };
  }
  const file = join(opts.dataDir, 'hongyan.db');
  // The file exists with its mode before SQLite opens it: SQLite would create it 0644 under the
  // usual umask, and every message body, key hash and ledger row is in it. An older install's
  // file is tightened too.
  closeSync(openSync(file, 'a', DATA_FILE_MODE));
  chmodSync(file, DATA_FILE_MODE);
  const raw = new BetterSqlite3(file);
  // WAL: readers never block the single writer. NORMAL sync is safe against a process crash
  // (a commit is in the WAL before the call returns); only an OS crash can lose the last commits.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  // SQLite gives -wal and -shm the database file's mode, less the umask; set it outright.
  for (const side of [`${file}-wal`, `${file}-shm`])
    if (existsSync(side)) chmodSync(side, DATA_FILE_MODE);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(raw) }),
  });
  return { db, dialect: 'sqlite', file, close: () => db.destroy() };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing
 * is a large share of a small query's cost. Cache them by SQL text.
 */
function cachingStatements(raw: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      raw.close();
    },
    prepare: (text: string) => {
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = raw.prepare(text);
        // Multi-row inserts make one text per row count; a few thousand statements is little memory.
        if (cache.size > 5000) cache.clear();
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

/** Apply pending migrations, in order, each in its own transaction. Safe to run on every start. */
export async function migrate(store: Store): Promise<string[]> {
  const { db, dialect } = store;
  await sql`create table if not exists schema_migrations (version text primary key, applied_at bigint not null)`.execute(
    db,
  );
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction().execute(async (trx) => {
      // Several nodes may start at once on one PostgreSQL: one migrates, the others wait.
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(727272)`.execute(trx);
      const row = await sql<{
        version: string;
      }>`select version from schema_migrations where version = ${m.version}`.execute(trx);
      if (row.rows.length > 0) return false;
      await m.up(trx as unknown as Kysely<unknown>, dialect);
      await sql`insert into schema_migrations (version, applied_at) values (${m.version}, ${Date.now()})`.execute(
        trx,
      );
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
