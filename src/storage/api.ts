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
  /** OPTIONAL extra condition the matching span must also satisfy (engines with `aggregateSpans` honour it). */
  where?: SpanPredicate;
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

/** A span field a condition, a group key or a measure reads. */
export type SpanField =
  | 'service'
  | 'operation'
  | 'kind'
  | 'status'
  | 'duration'
  | 'start'
  | 'remote_service'
  | 'trace_id'
  | 'span_id'
  | 'parent_id';

/**
 * What a condition reads: a span field, or an attribute by key. An attribute reads the span's
 * attribute of that key, or, when the span has none, its resource attribute of that key.
 * Field values as conditions see them: service/operation/remote_service/ids strings (remote_service
 * missing when the span has no remote service name), kind a SpanKind name, status a StatusCode name,
 * duration and start integer µs (start since the epoch). Attribute values are the stored value:
 * numbers and booleans keep their type.
 */
export type FieldRef = { field: SpanField } | { attribute: string };

/** A literal a condition compares with. */
export type Literal = string | number | boolean;

/**
 * A condition on one span. Semantics every engine MUST share (the executable reference is
 * src/storage/predicate.ts):
 * - A comparison or `in` or `regex` on a missing value is false; `not` inverts true and false alike.
 * - `=`, `!=`, `in` with a string literal compare the value's string form (String(v)); with a number
 *   literal, the value's numeric form (a string value is parsed as a decimal number; unparsable is
 *   missing); with a boolean literal, the value's string form against "true"/"false".
 * - `<`, `<=`, `>`, `>=` with a number literal compare numerically as above; with a string literal,
 *   compare string forms by code unit.
 * - `regex` tests the value's string form with an RE2-compatible pattern, unanchored (a match
 *   anywhere); engines MUST reject patterns they cannot compile with INVALID_ARGUMENT.
 * - `exists` is true when the value is present (an attribute key on the span or its resource;
 *   remote_service and parent_id when set; other fields always).
 */
export type SpanPredicate =
  | { op: 'and' | 'or'; args: SpanPredicate[] }
  | { op: 'not'; arg: SpanPredicate }
  | { op: 'exists'; ref: FieldRef }
  | { op: '=' | '!=' | '<' | '<=' | '>' | '>='; ref: FieldRef; value: Literal }
  | { op: 'in'; ref: FieldRef; values: Literal[] }
  | { op: 'regex'; ref: FieldRef; pattern: string };

/** A group key of an aggregation: a value read from each span, or its start time's bucket. */
export type GroupKey = { ref: FieldRef } | { bucketUs: number };

/** A numeric value aggregated per group (duration, or a numeric attribute). */
export interface Measure {
  ref: FieldRef;
  /** Also count values into the shared log-scale histogram (histogram.ts) for percentiles. */
  histogram: boolean;
}

/**
 * An aggregation over spans: spans of the tenant scope starting in [startUsMin, startUsMax] that
 * satisfy `where` are grouped by `groupBy`, and each group reports its partial figures. Exact
 * duplicate spans count once. Zipkin shared halves are two spans (a request counted once per side).
 */
export interface SpanAggregation extends TenantScope {
  startUsMin: number;
  startUsMax: number;
  where?: SpanPredicate;
  groupBy: GroupKey[];
  measures: Measure[];
  /** At most this many groups; engines reject with RESOURCE_EXHAUSTED when there would be more. */
  maxGroups: number;
}

/** A group key of a request aggregation: the service, the operation, or the start time's bucket. */
export type RequestGroupKey = { ref: { field: 'service' | 'operation' } } | { bucketUs: number };

/**
 * The requests of a window (spans of kind server or consumer, and spans without a parent: see
 * requestPredicate in requests.ts), of `service` and `operation` when given, grouped as a
 * SpanAggregation groups them. What service pages show; engines MAY keep it rolled up.
 */
export interface RequestAggregation extends TenantScope {
  startUsMin: number;
  startUsMax: number;
  service?: string;
  operation?: string;
  groupBy: RequestGroupKey[];
  /** At most this many groups; engines reject with RESOURCE_EXHAUSTED when there would be more. */
  maxGroups: number;
}

