/**
 * Span model -> Zipkin v2 JSON, field for field as Zipkin's own encoder writes it (same key order,
 * empty fields omitted, tags sorted by key, annotations sorted by time then value).
 * Spec: https://zipkin.io/zipkin-api/#/default/get_trace__traceId_ (zipkin2-api.yaml, Span).
 */
import { compareStrings, formatTraceId } from '../../model/index.js';
import type { AttributeValue, Attributes, DependencyLink, Endpoint, Span, SpanEvent, SpanKind } from '../../model/index.js';

/** Zipkin v2 endpoint: every field optional, at least one present. */
export interface ZipkinV2Endpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

/** Zipkin v2 annotation: a timestamped event. */
export interface ZipkinV2Annotation {
  /** Microseconds since the epoch. */
  timestamp: number;
  value: string;
}

/** Zipkin v2 span kinds; internal spans carry no kind. */
export type ZipkinV2Kind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';

/** A span as Zipkin v2 JSON, keys in the order Zipkin writes them. */
export interface ZipkinV2Span {
  traceId: string;
  parentId?: string;
  id: string;
  kind?: ZipkinV2Kind;
  name?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: ZipkinV2Endpoint;
  remoteEndpoint?: ZipkinV2Endpoint;
  annotations?: ZipkinV2Annotation[];
  tags?: Record<string, string>;
  debug?: true;
  shared?: true;
}

/** Zipkin's dependency link JSON: errorCount is left out when zero. */
export interface ZipkinDependencyLink {
  parent: string;
  child: string;
  callCount: number;
  errorCount?: number;
}

const KINDS: Record<SpanKind, ZipkinV2Kind | undefined> = {
  unspecified: undefined,
  internal: undefined,
  server: 'SERVER',
  client: 'CLIENT',
  producer: 'PRODUCER',
  consumer: 'CONSUMER',
};

/** Resource attributes that become the endpoint rather than tags. */
const RESOURCE_SKIPPED = new Set(['service.name']);

/** Encodes one span as a Zipkin v2 JSON object (pure; the input is not modified). */
export function toZipkinV2(span: Span): ZipkinV2Span {
  const traceId = formatTraceId(span.traceId);
  // A span that names itself as parent is a root, as Zipkin reads it.
  const parentId = span.parentSpanId !== span.spanId ? span.parentSpanId : undefined;
  const out: ZipkinV2Span = parentId !== undefined ? { traceId, parentId, id: span.spanId } : { traceId, id: span.spanId };
  const kind = KINDS[span.kind];
  if (kind !== undefined) out.kind = kind;
  if (span.name !== '') out.name = span.name;
  if (span.startUs > 0) out.timestamp = span.startUs;
  if (span.durationUs > 0) out.duration = span.durationUs;
  // "unknown" stands for a sender that named no service; Zipkin then has no serviceName to show.
  const unnamed = span.service === 'unknown' && !span.localEndpoint?.serviceName;
  const local = encodeEndpoint(span.localEndpoint, unnamed ? undefined : span.service);
  if (local) out.localEndpoint = local;
  const remote = encodeEndpoint(span.remoteEndpoint, span.remoteEndpoint?.serviceName);
  if (remote) out.remoteEndpoint = remote;
  if (span.events.length > 0) out.annotations = encodeAnnotations(span.events);
  const tags = encodeTags(span);
  if (tags) out.tags = tags;
  if (span.debug === true) out.debug = true;
  // Zipkin drops the shared flag on client spans: only a server half can share its client's id.
  if (span.shared === true && span.kind !== 'client') out.shared = true;
  return out;
}

/** Encodes a trace: spans ordered by start, roots first, then by id (a stable order for clients). */
export function encodeTrace(spans: readonly Span[]): ZipkinV2Span[] {
  return [...spans].sort(compareSpans).map(toZipkinV2);
}

