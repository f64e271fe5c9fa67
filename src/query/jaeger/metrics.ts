/**
 * Jaeger's service performance metrics (the Jaeger UI's Monitor tab) computed from the store's own
 * spans instead of a Prometheus fed by a span-metrics pipeline. Each point of a series is what
 * Jaeger's PromQL computes over the window before it: latencies as a quantile of the durations in
 * ms, calls as a rate per second, errors as the fraction of calls that failed. Answer shape: the
 * MetricFamily of jaegertracing/jaeger internal/proto/metrics/openmetrics.proto as Jaeger's JSON
 * marshaller writes it (camelCase, enum names, RFC 3339 timestamps, "NaN" for missing values);
 * definitions in docs/api.md, "Jaeger metrics API".
 */
import { AppError } from '../../errors.js';
import { compareStrings } from '../../model/index.js';
import type { SpanKind } from '../../model/index.js';
import type { AggregateGroup, SpanPredicate, SpanReader, TenantScope } from '../../storage/api.js';
import { RequestTotals, requestPredicate } from '../ariadne/index.js';
import { gcd, type MetricsQuery } from './metrics-params.js';

/** The metrics routes: GET /api/metrics/{name}. */
export type MetricName = 'latencies' | 'calls' | 'errors';

/** The metric routes in the order they are registered. */
export const METRIC_NAMES: readonly MetricName[] = ['latencies', 'calls', 'errors'];

/** A label of a series: `service_name`, and `operation` when grouped by operation. */
export interface MetricLabel {
  name: string;
  value: string;
}

/** One point: the value (the string "NaN" when the window holds no calls) at an RFC 3339 instant. */
export interface MetricPoint {
  gaugeValue: { doubleValue: number | 'NaN' };
  timestamp: string;
}

/** One series: its labels (service_name first) and one point per step. */
export interface MetricSeries {
  labels: MetricLabel[];
  metricPoints: MetricPoint[];
}

/** The answer of a metrics route. */
export interface MetricFamily {
  name: string;
  type: 'GAUGE';
  help: string;
  metrics: MetricSeries[];
}

/** The evaluation plan of a query: where its points lie and the buckets their windows are made of. */
export interface MetricsWindows {
  /** Width of the storage buckets: gcd(step, ratePer), so every window is a whole number of buckets. */
  bucketMs: number;
  /** The instants of the points: the multiples of step in [endTs − lookback, endTs], ascending. */
  instantsMs: number[];
  /** Start of the first bucket: the first instant − ratePer. */
  firstBucketMs: number;
  /** Buckets from firstBucketMs to the last instant. */
  bucketCount: number;
}

/** Options of {@link queryMetrics}. */
export interface MetricsRequest {
  reader: SpanReader;
  /** The request's tenant scope (scopeOf(request)). */
  scope: TenantScope;
  metric: MetricName;
  query: MetricsQuery;
  /** Required for 'latencies': from 0 to 1. */
  quantile?: number;
  /** Most groups (series × buckets) the storage may produce. */
  maxGroups: number;
}

/**
 * Where the points of a query lie: at the multiples of step inside [endTs − lookback, endTs]
 * (aligned to step, as Grafana aligns range queries, so a window is a whole number of buckets),
 * each computed over the spans that started in [t − ratePer, t).
 */
export function metricsWindows(query: MetricsQuery): MetricsWindows {
  const { stepMs, ratePerMs } = query;
  const bucketMs = gcd(stepMs, ratePerMs);
  const first = Math.ceil((query.endMs - query.lookbackMs) / stepMs) * stepMs;
  const last = Math.floor(query.endMs / stepMs) * stepMs;
  const instantsMs: number[] = [];
  for (let t = first; t <= last; t += stepMs) instantsMs.push(t);
  const firstBucketMs = first - ratePerMs;
  return { bucketMs, instantsMs, firstBucketMs, bucketCount: Math.max(0, (last - firstBucketMs) / bucketMs) };
}

/**
 * The spans a `spanKind` filter selects. `server` selects requests as Ariadne counts them (server
 * and consumer spans, and parentless spans), so the Monitor tab agrees with Ariadne's service
 * pages and a Zipkin shared span's client half is never a call of the callee; every other kind
 * selects the spans of exactly that kind.
 */
export function spanKindPredicate(kinds: readonly SpanKind[]): SpanPredicate {
  const args: SpanPredicate[] = [];
  if (kinds.includes('server')) args.push(requestPredicate());
  const others = kinds.filter((k) => k !== 'server');
  if (others.length > 0) args.push({ op: 'in', ref: { field: 'kind' }, values: others });
  return args.length === 1 ? args[0]! : { op: 'or', args };
}

/**
 * Answers one metrics route from the store: one aggregation grouped by service (and operation)
 * and bucket, then each point summed over its window. Throws UNSUPPORTED when the reader cannot
 * aggregate spans, and RESOURCE_EXHAUSTED (from the storage) beyond maxGroups.
 */
