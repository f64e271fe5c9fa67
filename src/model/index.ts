export type {
  AttributeValue,
  Attributes,
  DependencyLink,
  Endpoint,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
} from './span.js';
export { SPAN_KINDS } from './span.js';
export { formatTraceId, normalizeSpanId, normalizeTraceId } from './ids.js';
export { compareStrings } from './compare.js';
export { parseDuration } from './duration.js';
