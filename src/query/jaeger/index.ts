/** Jaeger query HTTP API: the Fastify plugin and the pure trace conversion behind it. */
export { jaegerQueryPlugin, mergeDependencies } from './plugin.js';
export type { JaegerQueryOptions } from './plugin.js';
export { toJaegerTrace, toKeyValue } from './convert.js';
export type { JaegerTraceOptions } from './convert.js';
export { HOST_RESOURCE_KEYS, correctClockSkew, dedupeSharedSpanIds } from './adjust.js';
export type { ClockSkewOptions } from './adjust.js';
export {
  DEFAULT_DEPENDENCIES_LOOKBACK_MS, DEFAULT_LIMIT, DEFAULT_LOOKBACK_US, MAX_LIMIT, MAX_TRACE_IDS, parseTraceSearch,
} from './params.js';
export type { TraceSearch } from './params.js';
export { METRIC_NAMES, metricsWindows, queryMetrics, rfc3339, spanKindPredicate } from './metrics.js';
export type { MetricFamily, MetricLabel, MetricName, MetricPoint, MetricSeries, MetricsRequest, MetricsWindows } from './metrics.js';
export {
  DEFAULT_METRICS_LOOKBACK_MS, DEFAULT_METRICS_RATE_PER_MS, DEFAULT_METRICS_STEP_MS, MAX_BUCKETS, MAX_METRICS_SPAN_MS, MAX_POINTS, MIN_STEP_MS,
  gcd, parseMetricsParams, parseQuantile,
} from './metrics-params.js';
export type { MetricsQuery } from './metrics-params.js';
export type {
  JaegerDependencyLink, JaegerError, JaegerKeyValue, JaegerLog, JaegerOperation, JaegerProcess, JaegerReference,
  JaegerResponse, JaegerSpan, JaegerTrace, JaegerValueType,
} from './types.js';
