/** Jaeger query HTTP API: the Fastify plugin and the pure trace conversion behind it. */
export { jaegerQueryPlugin, mergeDependencies } from './plugin.js';
export type { JaegerQueryOptions } from './plugin.js';
export { toJaegerTrace, toKeyValue } from './convert.js';
export type { JaegerTraceOptions } from './convert.js';
export { correctClockSkew, dedupeSharedSpanIds } from './adjust.js';
export type { ClockSkewOptions } from './adjust.js';
export {
  DEFAULT_DEPENDENCIES_LOOKBACK_MS, DEFAULT_LIMIT, DEFAULT_LOOKBACK_US, MAX_LIMIT, MAX_TRACE_IDS, parseTraceSearch,
} from './params.js';
export type { TraceSearch } from './params.js';
export type {
  JaegerDependencyLink, JaegerError, JaegerKeyValue, JaegerLog, JaegerOperation, JaegerProcess, JaegerReference,
  JaegerResponse, JaegerSpan, JaegerTrace, JaegerValueType,
} from './types.js';
