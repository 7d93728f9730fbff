// Lists paged by `?before=<id>` with `nextBefore` (the audit log, the ledger) as a CursorList, so
// they use the same <CursorTable> as the `?after=` lists.
import { useCallback, useEffect, useState } from 'react';
import { api, type Page, type Query } from '../../../api/client.ts';
import { useApi } from '../../../lib/useApi.ts';
import type { CursorList } from '../../../lib/useCursorList.ts';

export function useBeforeList<T>(path: string, query: Query, limit = 20): CursorList<T> {
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const key = JSON.stringify([path, query]);
  useEffect(() => setCursors([undefined]), [key]);
  const before = cursors[cursors.length - 1];
  const loaded = useApi<Page<T>>(
    (signal) =>
      api
        .get<{ data: T[]; nextBefore: number | null }>(path, { ...query, limit, before }, signal)
        .then((r) => ({
          data: r.data,
          nextCursor: r.nextBefore === null ? null : String(r.nextBefore),
        })),
    [key, before],
  );
  const nextCursor = loaded.data?.nextCursor ?? null;
  const next = useCallback(() => {
    if (nextCursor) setCursors((c) => [...c, Number(nextCursor)]);
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
