/**
 * The internal Span model → OTLP JSON (the protobuf JSON mapping of
 * opentelemetry-proto opentelemetry/proto/trace/v1/trace.proto, as
 * https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding describes it): ids as lowercase
 * hex, enums as integers, 64-bit integers (nanosecond times, int attributes) as decimal strings,
 * zero and empty fields omitted. Model fields OTLP has no slot for become span attributes named
 * after the OpenTelemetry semantic conventions. The attributes the OTLP receivers made of OTLP
 * fields go back to those fields: `otel.scope.name` / `otel.scope.version` /
 * `otel.scope.attributes.<key>` to the instrumentation scope, `w3c.tracestate` to traceState.
 */
import { SPAN_KINDS, compareStrings } from '../../model/index.js';
import type { AttributeValue, Attributes, Span, SpanEvent, SpanLink } from '../../model/index.js';
import { correctClockSkew, dedupeSharedSpanIds } from '../jaeger/index.js';

/** OTLP AnyValue, restricted to what the model holds (plus arrays of strings for warnings). */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } };

/** OTLP KeyValue. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** OTLP Span.Event. */
export interface OtlpEvent {
  timeUnixNano?: string;
  name?: string;
  attributes?: OtlpKeyValue[];
}

/** OTLP Span.Link. */
export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes?: OtlpKeyValue[];
}

/** OTLP Status: code 0 unset, 1 ok, 2 error. */
export interface OtlpStatus {
  code?: number;
  message?: string;
}

/** OTLP Span. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  name?: string;
  /** 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: OtlpKeyValue[];
  events?: OtlpEvent[];
  links?: OtlpLink[];
  status: OtlpStatus;
}

/** OTLP InstrumentationScope; empty for spans that did not arrive with one. */
export interface OtlpScope {
  name?: string;
  version?: string;
  attributes?: OtlpKeyValue[];
}

/** OTLP ResourceSpans: the spans of one resource, grouped by instrumentation scope. */
export interface OtlpResourceSpans {
  resource: { attributes?: OtlpKeyValue[] };
  scopeSpans: Array<{ scope: OtlpScope; spans: OtlpSpan[] }>;
}

/** Options of {@link toOtlpResourceSpans}. */
export interface OtlpTraceOptions {
  /** Skip every read-time fix (shared span ids, clock skew): the spans exactly as stored. */
  raw: boolean;
  /** Shift spans whose clock is skewed against their parent's (otherwise they are only flagged). */
  adjustClockSkew: boolean;
}

/** Span attribute that carries read-time warnings, the key Jaeger uses for them. */
export const WARNINGS_ATTRIBUTE = '@jaeger@warnings';

const STATUS_CODES = { unset: 0, ok: 1, error: 2 } as const;
const SCOPE_NAME = 'otel.scope.name';
const SCOPE_VERSION = 'otel.scope.version';
const SCOPE_ATTRIBUTE_PREFIX = 'otel.scope.attributes.';
const TRACE_STATE = 'w3c.tracestate';
const MAX_INT64 = 2 ** 63;

/**
 * Converts the spans of one trace to OTLP ResourceSpans. Pure: the input is not modified. Unless
 * `raw`, shared Zipkin span ids are made unique and clock skew is checked, as for the old API.
 * Spans are ordered by start time, then span id; one ResourceSpans per distinct service + resource
 * attributes, in the order of their first span, with `service.name` as the first resource attribute;
 * inside it one ScopeSpans per distinct instrumentation scope, in the order of their first span.
 */