/** The partial figures of one measure in one group; mergeable by adding counts and histograms. */
export interface MeasurePartial {
  /** Spans of the group with a numeric value for the measure. */
  count: number;
  sum: number;
  /** Undefined when count is 0. */
  min?: number;
  max?: number;
  /** [bucket index, count] pairs sorted by index, when the measure asked for a histogram. */
  histogram?: Array<[number, number]>;
}

/** One group of an aggregation's answer. */
export interface AggregateGroup {
  /**
   * One value per group key, in order: a field's or attribute's string form (String(v)), null when
   * missing; a bucket key is the bucket's start in µs (floor(start / bucketUs) * bucketUs).
   */
  keys: Array<string | number | null>;
  /** Spans in the group. */
  count: number;
  /** Spans in the group whose statusCode is 'error'. */
  errorCount: number;
  /** One per measure, in order. */
  measures: MeasurePartial[];
}

/** A span search: the spans matching `where`, ordered by `orderBy` descending, at most `limit`. */
export interface SpanSearch extends TenantScope {
  startUsMin: number;
  startUsMax: number;
  where?: SpanPredicate;
  /** 'start': newest first; 'duration': longest first (ties: newest first). */
  orderBy: 'start' | 'duration';
  limit: number;
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
  /**
   * OPTIONAL capability: grouped partial figures of the spans an aggregation selects (see
   * SpanAggregation); MUST equal aggregateSpans of predicate.ts over the same spans. Engines that
   * have it also honour TraceQuery.where and have findSpans.
   */
  aggregateSpans?(query: SpanAggregation): Promise<AggregateGroup[]>;
  /**
   * OPTIONAL capability: the groups aggregateSpans gives for the requests a RequestAggregation
   * selects with one measure, duration with its histogram (requestAggregationOf in requests.ts).
   * Counts, errors and the duration's count, sum, min and max MUST be equal; the histogram MAY be
   * coarser: each duration counted in a bucket whose value is within REQUEST_HISTOGRAM_ACCURACY of it.
   */
  aggregateRequests?(query: RequestAggregation): Promise<AggregateGroup[]>;
  /** OPTIONAL capability (with aggregateSpans): the spans a span search selects, whole. */
  findSpans?(query: SpanSearch): Promise<Span[]>;
  /**
   * OPTIONAL capability: the spans getTrace returns, of which only the fields a trace timeline
   * and the read-time adjustments use MUST be filled: ids, parent, kind, name, service, times,
   * statusCode, tenant, shared, localEndpoint's ipv4/ipv6 and the resource entries named in
   * resourceKeys (values MAY come back as strings). Anything else MAY be empty ({} / [], possibly
   * frozen and shared between spans), so engines can skip reading it. For opening big traces fast;
   * their details come from getTrace.
   */
  getTraceSkeleton?(query: TenantScope & { traceId: string; resourceKeys: readonly string[] }): Promise<Span[]>;
  /**
   * OPTIONAL capability: the spans of one trace whose span id is among spanIds, whole and exact
   * duplicates collapsed, as getTrace returns them (both halves of a shared id). For one span's
   * details without reading its whole trace.
   */
  getSpans?(query: TenantScope & { traceId: string; spanIds: readonly string[] }): Promise<Span[]>;
  /**
   * OPTIONAL capability: a count of one trace's spans in the scope, without reading them, that
   * grows with every span written to the trace and shrinks with every one deleted. Resent copies
   * of a span MAY count until they are found to be copies (so it is not always getTrace's
   * length). For telling whether a copy of a trace read earlier is still whole.
   */
  countTraceSpans?(query: TenantScope & { traceId: string }): Promise<number>;
  /**
   * OPTIONAL capability: after each write, calls `listener` (synchronously; it must only take note)
   * with every trace the write added to that now holds at least `minSpans` spans not yet moved to
   * long-term storage, i.e. a big trace while it arrives. Returns the function that stops the calls.
   */
  watchLargeTraces?(minSpans: number, listener: (trace: { tenant: string; traceId: string }) => void): () => void;
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
