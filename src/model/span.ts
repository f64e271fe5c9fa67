/**
 * The one span model every protocol is converted to on arrival and every API reads from.
 * Times are integer microseconds since the Unix epoch; ids are lowercase hex.
 * Pure data: no I/O, no runtime dependencies.
 */

/** A tag / attribute value. Protocols with richer types (bytes, arrays) are flattened to strings. */
export type AttributeValue = string | number | boolean;

/** Attribute map; keys are unique, insertion order is kept for display. */
export type Attributes = Record<string, AttributeValue>;

/** Span kind, OpenTelemetry's vocabulary (Zipkin CLIENT/SERVER/PRODUCER/CONSUMER map 1:1). */
export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** All kinds, in their stable numeric order (the index is the storage code). */
export const SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Span status, OpenTelemetry's vocabulary. `error` is also set from an `error` tag. */
export type StatusCode = 'unset' | 'ok' | 'error';

/** A network endpoint as Zipkin describes it. */
export interface Endpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

/** A timestamped event: a Zipkin annotation, a Jaeger log, an OTLP event. */
export interface SpanEvent {
  timeUs: number;
  /** Zipkin annotation value or OTLP event name; Jaeger logs use the `event` field or "log". */
  name: string;
  attributes?: Attributes;
}

/** A reference to another span: Jaeger CHILD_OF / FOLLOWS_FROM, or an OTLP link. */
export interface SpanLink {
  traceId: string;
  spanId: string;
  type: 'child_of' | 'follows_from' | 'link';
  attributes?: Attributes;
}

/** The internal span. */
export interface Span {
  /** 32 lowercase hex chars; 64-bit ids are left-padded with zeros. */
  traceId: string;
  /** 16 lowercase hex chars. */
  spanId: string;
  /** 16 lowercase hex chars, or undefined for a root span. */
  parentSpanId?: string;
  kind: SpanKind;
  /** Operation name ("" when the sender gave none). */
  name: string;
  /** Service name of the reporting process ("unknown" when the sender gave none). */
  service: string;
  startUs: number;
  durationUs: number;
  statusCode: StatusCode;
  statusMessage?: string;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  /** Process / resource attributes (Jaeger process tags, OTLP resource attributes). */
  resource: Attributes;
  localEndpoint?: Endpoint;
  remoteEndpoint?: Endpoint;
  /** Zipkin: this is the server half of a span id shared with its client. */
  shared?: boolean;
  /** Zipkin debug flag / Jaeger debug sampling flag. */
  debug?: boolean;
  /** Tenant the span was received for ("" is the default tenant). */
  tenant: string;
  /** Read-time warnings (clock skew adjusted, id de-duplicated, truncation); never stored. */
  warnings?: string[];
}

/** A caller → callee edge of the service dependency graph. */
export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
  errorCount: number;
}
