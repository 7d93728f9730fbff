// Preloaded into the Hongyan process by `npm run bench -- --sql-timing` (SQLite only): times every
// better-sqlite3 statement by SQL text and writes a summary to $HONGYAN_BENCH_SQL_TIMING at exit.
// better-sqlite3 is synchronous, so this is the time the event loop spent inside SQLite.
import { writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

const out = process.env.HONGYAN_BENCH_SQL_TIMING;
if (out) {
  const probe = new BetterSqlite3(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  const stats = new Map<string, { calls: number; ns: bigint }>();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = proto[method] as (...args: unknown[]) => unknown;
    proto[method] = function timed(this: { source: string }, ...args: unknown[]) {
      const t0 = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const s = stats.get(this.source) ?? { calls: 0, ns: 0n };
        s.calls += 1;
        s.ns += process.hrtime.bigint() - t0;
        stats.set(this.source, s);
      }
    };
  }
  process.on('exit', () => {
    const rows = [...stats.entries()]
      .map(([sql, s]) => ({
        ms: Number(s.ns / 1000n) / 1000,
        calls: s.calls,
        sql: sql.replace(/\s+/g, ' ').trim(),
      }))
      .sort((a, b) => b.ms - a.ms);
    writeFileSync(out, JSON.stringify(rows, null, 1));
  });
}
