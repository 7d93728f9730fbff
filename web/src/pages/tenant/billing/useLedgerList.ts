// The ledger pages backwards with `?before=<entry id>` and answers `nextBefore` (GET /v1/ledger),
// not the `after`/`nextCursor` of the other lists: this adapts it to the console's CursorList, so
// <CursorTable> pages it on the server like every other table.
import { useCallback, useEffect, useState } from 'react';
import { api, type Page, type Query } from '../../../api/client.ts';
import { useApi } from '../../../lib/useApi.ts';
import type { CursorList } from '../../../lib/useCursorList.ts';

export function useBeforeList<T>(path: string, query: Query, limit = 20): CursorList<T> {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const key = JSON.stringify([path, query]);
  useEffect(() => setCursors([undefined]), [key]);
  const cursor = cursors[cursors.length - 1];
  const loaded = useApi<Page<T>>(
    async (signal) => {
      const r = await api.get<{ data: T[]; nextBefore: number | string | null }>(
        path,
        { ...query, limit, before: cursor },
        signal,
      );
      return { data: r.data, nextCursor: r.nextBefore === null ? null : String(r.nextBefore) };
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
