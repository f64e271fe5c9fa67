/**
 * Which spans are requests, and the request rollups engines keep of them: per tenant, 15-minute
 * slot, service, operation and coarse duration bucket, the exact request count, error count and
 * duration sum, min and max. Rows are additive, so they are written as spans arrive and merged
 * later; a window's figures are the sum of the rollup rows of its whole slots plus a scan of the
 * partial slots at its edges. Pure: engines store and query the rows.
 */
import { AppError } from '../errors.js';
import { compareStrings, type Span, type SpanKind, type StatusCode } from '../model/index.js';
import type { AggregateGroup, RequestAggregation, SpanAggregation, SpanPredicate, SpanReader, SpanSearch, TenantScope } from './api.js';
import { HISTOGRAM_ACCURACY, HISTOGRAM_GAMMA, histogramIndex } from './histogram.js';
import { checkAggregation, checkSearch, compilePredicate, compareGroupKeys, tooManyGroups } from './predicate.js';

/**
 * The spans that are requests (of `service`, and of `operation` when given): spans of kind server
 * or consumer, and spans without a parent (entry spans). A Zipkin shared span's server half counts
 * for the callee and its client half is not a request, so each side counts a call once.
 */
export function requestPredicate(filter: { service?: string; operation?: string } = {}): SpanPredicate {
  const entry: SpanPredicate = {
    op: 'or',
    args: [
      { op: 'in', ref: { field: 'kind' }, values: ['server', 'consumer'] },
      { op: 'not', arg: { op: 'exists', ref: { field: 'parent_id' } } },
    ],
  };
  const args: SpanPredicate[] = [];
  if (filter.service !== undefined) args.push({ op: '=', ref: { field: 'service' }, value: filter.service });
  if (filter.operation !== undefined) args.push({ op: '=', ref: { field: 'operation' }, value: filter.operation });
  args.push(entry);
  return args.length === 1 ? entry : { op: 'and', args };
}

const IS_REQUEST = compilePredicate(requestPredicate());

/** Whether a span is a request (requestPredicate() without service or operation). */
export function isRequest(span: Span): boolean {
  return IS_REQUEST(span);
}

/*
 * ROLLUP_NOTE: distinct rollup keys (slot, service, operation, duration bucket) of the workload's
 * requests (bench/workload.ts at 10M spans over 24 h: 4.8M requests), counted over a sample of the
 * same density, by slot width and bucket width:
 *              1 % buckets   2 %      5 %      10 %
 *   1 min         4.6M       4.4M     3.9M     3.3M    (as many rows as requests)
 *   5 min         3.8M       3.2M     2.3M     1.6M
 *   15 min        2.8M       2.1M     1.25M    0.77M
 *   1 h           1.4M       0.88M    0.44M    0.24M
 * 15-minute slots are the widest that divide the series buckets of a day (15 and 30 minutes), and
 * 5 % buckets (five 1 % buckets) keep percentiles within 5.2 %: the loaded 10M-span store held
 * 1.23M rows, plus 0.19M summed per service. bench/analytics.ts, 10M spans, machine load 4.6-5.8:
 * the services page over the day p50 247 / p99 287 ms (the same groups scanned from the spans:
 * 1.8-2.3 s).
 */

/** Width of a rollup slot: 15 minutes, which divides every bucket width of 15 minutes and more. */
export const ROLLUP_SLOT_US = 15 * 60_000_000;

/** Consecutive 1 % histogram buckets (histogram.ts) that one rollup bucket holds. */
export const ROLLUP_BUCKET_SPAN = 5;

/** Where a rollup bucket reads back in the 1 % index space: its geometric middle. */
const MIDDLE_OFFSET = 2;

/**
 * Relative accuracy of a duration read back from a rollup bucket (about 5.1 %): a rollup bucket
 * covers (γ^(5j-5), γ^(5j)] and reads as the 1 % bucket 5j-2, whose value is γ^(5j-2)·(1-a).
 */
export const REQUEST_HISTOGRAM_ACCURACY = Math.max(
  HISTOGRAM_GAMMA ** (ROLLUP_BUCKET_SPAN - MIDDLE_OFFSET) * (1 - HISTOGRAM_ACCURACY) - 1,
  1 - HISTOGRAM_GAMMA ** -MIDDLE_OFFSET * (1 - HISTOGRAM_ACCURACY),
);