export function toOtlpResourceSpans(spans: readonly Span[], options: OtlpTraceOptions): OtlpResourceSpans[] {
  const fixed = options.raw
    ? spans.slice()
    : correctClockSkew(dedupeSharedSpanIds(spans), { apply: options.adjustClockSkew });
  fixed.sort((a, b) => a.startUs - b.startUs || compareStrings(a.spanId, b.spanId));
  const groups = new Map<string, { resource: OtlpResourceSpans['resource']; scopes: Map<string, OtlpResourceSpans['scopeSpans'][number]> }>();
  // Spans of one batch usually share their resource object: serialise each object once.
  const resourceKeys = new Map<Attributes, string>();
  for (const span of fixed) {
    let resourceKey = resourceKeys.get(span.resource);
    if (resourceKey === undefined) {
      resourceKey = JSON.stringify(span.resource);
      resourceKeys.set(span.resource, resourceKey);
    }
    const key = `${span.service}\u0000${resourceKey}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { resource: toResource(span), scopes: new Map() };
      groups.set(key, group);
    }
    const scope = toScope(span.attributes);
    const scopeKey = JSON.stringify(scope);
    let scopeSpans = group.scopes.get(scopeKey);
    if (scopeSpans === undefined) {
      scopeSpans = { scope, spans: [] };
      group.scopes.set(scopeKey, scopeSpans);
    }
    scopeSpans.spans.push(toOtlpSpan(span));
  }
  return [...groups.values()].map(({ resource, scopes }) => ({ resource, scopeSpans: [...scopes.values()] }));
}

/** True for the attributes that stand for OTLP fields (scope, trace state) rather than span attributes. */
function isOtlpField(key: string): boolean {
  return key === SCOPE_NAME || key === SCOPE_VERSION || key === TRACE_STATE || key.startsWith(SCOPE_ATTRIBUTE_PREFIX);
}

/** The instrumentation scope a span's `otel.scope.*` attributes describe (empty when it has none). */
function toScope(attrs: Attributes): OtlpScope {
  const scope: OtlpScope = {};
  const name = attrs[SCOPE_NAME];
  const version = attrs[SCOPE_VERSION];
  if (name !== undefined && name !== '') scope.name = String(name);
  if (version !== undefined && version !== '') scope.version = String(version);
  const attributes: OtlpKeyValue[] = [];
  for (const key in attrs) {
    if (key.startsWith(SCOPE_ATTRIBUTE_PREFIX)) attributes.push({ key: key.slice(SCOPE_ATTRIBUTE_PREFIX.length), value: toAnyValue(attrs[key]!) });
  }
  if (attributes.length > 0) scope.attributes = attributes;
  return scope;
}

/**
 * An OTLP AnyValue: strings and booleans as such, integers up to 64 bits as decimal-string
 * `intValue`, other finite numbers as `doubleValue`, anything else as its string form.
 */
export function toAnyValue(value: AttributeValue): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Number.isInteger(value) && value < MAX_INT64 && value >= -MAX_INT64) return { intValue: BigInt(value).toString() };
  if (Number.isFinite(value)) return { doubleValue: value };
  return { stringValue: String(value) };
}

/** µs since the epoch → OTLP nanoseconds as a decimal string, undefined for 0 (omitted, as protobuf JSON does). */
export function toUnixNano(us: number): string | undefined {
  if (us === 0 || !Number.isFinite(us)) return undefined;
  return (BigInt(Math.trunc(us)) * 1000n).toString();
}

function toResource(span: Span): OtlpResourceSpans['resource'] {
  const attributes: OtlpKeyValue[] = [{ key: 'service.name', value: { stringValue: span.service } }];
  for (const key in span.resource) {
    if (key !== 'service.name') attributes.push({ key, value: toAnyValue(span.resource[key]!) });
  }
  return { attributes };
}

function toOtlpSpan(span: Span): OtlpSpan {
  const out = { traceId: span.traceId, spanId: span.spanId } as OtlpSpan;
  const traceState = span.attributes[TRACE_STATE];
  if (traceState !== undefined && traceState !== '') out.traceState = String(traceState);
  if (span.parentSpanId !== undefined) out.parentSpanId = span.parentSpanId;
  if (span.name !== '') out.name = span.name;
  const kind = SPAN_KINDS.indexOf(span.kind);
  if (kind > 0) out.kind = kind;
  const start = toUnixNano(span.startUs);
  if (start !== undefined) out.startTimeUnixNano = start;
  const end = toUnixNano(span.startUs + span.durationUs);
  if (end !== undefined) out.endTimeUnixNano = end;
  const attributes = toSpanAttributes(span);
  if (attributes.length > 0) out.attributes = attributes;
  if (span.events.length > 0) out.events = span.events.map(toEvent);
  if (span.links.length > 0) out.links = span.links.map(toLink);
  // Set last so the JSON lists fields in the order of trace.proto.
  out.status = toStatus(span);
  return out;
}

/** The span's attributes, then endpoint facts and warnings under keys the span does not use itself. */
function toSpanAttributes(span: Span): OtlpKeyValue[] {
  const attrs = span.attributes;
  const out: OtlpKeyValue[] = [];
  for (const key in attrs) if (!isOtlpField(key)) out.push({ key, value: toAnyValue(attrs[key]!) });
  const addMissing = (key: string, value: AttributeValue | undefined) => {
    if (value === undefined || value === '' || key in attrs) return;
    out.push({ key, value: toAnyValue(value) });
  };
  const remote = span.remoteEndpoint;
  if (remote !== undefined) {
    addMissing('peer.service', remote.serviceName);
    addMissing('network.peer.address', remote.ipv4 ?? remote.ipv6);
    addMissing('network.peer.port', remote.port);
  }
  const local = span.localEndpoint;
  if (local !== undefined) {
    addMissing('network.local.address', local.ipv4 ?? local.ipv6);
    addMissing('network.local.port', local.port);
  }
  if (span.warnings !== undefined && span.warnings.length > 0 && !(WARNINGS_ATTRIBUTE in attrs)) {
    out.push({ key: WARNINGS_ATTRIBUTE, value: { arrayValue: { values: span.warnings.map((w) => ({ stringValue: w })) } } });
  }
  return out;
}

/** Status code, and its message: the status message, or for a failed Zipkin span its `error` tag text. */
function toStatus(span: Span): OtlpStatus {
  const status: OtlpStatus = {};
  const code = STATUS_CODES[span.statusCode];
  if (code !== 0) status.code = code;
  const errorTag = span.attributes['error'];
  const zipkinMessage = span.statusCode === 'error' && typeof errorTag === 'string' && errorTag !== 'true' ? errorTag : undefined;
  const message = span.statusMessage ?? zipkinMessage;
  if (message !== undefined && message !== '') status.message = message;
  return status;
}

function toEvent(event: SpanEvent): OtlpEvent {
  const out: OtlpEvent = {};
  const time = toUnixNano(event.timeUs);
  if (time !== undefined) out.timeUnixNano = time;
  if (event.name !== '') out.name = event.name;
  const attributes = toKeyValues(event.attributes ?? {});
  if (attributes.length > 0) out.attributes = attributes;
  return out;
}

/** A link; Jaeger references keep their type as `opentracing.ref_type`, as Jaeger's converter does. */
function toLink(link: SpanLink): OtlpLink {
  const out: OtlpLink = { traceId: link.traceId, spanId: link.spanId };
  const linkAttrs = link.attributes ?? {};
  const traceState = linkAttrs[TRACE_STATE];
  if (traceState !== undefined && traceState !== '') out.traceState = String(traceState);
  const attributes: OtlpKeyValue[] = [];
  for (const key in linkAttrs) if (key !== TRACE_STATE) attributes.push({ key, value: toAnyValue(linkAttrs[key]!) });
  if (link.type !== 'link' && !('opentracing.ref_type' in (link.attributes ?? {}))) {
    attributes.push({ key: 'opentracing.ref_type', value: { stringValue: link.type } });
  }
  if (attributes.length > 0) out.attributes = attributes;
  return out;
}

function toKeyValues(attrs: Attributes): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key in attrs) out.push({ key, value: toAnyValue(attrs[key]!) });
  return out;
}

