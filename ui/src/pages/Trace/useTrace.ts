import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { fetchCompactTrace } from '../../api/client.js';
import type { CompactTrace } from '../../api/types.js';

/** A loaded trace plus lookups derived once per trace. */
export interface LoadedTrace {
  trace: CompactTrace;
  /** Row of a span id. */
  rowOf: (spanId: string) => number | undefined;
  spanIdOf: (row: number) => string;
}

/** The query that loads a trace: one key and fetch for the page and for the start-up prefetch. */
export function traceQuery(traceId: string) {
  return {
    queryKey: ['trace', traceId],
    queryFn: ({ signal }: { signal: AbortSignal }) => fetchCompactTrace(traceId, signal),
    staleTime: 5 * 60_000,
    retry: (count: number, err: Error) => count < 1 && !('status' in err && (err as { status: number }).status === 404),
  };
}

/** Loads a compact trace (cached by TanStack Query per trace id). */
export function useTrace(traceId: string) {
  const query = useQuery(traceQuery(traceId));
  const loaded = useMemo<LoadedTrace | undefined>(() => {
    if (!query.data) return undefined;
    const trace = query.data;
    let index: Map<string, number> | undefined;
    return {
      trace,
      spanIdOf: (row) => trace.rows.spanIds.slice(row * 16, row * 16 + 16),
      rowOf: (spanId) => {
        if (!index) {
          index = new Map();
          const ids = trace.rows.spanIds;
          for (let row = trace.spanCount - 1; row >= 0; row--) index.set(ids.slice(row * 16, row * 16 + 16), row);
        }
        return index.get(spanId);
      },
    };
  }, [query.data]);
  return { query, loaded };
}
