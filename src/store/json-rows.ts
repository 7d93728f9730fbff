// Set-based writes on both dialects: a batch travels as one JSON parameter and is read back
// as rows (`j.value`), so one statement updates hundreds of rows on SQLite and PostgreSQL alike.
import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from './db.ts';

export function jsonRows(dialect: Dialect, rows: unknown[]): RawBuilder<unknown> {
  const json = JSON.stringify(rows);
  return dialect === 'postgres'
    ? sql`json_array_elements(${json}::json) as j(value)`
    : sql`json_each(${json}) as j`;
}

/** Field `i` of the JSON array row `j.value`, as text. */
export function field(i: number): RawBuilder<string> {
  return sql<string>`(j.value->>${sql.lit(i)})`;
}

/** Field `i` as a number (bigint on PostgreSQL, integer on SQLite). */
export function intField(i: number): RawBuilder<number> {
  return sql<number>`cast(j.value->>${sql.lit(i)} as bigint)`;
}

/** Split a list into chunks (statement parameter limits, transaction sizes). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