/** The rollup bucket of a 1 % histogram index (0 stays 0: durations of 0 and 1 µs). */
export function rollupBucketOf(index: number): number {
  return index <= 0 ? 0 : Math.ceil(index / ROLLUP_BUCKET_SPAN);
}

/** The 1 % histogram index a rollup bucket reads back as (SQL: `CASE WHEN b = 0 THEN 0 ELSE b * 5 - 2 END`). */
export function rollupBucketIndex(bucket: number): number {
  return bucket <= 0 ? 0 : bucket * ROLLUP_BUCKET_SPAN - MIDDLE_OFFSET;
}

/** A 1 % histogram as the rollups hold it: each index moved to its rollup bucket's index, counts merged. */
export function coarsenHistogram(histogram: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out = new Map<number, number>();
  for (const [index, count] of histogram) {
    const to = rollupBucketIndex(rollupBucketOf(index));
    out.set(to, (out.get(to) ?? 0) + count);
  }
  return [...out].sort((a, b) => a[0] - b[0]);
}

/** One rollup row: the requests of one slot, tenant, service, operation and rollup bucket. */
export interface RequestRollupRow {
  slotUs: number;
  tenant: string;
  service: string;
  operation: string;
  bucket: number;
  requests: number;
  errors: number;
  sumUs: number;
  minUs: number;
  maxUs: number;
}

/**
 * The rollup rows of some spans (requests only; the caller collapses exact duplicates first),
 * one per (slot, tenant, service, operation, bucket).
 */
export function requestRollupRows(spans: Iterable<Span>, slotUs = ROLLUP_SLOT_US): RequestRollupRow[] {
  const rows = new Map<string, RequestRollupRow>();
  for (const span of spans) {
    if (!IS_REQUEST(span)) continue;
    const slot = Math.floor(span.startUs / slotUs) * slotUs;
    const bucket = rollupBucketOf(histogramIndex(span.durationUs));
    const key = `${slot}\u0000${bucket}\u0000${span.tenant}\u0000${span.service}\u0000${span.name}`;
    const d = span.durationUs;
    const error = span.statusCode === 'error' ? 1 : 0;
    const row = rows.get(key);
    if (row === undefined) {
      rows.set(key, { slotUs: slot, tenant: span.tenant, service: span.service, operation: span.name, bucket, requests: 1, errors: error, sumUs: d, minUs: d, maxUs: d });
    } else {
      row.requests++;
      row.errors += error;
      row.sumUs += d;
      if (d < row.minUs) row.minUs = d;
      if (d > row.maxUs) row.maxUs = d;
    }
  }
  return [...rows.values()];
}

const DURATION = { ref: { field: 'duration' as const }, histogram: true };

/** Throws INVALID_ARGUMENT unless the request aggregation is well formed. */
export function checkRequestAggregation(q: RequestAggregation): void {
  if (!Array.isArray(q.groupBy)) throw new AppError('INVALID_ARGUMENT', 'groupBy: expected an array');
  q.groupBy.forEach((key, i) => {
    if (key !== null && typeof key === 'object' && 'bucketUs' in key) return;
    const field = (key as { ref?: { field?: unknown } })?.ref?.field;
    if (field !== 'service' && field !== 'operation') {
      throw new AppError('INVALID_ARGUMENT', `groupBy[${i}]: expected a bucket or a ref to the service or operation field, got ${JSON.stringify(key)}`);
    }
  });
  for (const name of ['service', 'operation'] as const) {
    if (q[name] !== undefined && typeof q[name] !== 'string') throw new AppError('INVALID_ARGUMENT', `${name}: expected a string, got ${JSON.stringify(q[name])}`);
  }
  checkAggregation(requestAggregationOf(q));
}

/** The span aggregation a request aggregation stands for (its answer, histograms at 1 %). */
export function requestAggregationOf(q: RequestAggregation): SpanAggregation {
  const out: SpanAggregation = {
    startUsMin: q.startUsMin, startUsMax: q.startUsMax,
    where: requestPredicate({ service: q.service, operation: q.operation }),
    groupBy: q.groupBy, measures: [DURATION], maxGroups: q.maxGroups,
  };
  if (q.tenant !== undefined) out.tenant = q.tenant;
  return out;
}

