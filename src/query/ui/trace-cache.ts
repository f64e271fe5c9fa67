/**
 * Recently opened traces, kept so that span-detail and find requests after opening a big trace
 * cost a map lookup instead of another storage read. Bounded by total spans and by age.
 */
import type { PreparedTrace } from './compact-trace.js';

/** Options of {@link createTraceCache}. */
export interface TraceCacheOptions {
  /** Most spans held across all cached traces; a trace larger than this is not cached. */
  maxSpans: number;
  /** Entries older than this are dropped on access, ms. */
  ttlMs: number;
  /** Clock in ms (tests pin it). */
  now?: () => number;
}

/** A least-recently-used cache of prepared traces. */
export interface TraceCache {
  /** The cached trace, or undefined when absent or expired; a hit makes it the most recent. */
  get(traceId: string): PreparedTrace | undefined;
  /** Caches a trace, evicting the least recently used ones until the span budget holds. */
  set(traceId: string, trace: PreparedTrace): void;
  /** When a live entry was cached (the `now` clock, ms), without touching its recency; undefined when absent or expired. */
  storedAt(traceId: string): number | undefined;
  /** Spans currently held. */
  readonly spans: number;
}

/** Creates an empty cache. */
export function createTraceCache(options: TraceCacheOptions): TraceCache {
  const now = options.now ?? Date.now;
  // Map iteration order is insertion order: re-inserting on access keeps the oldest first.
  const entries = new Map<string, { trace: PreparedTrace; at: number }>();
  let spans = 0;
  const remove = (traceId: string): void => {
    const entry = entries.get(traceId);
    if (!entry) return;
    entries.delete(traceId);
    spans -= entry.trace.spans.length;
  };
  return {
    get(traceId) {
      const entry = entries.get(traceId);
      if (!entry) return undefined;
      if (now() - entry.at > options.ttlMs) {
        remove(traceId);
        return undefined;
      }
      entries.delete(traceId);
      entries.set(traceId, entry);
      return entry.trace;
    },
    storedAt(traceId) {
      const entry = entries.get(traceId);
      if (!entry || now() - entry.at > options.ttlMs) return undefined;
      return entry.at;
    },
    set(traceId, trace) {
      remove(traceId);
      const size = trace.spans.length;
      if (size > options.maxSpans) return;
      for (const key of entries.keys()) {
        if (spans + size <= options.maxSpans) break;
        remove(key);
      }
      entries.set(traceId, { trace, at: now() });
      spans += size;
    },
    get spans() {
      return spans;
    },
  };
}