/** Encodes dependency links the way Zipkin does (errorCount only when non-zero), sorted by parent then child. */
export function encodeDependencies(links: readonly DependencyLink[]): ZipkinDependencyLink[] {
  return [...links]
    .sort((a, b) => compareStrings(a.parent, b.parent) || compareStrings(a.child, b.child))
    .map((link) => {
      const out: ZipkinDependencyLink = { parent: link.parent, child: link.child, callCount: link.callCount };
      if (link.errorCount > 0) out.errorCount = link.errorCount;
      return out;
    });
}

function compareSpans(a: Span, b: Span): number {
  if (a.startUs !== b.startUs) return a.startUs - b.startUs;
  const aRoot = a.parentSpanId === undefined ? 0 : 1;
  const bRoot = b.parentSpanId === undefined ? 0 : 1;
  if (aRoot !== bRoot) return aRoot - bRoot;
  const byId = compareStrings(a.spanId, b.spanId);
  if (byId !== 0) return byId;
  // A shared span id: the client half before the server half, as the call happened.
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}

const KIND_ORDER: Record<SpanKind, number> = { client: 0, producer: 1, unspecified: 2, internal: 3, server: 4, consumer: 5 };


function encodeEndpoint(endpoint: Endpoint | undefined, serviceName: string | undefined): ZipkinV2Endpoint | undefined {
  const out: ZipkinV2Endpoint = {};
  if (serviceName !== undefined && serviceName !== '') out.serviceName = serviceName;
  if (endpoint?.ipv4) out.ipv4 = endpoint.ipv4;
  if (endpoint?.ipv6) out.ipv6 = endpoint.ipv6;
  if (endpoint?.port !== undefined && endpoint.port > 0) out.port = endpoint.port;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Events without attributes are plain annotations; events with attributes follow OpenTelemetry's
 * Zipkin mapping, `"name":{attributes as JSON}`, so nothing is lost.
 */
function encodeAnnotations(events: readonly SpanEvent[]): ZipkinV2Annotation[] {
  return events
    .map((event) => ({ timestamp: event.timeUs, value: annotationValue(event) }))
    .sort((a, b) => a.timestamp - b.timestamp || compareStrings(a.value, b.value));
}

function annotationValue(event: SpanEvent): string {
  if (event.attributes === undefined || Object.keys(event.attributes).length === 0) return event.name;
  return `${JSON.stringify(event.name)}:${JSON.stringify(event.attributes)}`;
}

/**
 * Tags are the span's attributes over its resource attributes (as OpenTelemetry's Zipkin exporter
 * does), plus the status as Zipkin's OTLP collector writes it: `otel.status_code` for OK/ERROR and
 * an `error` tag carrying the status message when the span has none. A span that arrived as Zipkin
 * already has its `error` tag, so it comes back unchanged.
 */
function encodeTags(span: Span): Record<string, string> | undefined {
  const merged = new Map<string, string>();
  addAll(merged, span.resource, RESOURCE_SKIPPED);
  addAll(merged, span.attributes);
  if (span.statusCode === 'error' && !merged.has('error')) {
    if (!merged.has('otel.status_code')) merged.set('otel.status_code', 'ERROR');
    merged.set('error', span.statusMessage ?? '');
  } else if (span.statusCode === 'ok' && !merged.has('otel.status_code')) {
    merged.set('otel.status_code', 'OK');
  }
  if (merged.size === 0) return undefined;
  const keys = [...merged.keys()].sort(compareStrings);
  const out: Record<string, string> = {};
  for (const key of keys) setOwn(out, key, merged.get(key)!);
  return out;
}

function addAll(target: Map<string, string>, attributes: Attributes, skip?: ReadonlySet<string>): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (skip?.has(key)) continue;
    target.set(key, tagValue(value));
  }
}

/** Assigns a key as an own property, including `__proto__`, which plain assignment would swallow. */
function setOwn(target: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function tagValue(value: AttributeValue): string {
  return typeof value === 'string' ? value : String(value);
}
