/**
 * Zipkin v2 JSON (POST /api/v2/spans, application/json) to the internal span model.
 * Spec: https://github.com/openzipkin/zipkin-api/blob/master/zipkin2-api.yaml (Span, Endpoint,
 * Annotation, Tags). Unknown fields are ignored so newer senders keep working.
 */
import type { Span, SpanEvent } from '../../model/index.js';
import {
  buildZipkinV2Span,
  asSpanObject,
  fieldPath,
  missingTimestamp,
  parseJsonArray,
  readBoolean,
  readDuration,
  readEndpoint,
  readEventTime,
  readKind,
  readParentId,
  readSpanId,
  readString,
  readTags,
  readTimestamp,
  readTraceId,
  reject,
} from './decode-common.js';

/** Payload format key of Zipkin v2 JSON request bodies (also the key of their decoder). */
export const ZIPKIN_V2_JSON = 'zipkin-v2-json';

/**
 * Decodes a Zipkin v2 JSON array body into spans, one per element, in order. Throws AppError
 * INVALID_ARGUMENT naming the span index and field on the first invalid value; nothing is returned
 * for a batch with any invalid span. Pure: the same bytes always give the same spans.
 */
export function decodeZipkinV2Json(body: Buffer | string, tenant: string): Span[] {
  const elements = parseJsonArray(body);
  const spans: Span[] = new Array<Span>(elements.length);
  for (let i = 0; i < elements.length; i++) spans[i] = decodeSpan(elements[i], i, tenant);
  return spans;
}

function decodeSpan(element: unknown, i: number, tenant: string): Span {
  const raw = asSpanObject(element, i);
  const traceId = readTraceId(raw['traceId'], i);
  const spanId = readSpanId(raw['id'], i);
  let parentSpanId = readParentId(raw['parentId'], i);
  // A span cannot be its own parent; Zipkin drops such a parent id and so do we.
  if (parentSpanId === spanId) parentSpanId = undefined;
  const name = readString(raw['name'], i, 'name');
  let kind = readKind(raw['kind'], i);
  const durationUs = readDuration(raw['duration'], i);
  const localEndpoint = readEndpoint(raw['localEndpoint'], i, 'localEndpoint');
  const remoteEndpoint = readEndpoint(raw['remoteEndpoint'], i, 'remoteEndpoint');
  const events = readAnnotations(raw['annotations'], i);
  const attributes = readTags(raw['tags'], i);
  let shared = readBoolean(raw['shared'], i, 'shared');
  const debug = readBoolean(raw['debug'], i, 'debug');

  let startUs = readTimestamp(raw['timestamp'], i);
  if (startUs === 0) {
    if (events.length === 0) {
      return missingTimestamp(i, raw['timestamp']);
    }
    startUs = earliest(events);
  }
  // "shared" describes the server half of an RPC; on a client span it is a sender bug (Zipkin clears it too).
  if (shared && kind === 'client') shared = false;
  if (kind === undefined) kind = 'unspecified';

  return buildZipkinV2Span({
    traceId, spanId, parentSpanId, kind, name: name, startUs, durationUs, localEndpoint, remoteEndpoint, attributes, events,
    shared, debug: debug, tenant,
  });
}

function readAnnotations(value: unknown, i: number): SpanEvent[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return reject(fieldPath(i, 'annotations'), 'an array', value);
  const events: SpanEvent[] = new Array<SpanEvent>(value.length);
  for (let j = 0; j < value.length; j++) {
    const annotation: unknown = value[j];
    if (typeof annotation !== 'object' || annotation === null || Array.isArray(annotation)) {
      return reject(fieldPath(i, 'annotations', j), 'an object with timestamp and value', annotation);
    }
    const { timestamp, value: text } = annotation as Record<string, unknown>;
    const timeUs = readEventTime(timestamp, i, j);
    if (typeof text !== 'string') return reject(fieldPath(i, 'annotations', j, 'value'), 'a string', text);
    events[j] = { timeUs, name: text };
  }
  return events;
}

function earliest(events: readonly SpanEvent[]): number {
  let min = Number.MAX_SAFE_INTEGER;
  for (const event of events) if (event.timeUs < min) min = event.timeUs;
  return min;
}
