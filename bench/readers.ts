// Read-only views of Hongyan's database for the benchmark: progress while it runs, rows after.
// SQLite: a second, read-only connection (WAL lets it read while Hongyan writes). PostgreSQL: pg.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

export interface Row {
  status: string;
  created_at: number;
  submitted_at: number | null;
  done_at: number | null;
}
export interface Reader {
  counts(): Promise<Record<string, number>>;
  /** Part and receipt states, to explain a stall. */
  diagnose(): Promise<string>;
  rows(): Promise<Row[]>;
  close(): Promise<void>;
}

const DIAG_PARTS =
  'select status, count(*) as n from message_parts group by status order by status';
const DIAG_RECEIPTS = 'select state, count(*) as n from receipts group by state order by state';

export function sqliteReader(file: string): Reader {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  const countQ = db.prepare('select status, count(*) as n from messages group by status');
  const rowsQ = db.prepare('select status, created_at, submitted_at, done_at from messages');
  return {
    counts: async () =>
      Object.fromEntries(
        (countQ.all() as Array<{ status: string; n: number }>).map((r) => [r.status, Number(r.n)]),
      ),
    rows: async () => rowsQ.all() as Row[],
    diagnose: async () =>
      JSON.stringify({
        parts: db.prepare(DIAG_PARTS).all(),
        receipts: db.prepare(DIAG_RECEIPTS).all(),
      }),
    close: async () => void db.close(),
  };
}

export async function postgresReader(url: string): Promise<Reader> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('set session characteristics as transaction read only');
  const num = (v: unknown) => (v === null ? null : Number(v));
  return {
    counts: async () =>
      Object.fromEntries(
        (
          await client.query<{ status: string; n: string }>(
            'select status, count(*) as n from messages group by status',
          )
        ).rows.map((r) => [r.status, Number(r.n)]),
      ),
    rows: async () =>
      (
        await client.query('select status, created_at, submitted_at, done_at from messages')
      ).rows.map((r) => ({
        status: r.status as string,
        created_at: Number(r.created_at),
        submitted_at: num(r.submitted_at),
        done_at: num(r.done_at),
      })),
    diagnose: async () =>
      JSON.stringify({
        parts: (await client.query(DIAG_PARTS)).rows,
        receipts: (await client.query(DIAG_RECEIPTS)).rows,
      }),
    close: () => client.end(),
  };
}