export async function queryMetrics(request: MetricsRequest): Promise<MetricFamily> {
  const { reader, query, metric } = request;
  if (!reader.aggregateSpans) {
    throw new AppError('UNSUPPORTED', 'metrics querying needs a storage engine that aggregates spans (aggregateSpans); the configured one does not');
  }
  if (metric === 'latencies' && request.quantile === undefined) throw new AppError('INVALID_ARGUMENT', "unable to parse param 'quantile': required");
  const windows = metricsWindows(query);
  const family = emptyFamily(metric, query, request.quantile);
  if (windows.instantsMs.length === 0) return family;
  const groups = await reader.aggregateSpans({
    ...request.scope,
    startUsMin: windows.firstBucketMs * 1000,
    startUsMax: windows.instantsMs[windows.instantsMs.length - 1]! * 1000 - 1,
    where: { op: 'and', args: [{ op: 'in', ref: { field: 'service' }, values: query.services }, spanKindPredicate(query.spanKinds)] },
    groupBy: [
      { ref: { field: 'service' } },
      ...(query.groupByOperation ? [{ ref: { field: 'operation' as const } }] : []),
      { bucketUs: windows.bucketMs * 1000 },
    ],
    measures: metric === 'latencies' ? [{ ref: { field: 'duration' }, histogram: true }] : [],
    maxGroups: request.maxGroups,
  });
  family.metrics = seriesOf(groups, query.groupByOperation, windows).map(({ labels, buckets }) => ({
    labels,
    metricPoints: pointsOf(metric, buckets, query, windows, request.quantile ?? 0),
  }));
  return family;
}

function emptyFamily(metric: MetricName, query: MetricsQuery, quantile: number | undefined): MetricFamily {
  const by = query.groupByOperation ? 'per service and operation' : 'per service';
  const prefix = query.groupByOperation ? 'service_operation' : 'service';
  switch (metric) {
    case 'latencies':
      return { name: `${prefix}_latencies`, type: 'GAUGE', help: `quantile ${quantile} of request durations in ms over each window, ${by}`, metrics: [] };
    case 'calls':
      return { name: `${prefix}_call_rate`, type: 'GAUGE', help: `calls per second over each window, ${by}`, metrics: [] };
    case 'errors':
      return { name: `${prefix}_error_rate`, type: 'GAUGE', help: `fraction of the calls in each window that failed, ${by}`, metrics: [] };
  }
}

/** The groups of each series, indexed by bucket, series sorted by service then operation. */
function seriesOf(
  groups: readonly AggregateGroup[],
  byOperation: boolean,
  windows: MetricsWindows,
): Array<{ labels: MetricLabel[]; buckets: Array<AggregateGroup | undefined> }> {
  const series = new Map<string, { service: string; operation: string; buckets: Array<AggregateGroup | undefined> }>();
  for (const group of groups) {
    const service = String(group.keys[0] ?? '');
    const operation = byOperation ? String(group.keys[1] ?? '') : '';
    const bucketUs = Number(group.keys[byOperation ? 2 : 1]);
    const index = (bucketUs / 1000 - windows.firstBucketMs) / windows.bucketMs;
    if (!Number.isInteger(index) || index < 0 || index >= windows.bucketCount) continue;
    const id = JSON.stringify([service, operation]);
    let entry = series.get(id);
    if (!entry) series.set(id, (entry = { service, operation, buckets: new Array<AggregateGroup | undefined>(windows.bucketCount) }));
    entry.buckets[index] = group;
  }
  return [...series.values()]
    .sort((a, b) => compareStrings(a.service, b.service) || compareStrings(a.operation, b.operation))
    .map(({ service, operation, buckets }) => ({
      labels: [{ name: 'service_name', value: service }, ...(byOperation ? [{ name: 'operation', value: operation }] : [])],
      buckets,
    }));
}

function pointsOf(
  metric: MetricName,
  buckets: ReadonlyArray<AggregateGroup | undefined>,
  query: MetricsQuery,
  windows: MetricsWindows,
  quantile: number,
): MetricPoint[] {
  const stride = query.stepMs / windows.bucketMs;
  const width = query.ratePerMs / windows.bucketMs;
  // Prefix sums of calls and errors: a window's counts are two subtractions.
  const calls = new Float64Array(buckets.length + 1);
  const errors = new Float64Array(buckets.length + 1);
  for (let j = 0; j < buckets.length; j++) {
    calls[j + 1] = calls[j]! + (buckets[j]?.count ?? 0);
    errors[j + 1] = errors[j]! + (buckets[j]?.errorCount ?? 0);
  }
  return windows.instantsMs.map((t, k) => {
    const from = k * stride;
    const to = from + width;
    const n = calls[to]! - calls[from]!;
    let value: number;
    if (metric === 'calls') value = n / (query.ratePerMs / 1000);
    else if (metric === 'errors') value = n === 0 ? Number.NaN : (errors[to]! - errors[from]!) / n;
    else {
      const totals = new RequestTotals();
      for (let j = from; j < to; j++) {
        const group = buckets[j];
        if (group) totals.add(group, group.measures[0]);
      }
      const us = totals.quantile(quantile);
      value = us === undefined ? Number.NaN : us / 1000;
    }
    return { gaugeValue: { doubleValue: Number.isNaN(value) ? 'NaN' : value }, timestamp: rfc3339(t) };
  });
}

/** An instant as protobuf's JSON mapping writes a Timestamp: UTC, fractional seconds only when non-zero. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
