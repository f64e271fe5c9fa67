/**
 * Jaeger's span conventions, shared by the Thrift and protobuf decoders: which tags become span
 * fields (`span.kind`, `error`, `otel.status_*`, `peer.service`), how references split into the
 * parent and links, and how the fields assemble into a Span.
 */
import type { AttributeValue, Attributes, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../../model/index.js';

const KINDS: Readonly<Record<string, SpanKind>> = {
  client: 'client', server: 'server', producer: 'producer', consumer: 'consumer', internal: 'internal',
};

/** Sets an attribute; a `__proto__` key is defined as an own property instead of hitting the prototype setter. */
export function setAttribute(attributes: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
  else attributes[key] = value;
}

/** A span's tags as they are read: convention tags fold into fields, the rest become attributes. */
export class SpanTags {
  kind: SpanKind = 'unspecified';
  statusMessage: string | undefined;
  peerService: string | undefined;
  readonly attributes: Attributes = {};
  private errorTag = false;
  private otelStatus: StatusCode | undefined;

  /** Takes one tag. `span.kind` and `otel.status_*` are not kept as attributes; `error` and `peer.service` are. */
  add(key: string, value: AttributeValue): void {
    switch (key) {
      case 'span.kind':
        if (typeof value === 'string' && KINDS[value] !== undefined) {
          this.kind = KINDS[value]!;
          return;
        }
        break;
      case 'error':
        if (value === true || value === 'true') this.errorTag = true;
        break;
      case 'otel.status_code':
        if (value === 'ERROR') this.otelStatus = 'error';
        else if (value === 'OK') this.otelStatus = 'ok';
        else if (value === 'UNSET') this.otelStatus = 'unset';
        else break;
        return;
      case 'otel.status_description':
        this.statusMessage = String(value);
        return;
      case 'peer.service':
        if (typeof value === 'string' && value !== '') this.peerService = value;
        break;
    }
    setAttribute(this.attributes, key, value);
  }

  /** The status: otel.status_code when given, failed anyway when `error` is true. */
  statusCode(): StatusCode {
    const code = this.otelStatus ?? 'unset';
    return code === 'unset' && this.errorTag ? 'error' : code;
  }
}

/**
 * Splits references into the parent and links: without an explicit parent, the first CHILD_OF
 * reference in the same trace is the parent; a reference that repeats the parent is not kept as a link.
 */
export function splitReferences(
  refs: readonly SpanLink[], ids: { traceId: string; spanId: string; parentSpanId: string | undefined },
): { parentSpanId: string | undefined; links: SpanLink[] } {
  let parentSpanId = ids.parentSpanId;
  let parentTaken = false;
  const links: SpanLink[] = [];
  for (const ref of refs) {
    if (!parentTaken && ref.type === 'child_of' && ref.traceId === ids.traceId) {
      if (parentSpanId === undefined && ref.spanId !== ids.spanId) {
        parentSpanId = ref.spanId;
        parentTaken = true;
        continue;
      }
      if (ref.spanId === parentSpanId) {
        parentTaken = true;
        continue;
      }
    }
    links.push(ref);
  }
  return { parentSpanId, links };
}

/** The parts of a Jaeger span besides its tags. */
export interface JaegerSpanParts {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  service: string;
  startUs: number;
  durationUs: number;
  flags: number;
  events: SpanEvent[];
  links: SpanLink[];
  resource: Attributes;
  tenant: string;
}

const DEBUG_FLAG = 2;

/** Assembles the Span, setting optional fields only when present. */
export function buildSpan(parts: JaegerSpanParts, tags: SpanTags): Span {
  const span: Span = {
    traceId: parts.traceId,
    spanId: parts.spanId,
    kind: tags.kind,
    name: parts.name,
    service: parts.service,
    startUs: parts.startUs,
    durationUs: parts.durationUs,
    statusCode: tags.statusCode(),
    attributes: tags.attributes,
    events: parts.events,
    links: parts.links,
    resource: parts.resource,
    tenant: parts.tenant,
  };
  if (parts.parentSpanId !== undefined) span.parentSpanId = parts.parentSpanId;
  if (tags.statusMessage !== undefined) span.statusMessage = tags.statusMessage;
  if (tags.peerService !== undefined) span.remoteEndpoint = { serviceName: tags.peerService };
  if ((parts.flags & DEBUG_FLAG) !== 0) span.debug = true;
  return span;
}