/** A window of start times, both ends inclusive (µs). */
export interface StartWindow {
  startUsMin: number;
  startUsMax: number;
}

/**
 * How a request aggregation splits between rollups and a scan: the whole slots inside the window,
 * [fromUs, toUs), come from the rollups; `edges` (at most two partial slots) from the spans.
 * Undefined when rollups cannot answer: a bucket narrower than a slot or not a multiple of it, or
 * no whole slot in the window. Rollups that hold every span only from `coveredFromUs` on answer
 * only the slots from there (the part before is an edge).
 */
export function rollupPlan(
  q: RequestAggregation, slotUs = ROLLUP_SLOT_US, coveredFromUs = Number.NEGATIVE_INFINITY,
): { fromUs: number; toUs: number; edges: StartWindow[] } | undefined {
  for (const key of q.groupBy) if ('bucketUs' in key && key.bucketUs % slotUs !== 0) return undefined;
  if (coveredFromUs === Number.POSITIVE_INFINITY) return undefined;
  const lo = Math.ceil(q.startUsMin);
  const hi = Math.floor(q.startUsMax);
  const fromUs = Math.ceil(Math.max(lo, coveredFromUs) / slotUs) * slotUs;
  // Slot [s, s + slot) is whole when s + slot - 1 <= hi.
  const toUs = Math.floor((hi + 1) / slotUs) * slotUs;
  if (toUs <= fromUs) return undefined;
  const edges: StartWindow[] = [];
  if (lo < fromUs) edges.push({ startUsMin: lo, startUsMax: fromUs - 1 });
  if (hi >= toUs) edges.push({ startUsMin: toUs, startUsMax: hi });
  return { fromUs, toUs, edges };
}

/**
 * The groups of rollup rows whose slots lie in the window, for a request aggregation (the
 * reference the SQL engines' rollup queries match), sorted by keys.
 */
export function groupsFromRollupRows(rows: Iterable<RequestRollupRow>, q: RequestAggregation): AggregateGroup[] {
  const groups = new Map<string, { keys: Array<string | number>; count: number; errors: number; sum: number; min: number; max: number; histogram: Map<number, number> }>();
  for (const row of rows) {
    if (row.slotUs < q.startUsMin || row.slotUs > q.startUsMax) continue;
    if (q.tenant !== undefined && row.tenant !== q.tenant) continue;
    if (q.service !== undefined && row.service !== q.service) continue;
    if (q.operation !== undefined && row.operation !== q.operation) continue;
    const keys = q.groupBy.map((key) => ('bucketUs' in key ? Math.floor(row.slotUs / key.bucketUs) * key.bucketUs : key.ref.field === 'service' ? row.service : row.operation));
    const id = JSON.stringify(keys);
    let g = groups.get(id);
    if (g === undefined) {
      if (groups.size >= q.maxGroups) throw tooManyGroups(q.maxGroups);
      groups.set(id, (g = { keys, count: 0, errors: 0, sum: 0, min: row.minUs, max: row.maxUs, histogram: new Map() }));
    }
    g.count += row.requests;
    g.errors += row.errors;
    g.sum += row.sumUs;
    g.min = Math.min(g.min, row.minUs);
    g.max = Math.max(g.max, row.maxUs);
    const index = rollupBucketIndex(row.bucket);
    g.histogram.set(index, (g.histogram.get(index) ?? 0) + row.requests);
  }
  return [...groups.values()]
    .map((g): AggregateGroup => ({
      keys: g.keys, count: g.count, errorCount: g.errors,
      measures: [{ count: g.count, sum: g.sum, min: g.min, max: g.max, histogram: [...g.histogram].sort((a, b) => a[0] - b[0]) }],
    }))
    .sort((a, b) => compareGroupKeys(a.keys, b.keys));
}

/**
 * A request aggregation through whatever the reader has: aggregateRequests when the engine keeps
 * rollups, else aggregateSpans of the same requests; UNSUPPORTED when it has neither.
 */
