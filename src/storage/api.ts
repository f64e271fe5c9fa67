/**
 * Storage contract shared by every engine (embedded, memory, later ClickHouse).
 * Nothing outside src/storage/ imports an engine folder; everything talks to these interfaces.
 * The conformance suite (conformance.ts) is the executable form of the MUST/MAY rules below.
 */
import type { DependencyLink, Span, SpanKind, StatusCode } from '../model/index.js';

/**
 * The raw request a batch of spans was decoded from. Engines with a write-ahead log MAY log these
 * bytes instead of re-encoding the spans, and decode them again on replay with the
 * {@link PayloadDecoder} they were created with.
 */
export interface Payload {
  /** Decoder key, e.g. "zipkin-v2-json". */
  format: string;
  /** Tenant the request was received for ("" is the default tenant). */
  tenant: string;
  /** The request body after content-decoding (gunzip). */
  bytes: Buffer;
}

/** Turns a logged payload back into spans; MUST return exactly the spans the receiver wrote. */
export type PayloadDecoder = (payload: Payload) => Span[];

/** Options for one write. */
export interface WriteOptions {
  signal?: AbortSignal;
  /** The request these spans were decoded from, when the receiver has it. */
  payload?: Payload;
}

/**
 * Accepts spans. writeSpans MUST resolve only once the batch is durable per the engine's policy
 * (the embedded engine: fsynced to its log) and MUST make the spans visible to readers within
 * 1 s of resolving. It MUST NOT modify the spans it is given. Writing the same span twice MAY
 * store it twice; readers collapse exact duplicates. It rejects with an AppError:
 * RESOURCE_EXHAUSTED / UNAVAILABLE when it cannot take more right now (callers answer 503/429),
 * and nothing of a rejected batch is stored.
 */
export interface SpanWriter {
  writeSpans(spans: readonly Span[], options?: WriteOptions): Promise<void>;
}

/** Tenant scope of a read: undefined reads every tenant, a string reads only that tenant. */
export interface TenantScope {
  tenant?: string;
}

/** One attribute condition of a search: `value` undefined means "the key is present". */
export interface AttributeFilter {
  key: string;
  value?: string;
}

/**
 * A trace search. A trace matches when ONE of its spans satisfies every condition given
 * (service, operation, spanKind, remoteService, each attribute, statusCode, duration bounds, start bounds).
 * Attribute conditions match span attributes or resource attributes (values compared as strings);
 * a key-only condition also matches an event whose name equals the key (Zipkin annotationQuery).
 */
export interface TraceQuery extends TenantScope {
  service?: string;
  operation?: string;
  spanKind?: SpanKind;
  /** Matches the span's remoteEndpoint.serviceName. */
  remoteService?: string;
  attributes?: AttributeFilter[];
  /** Matches the span's statusCode: 'error' finds failed spans whichever protocol marked them. */
  statusCode?: StatusCode;
  minDurationUs?: number;
  maxDurationUs?: number;
  /** Inclusive bounds on the matching span's startUs. */
  startUsMin: number;
  startUsMax: number;
  /** Maximum number of traces; engines MUST honour it. */
  limit: number;
}

/** A search hit. */
export interface TraceRef {
  traceId: string;
  /** Start of the latest matching span (the ordering key: newest first). */
  startUs: number;
}

/** Per-trace figures for result lists (Jaeger v3 trace summaries, our own UI's list). */
export interface TraceSummary {
  traceId: string;
  /** Service and name of the parentless span with the earliest start; absent when every span has a parent. */
  rootService?: string;
  rootOperation?: string;
  /** Earliest span start and latest span end (start + duration), µs since the epoch. */
  startUs: number;
  endUs: number;
  /** Spans after exact duplicates are collapsed; Zipkin shared client/server halves count as two. */
  spanCount: number;
  /** Spans with statusCode 'error'. */
  errorCount: number;
  /** Spans whose parent span id is not the id of any span of the trace. */
  orphanCount: number;
  /** One entry per service, sorted by name. */
  services: Array<{ name: string; spanCount: number; errorCount: number }>;
}

/** An operation name with the kind of the spans that carry it. */
export interface Operation {
  name: string;
  spanKind: SpanKind;
}

/**
 * Reads spans back. Every method honours the tenant scope. Results are plain data the caller owns.
 * Not found is never an error: getTrace returns [], getTraces omits missing ids.
 */
export interface SpanReader {
  /** Distinct service names, sorted ascending. */
  getServices(scope: TenantScope): Promise<string[]>;
  /** Distinct (operation, kind) pairs of a service, sorted by name then kind; kind filters when given. */
  getOperations(query: TenantScope & { service: string; spanKind?: SpanKind }): Promise<Operation[]>;
  /** Distinct remoteEndpoint service names seen on spans of a service, sorted ascending. */
  getRemoteServices(query: TenantScope & { service: string }): Promise<string[]>;
  /**
   * All spans of one trace (traceId normalised to 32 hex), in no particular order, exact duplicates
   * collapsed. startUsMin/startUsMax are hints an engine MAY use to narrow its lookup; they never
   * drop spans of a trace that has any span in the window.
   */
  getTrace(query: TenantScope & { traceId: string; startUsMin?: number; startUsMax?: number }): Promise<Span[]>;
  /** Several traces at once, in the order of the ids given, missing ones omitted. */
  getTraces(query: TenantScope & { traceIds: readonly string[] }): Promise<Span[][]>;
  /** Traces matching a search, newest first (by TraceRef.startUs), at most query.limit. */
  findTraceIds(query: TraceQuery): Promise<TraceRef[]>;
  /** Distinct values of a span attribute (as strings), sorted ascending, at most `limit`. */
  getAttributeValues(query: TenantScope & { key: string; limit: number }): Promise<string[]>;
  /**
   * OPTIONAL capability: summaries of several traces without handing whole spans over, in the
   * order of the ids given, missing ones omitted; MUST equal summarizeTrace (summaries.ts) of what
   * getTraces returns for the same ids. Callers use traceSummaries(), which falls back to getTraces.
   */
  getTraceSummaries?(query: TenantScope & { traceIds: readonly string[] }): Promise<TraceSummary[]>;
}

/**
 * Service dependency graph. An edge parent → child is counted once per span whose parent span
 * belongs to another service (a shared Zipkin span id counts once), plus once per client or
 * producer span with a remote service name and no child span reported by that service; a consumer
 * span naming a remote service (its broker) is linked broker → consumer instead. errorCount
 * counts those calls whose callee-side (or, without one, caller-side) span has statusCode "error".
 */
export interface DependencyReader {
  getDependencies(query: TenantScope & { endUs: number; lookbackUs: number }): Promise<DependencyLink[]>;
}

/** What an engine reports for /metrics and logs. */
export interface StoreStats {
  /** Bytes on disk (0 for memory). */
  diskBytes: number;
  /** Spans accepted but not yet in the engine's long-term layout. */
  bufferedSpans: number;
  /** Engine-specific counters and gauges, e.g. wal_fsync_seconds_sum. */
  extra: Record<string, number>;
}

/** An opened store: one writer, readers and lifecycle. */
export interface Store {
  readonly name: string;
  readonly writer: SpanWriter;
  readonly reader: SpanReader;
  readonly dependencies: DependencyReader;
  stats(): StoreStats;
  /** Stops background work, flushes what it can, releases files. Idempotent. */
  close(): Promise<void>;
}
