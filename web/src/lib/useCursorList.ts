// Server-side pagination over the API's cursor lists ({data, nextCursor}): the console keeps the
// cursors of the pages it has seen, so "previous" and "next" never load more than one page.
import { useCallback, useEffect, useState } from 'react';
import { api, type Page, type Query } from '../api/client.ts';
import { useApi, type Loaded } from './useApi.ts';

export interface CursorList<T> extends Loaded<Page<T>> {
  rows: T[];
  page: number;
  hasNext: boolean;
  hasPrev: boolean;
  next(): void;
  prev(): void;
  first(): void;
}

export function useCursorList<T>(
  path: string,
  query: Query,
  opts: { limit?: number; cursorParam?: string; nextKey?: string } = {},
): CursorList<T> {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const key = JSON.stringify([path, query]);
  // A new filter starts again at the first page.
  useEffect(() => setCursors([undefined]), [key]);
  const cursor = cursors[cursors.length - 1];
  const loaded = useApi<Page<T>>(
    async (signal) => {
      const r = await api.get<{ data: T[] } & Record<string, unknown>>(
        path,
        { ...query, limit: opts.limit ?? 20, [opts.cursorParam ?? 'after']: cursor },
        signal,
      );
      const next = r[opts.nextKey ?? 'nextCursor'];
      return {
        data: r.data,
        nextCursor: next === null || next === undefined ? null : String(next),
      };
    },
    [key, cursor],
  );
  const nextCursor = loaded.data?.nextCursor ?? null;
  const next = useCallback(() => {
    if (nextCursor) setCursors((c) => [...c, nextCursor]);
  }, [nextCursor]);
  const prev = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  const first = useCallback(() => setCursors([undefined]), []);
  return {
    ...loaded,
    rows: loaded.data?.data ?? [],
    page: cursors.length,
    hasNext: nextCursor !== null,
    hasPrev: cursors.length > 1,
    next,
    prev,
    first,
  };
}

/**
 * The lists paged backwards by `?before=<id>` that answer `nextBefore` (the ledger, the audit
 * logs), as the same CursorList, so <CursorTable> pages them like every other table.
 */
export function useBeforeList<T>(path: string, query: Query, limit = 20): CursorList<T> {
  return useCursorList<T>(path, query, { limit, cursorParam: 'before', nextKey: 'nextBefore' });
}
