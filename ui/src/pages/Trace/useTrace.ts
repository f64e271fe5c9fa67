import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef } from 'react';
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

/**
 * How long a pointer rests on (or focus stays in) a link to a trace before its bytes are fetched,
 * ms: long enough that sweeping across a result list fetches nothing, short against the few hundred
 * ms between pointing at a result and clicking it.
 */
export const OPEN_INTENT_MS = 80;

/** Event handlers that start loading a trace when the user points at or focuses its link. */
export interface TraceIntentHandlers {
  onPointerEnter: () => void;
  onPointerLeave: () => void;
  onFocus: () => void;
  onBlur: () => void;
}

/**
 * Handlers for links to traces: resting on one for OPEN_INTENT_MS starts its load into the same
 * cache the trace page reads, so a click usually finds the trace already on its way or there.
 */
export function useTraceIntent(): (traceId: string) => TraceIntentHandlers {
  const client = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback((traceId: string) => {
    const start = () => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void client.prefetchQuery(traceQuery(traceId)), OPEN_INTENT_MS);
    };
    const stop = () => clearTimeout(timer.current);
    return { onPointerEnter: start, onPointerLeave: stop, onFocus: start, onBlur: stop };
  }, [client]);
}
