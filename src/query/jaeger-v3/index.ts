/** Jaeger query API v3 over HTTP: the Fastify plugin and the pure encoders behind it. */
export { jaegerV3Plugin, NO_TRACES_FOUND } from './plugin.js';
export type { JaegerV3Options } from './plugin.js';
export { toAnyValue, toOtlpResourceSpans, toUnixNano, WARNINGS_ATTRIBUTE } from './otlp.js';
export type {
  OtlpAnyValue, OtlpEvent, OtlpKeyValue, OtlpLink, OtlpResourceSpans, OtlpSpan, OtlpStatus, OtlpTraceOptions,
} from './otlp.js';
export { toTraceSummaryJson } from './summary-json.js';
export type { ServiceSummaryJson, TraceSummaryJson } from './summary-json.js';
export {
  DEFAULT_SEARCH_DEPTH, MAX_ATTRIBUTES, MAX_SEARCH_DEPTH, parseFindQuery, parseGetTraceQuery, parseGoDuration,
  parseOperationsQuery, parseRfc3339Nanos,
} from './params.js';
export type { FindQuery, GetTraceQuery, QueryParams } from './params.js';