export function readRequests(reader: SpanReader, query: RequestAggregation): Promise<AggregateGroup[]> {
  if (reader.aggregateRequests) return reader.aggregateRequests(query);
  if (!reader.aggregateSpans) {
    return Promise.reject(new AppError('UNSUPPORTED', 'service figures need a storage engine that aggregates spans (aggregateSpans); the configured one does not yet'));
  }
  return reader.aggregateSpans(requestAggregationOf(query));
}

/** The slowest requests of one endpoint (a service's operation) in a window. */
export interface SlowestRequestsQuery extends TenantScope {
  startUsMin: number;
  startUsMax: number;
  service: string;
  operation: string;
  limit: number;
}

/**
 * One of the slowest requests: the fields an endpoint's list shows, plus those that tell exact
 * duplicates apart (spanIdentity's fields; service and operation are the query's).
 */
export interface SlowRequestRow {
  tenant: string;
  traceId: string;
  spanId: string;
  kind: SpanKind;
  shared: boolean;
  startUs: number;
  durationUs: number;
  statusCode: StatusCode;
}

/**
 * OPTIONAL capability of a SpanReader: the slowest requests without handing whole spans over.
 * MUST equal readSlowestRequests's fallback: findSpans(slowestRequestsSearch(query)) projected.
 */
export interface SlowestRequestsReader {
  findSlowestRequests(query: SlowestRequestsQuery): Promise<SlowRequestRow[]>;
}

/** The span search the slowest requests are: requests of the endpoint, longest first (ties newest first). */
export function slowestRequestsSearch(query: SlowestRequestsQuery): SpanSearch {
  const search: SpanSearch = {
    startUsMin: query.startUsMin, startUsMax: query.startUsMax, where: requestPredicate({ service: query.service, operation: query.operation }),
    orderBy: 'duration', limit: query.limit,
  };
  if (query.tenant !== undefined) search.tenant = query.tenant;
  checkSearch(search);
  return search;
}

/** The row of a span. */
export function slowRequestRow(span: Span): SlowRequestRow {
  return {
    tenant: span.tenant, traceId: span.traceId, spanId: span.spanId, kind: span.kind, shared: span.shared === true,
    startUs: span.startUs, durationUs: span.durationUs, statusCode: span.statusCode,
  };
}

/**
 * Rows of several parts as one answer: exact duplicates (spanIdentity's fields; service and
 * operation are the query's, the same for every row) collapsed to their first occurrence, as
 * searchSpans does, then sorted in the search's order (compareSearchOrder), at most `limit`.
 */
export function mergeSlowRequestRows(rows: Iterable<SlowRequestRow>, limit: number): SlowRequestRow[] {
  const seen = new Set<string>();
  const out: SlowRequestRow[] = [];
  for (const r of rows) {
    const identity = `${r.tenant}\u0000${r.traceId}\u0000${r.spanId}\u0000${r.kind}\u0000${r.shared ? 1 : 0}\u0000${r.startUs}\u0000${r.durationUs}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push(r);
  }
  return out.sort(compareSlowRequestRows).slice(0, limit);
}

/** Longest first, then newest first, then trace id, span id and tenant: findSpans's 'duration' order. */
function compareSlowRequestRows(a: SlowRequestRow, b: SlowRequestRow): number {
  return b.durationUs - a.durationUs || b.startUs - a.startUs || compareStrings(a.traceId, b.traceId) || compareStrings(a.spanId, b.spanId) || compareStrings(a.tenant, b.tenant);
}

/**
 * The slowest requests through whatever the reader has: findSlowestRequests when the engine has it,
 * else findSpans of the same search; UNSUPPORTED when it has neither.
 */
export function readSlowestRequests(reader: SpanReader, query: SlowestRequestsQuery): Promise<SlowRequestRow[]> {
  const narrow = (reader as SpanReader & Partial<SlowestRequestsReader>).findSlowestRequests;
  if (narrow !== undefined) return narrow.call(reader, query);
  if (!reader.findSpans) {
    return Promise.reject(new AppError('UNSUPPORTED', 'the slowest requests need a storage engine that searches spans (findSpans); the configured one does not yet'));
  }
  return reader.findSpans(slowestRequestsSearch(query)).then((spans) => spans.map(slowRequestRow));
}
