/**
 * Zipkin v1 JSON (POST /api/v1/spans) to the internal span model.
 * Spec: https://github.com/openzipkin/zipkin-api/blob/master/zipkin-api.yaml and the v1 model in
 * https://github.com/openzipkin/zipkin/blob/master/zipkin/src/main/java/zipkin2/v1/ (V1SpanConverter):
 * core annotations (cs/sr/ss/cr, ms/mr/ws/wr) become kind, timestamp and duration; the address
 * binary annotations ca/sa/ma become the remote endpoint; one v1 span that both sides of an RPC
 * reported (client and server endpoints) becomes two spans with the same ids, the server one
 * marked shared, because that is how v2 models it.
 */
import type { Attributes, Endpoint, Span, SpanEvent, SpanKind } from '../../model/index.js';
import {
  applyErrorTag,
  asSpanObject,
  fieldPath,
  missingTimestamp,
  parseJsonArray,
  readBoolean,
  readDuration,
  readEndpoint,
  readEventTime,
  readParentId,
  readSpanId,
  readString,
  readTimestamp,
  readTraceId,
  reject,
} from './decode-common.js';

/** Payload format key of Zipkin v1 JSON request bodies (also the key of their decoder). */
export const ZIPKIN_V1_JSON = 'zipkin-v1-json';

/**
 * Decodes a Zipkin v1 JSON array body. Each element gives one span, or two when it carries both
 * the client and the server side of an RPC. Throws AppError INVALID_ARGUMENT naming the element
 * index and field on the first invalid value. Pure: the same bytes always give the same spans.
 */
export function decodeZipkinV1Json(body: Buffer | string, tenant: string): Span[] {
  return convertZipkinV1Spans(parseJsonArray(body), tenant);
}

/**
 * Converts v1 spans already in their JSON shape (as JSON.parse gives them, or as the Thrift decoder
 * builds them) with the same rules and errors as {@link decodeZipkinV1Json}.
 */
export function convertZipkinV1Spans(elements: readonly unknown[], tenant: string): Span[] {
  const spans: Span[] = [];
  const endpoints = new EndpointMemo();
  for (let i = 0; i < elements.length; i++) decodeSpan(elements[i], i, tenant, spans, endpoints);
  return spans;
}

/**
 * v1 repeats the endpoint on every annotation and binary annotation: remembering the last one
 * read saves validating and allocating the same endpoint ten times per span. Decoded spans may
 * therefore share Endpoint objects (spans are read-only once decoded).
 */
class EndpointMemo {
  private raw: Record<string, unknown> | undefined;
  private endpoint: Endpoint | undefined;

  read(value: unknown, i: number, field: string, j: number): Endpoint | undefined {
    const last = this.raw;
    if (last !== undefined && typeof value === 'object' && value !== null) {
      const raw = value as Record<string, unknown>;
      if (
        raw['serviceName'] === last['serviceName'] &&
        raw['ipv4'] === last['ipv4'] &&
        raw['port'] === last['port'] &&
        raw['ipv6'] === last['ipv6'] &&
        !Array.isArray(raw)
      ) {
        return this.endpoint;
      }
    }
    const endpoint = readEndpoint(value, i, field, j, 'endpoint');
    if (typeof value === 'object' && value !== null) {
      this.raw = value as Record<string, unknown>;
      this.endpoint = endpoint;
    }
    return endpoint;
  }
}

interface Annotation {
  timeUs: number;
  value: string;
  endpoint: Endpoint | undefined;
}

/** One v2 span being assembled from a v1 span; 0 means "unset" for the times. */
interface Half {
  local: Endpoint | undefined;
  kind: SpanKind | undefined;
  startUs: number;
  durationUs: number;
  shared: boolean;
  remote: Endpoint | undefined;
  events: SpanEvent[];
  tags: Attributes;
}

/** The conversion state of one v1 span. */
interface Conversion {
  first: Half;
  others: Half[];
  timestampUs: number;
  durationUs: number;
  /** Earliest annotation time of the v1 span, 0 without annotations. */
  earliestUs: number;
  cs: Annotation | undefined;
  sr: Annotation | undefined;
  ss: Annotation | undefined;
  cr: Annotation | undefined;
  ms: Annotation | undefined;
  mr: Annotation | undefined;
  ws: Annotation | undefined;
  wr: Annotation | undefined;
}

function decodeSpan(element: unknown, i: number, tenant: string, out: Span[], endpoints: EndpointMemo): void {
  const raw = asSpanObject(element, i);
  const traceId = readTraceId(raw['traceId'], i);
  const spanId = readSpanId(raw['id'], i);
  let parentSpanId = readParentId(raw['parentId'], i);
  if (parentSpanId === spanId) parentSpanId = undefined;
  const name = readString(raw['name'], i, 'name');
  const timestampUs = readTimestamp(raw['timestamp'], i);
  const durationUs = readDuration(raw['duration'], i);
  const debug = readBoolean(raw['debug'], i, 'debug');
  const c: Conversion = {
    first: newHalf(undefined),
    others: [],
    timestampUs,
    durationUs,
    earliestUs: 0,
    cs: undefined,
    sr: undefined,
    ss: undefined,
    cr: undefined,
    ms: undefined,
    mr: undefined,
    ws: undefined,
    wr: undefined,
  };
  // Annotations first: which side a binary annotation belongs to depends on the core annotations.
  readAnnotations(c, raw['annotations'], i, endpoints);
  timeSides(c);
  readBinaryAnnotations(c, raw['binaryAnnotations'], i, endpoints);

  const halves = c.others.length === 0 ? [c.first] : [c.first, ...c.others];
  for (const half of halves) {
    const kind = half.kind ?? 'unspecified';
    let startUs = half.startUs;
    if (startUs === 0) startUs = earliest(half.events);
    if (startUs === 0) startUs = timestampUs;
    if (startUs === 0) startUs = c.earliestUs;
    if (startUs === 0) {
      return missingTimestamp(i, raw['timestamp']);
    }
    const span: Span = {
      traceId,
      spanId,
      kind,
      name,
      service: half.local?.serviceName ?? 'unknown',
      startUs,
      durationUs: half.durationUs,
      statusCode: 'unset',
      attributes: half.tags,
      events: half.events,
      links: [],
      resource: {},
      tenant,
    };
    if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
    if (half.local !== undefined) span.localEndpoint = half.local;
    if (half.remote !== undefined) span.remoteEndpoint = half.remote;
    // Only a server or consumer side can be shared; on a client it would mean nothing.
    if (half.shared && kind !== 'client') span.shared = true;
    if (debug) span.debug = true;
    applyErrorTag(span);
    out.push(span);
  }
}

/** Validates the annotations and sorts them: core ones into `c`, the rest into their side's events. */
function readAnnotations(c: Conversion, value: unknown, i: number, endpoints: EndpointMemo): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) return reject(fieldPath(i, 'annotations'), 'an array', value);
  for (let j = 0; j < value.length; j++) {
    const item: unknown = value[j];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return reject(fieldPath(i, 'annotations', j), 'an object with timestamp and value', item);
    }
    const { timestamp, value: text, endpoint: rawEndpoint } = item as Record<string, unknown>;
    const timeUs = readEventTime(timestamp, i, j);
    if (typeof text !== 'string') return reject(fieldPath(i, 'annotations', j, 'value'), 'a string', text);
    const endpoint = endpoints.read(rawEndpoint, i, 'annotations', j);
    if (c.earliestUs === 0 || timeUs < c.earliestUs) c.earliestUs = timeUs;
    const half = halfFor(c, endpoint);
    // Core annotations only count with an endpoint: without one nobody knows which side logged them.
    if (text.length === 2 && endpoint !== undefined) {
      switch (text) {
        case 'cs':
          half.kind = 'client';
          c.cs = { timeUs, value: text, endpoint };
          continue;
        case 'sr':
          half.kind = 'server';
          c.sr = { timeUs, value: text, endpoint };
          continue;
        case 'ss':
          half.kind = 'server';
          c.ss = { timeUs, value: text, endpoint };
          continue;
        case 'cr':
          half.kind = 'client';
          c.cr = { timeUs, value: text, endpoint };
          continue;
        case 'ms':
          half.kind = 'producer';
          c.ms = { timeUs, value: text, endpoint };
          continue;
        case 'mr':
          half.kind = 'consumer';
          c.mr = { timeUs, value: text, endpoint };
          continue;
        case 'ws':
          c.ws = { timeUs, value: text, endpoint };
          continue;
        case 'wr':
          c.wr = { timeUs, value: text, endpoint };
          continue;
      }
    }
    half.events.push({ timeUs, name: text });
  }
}

/**
 * Validates the binary annotations, puts tags on their side and applies the ca/sa/ma addresses.
 * Runs after the annotations, whose core annotations decide where addresses go.
 */
function readBinaryAnnotations(c: Conversion, value: unknown, i: number, endpoints: EndpointMemo): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) return reject(fieldPath(i, 'binaryAnnotations'), 'an array', value);
  let ca: Endpoint | undefined;
  let sa: Endpoint | undefined;
  let ma: Endpoint | undefined;
  for (let j = 0; j < value.length; j++) {
    const item: unknown = value[j];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return reject(fieldPath(i, 'binaryAnnotations', j), 'an object with key and value', item);
    }
    const { key, value: raw, type, endpoint: rawEndpoint } = item as Record<string, unknown>;
    if (typeof key !== 'string') return reject(fieldPath(i, 'binaryAnnotations', j, 'key'), 'a string', key);
    const endpoint = endpoints.read(rawEndpoint, i, 'binaryAnnotations', j);
    const tag = binaryValue(raw, type, i, j);
    if (typeof raw === 'boolean' && key.length === 2 && (type === undefined || type === null || type === 'BOOL')) {
      // An address annotation is "true" plus the peer's endpoint; without either it says nothing.
      if (key === 'ca') {
        if (raw && endpoint !== undefined) ca = endpoint;
        continue;
      }
      if (key === 'sa') {
        if (raw && endpoint !== undefined) sa = endpoint;
        continue;
      }
      if (key === 'ma') {
        if (raw && endpoint !== undefined) ma = endpoint;
        continue;
      }
    }
    const half = halfFor(c, endpoint);
    // An empty "lc" only marks a local span; its endpoint (adopted above) is what it carries.
    if (key === 'lc' && tag === '') continue;
    // A plain assignment of "__proto__" would hit the prototype setter and lose the tag.
    if (key === '__proto__') Object.defineProperty(half.tags, key, { value: tag, enumerable: true, writable: true, configurable: true });
    else half.tags[key] = tag;
  }
  if (ca !== undefined || sa !== undefined || ma !== undefined) applyAddresses(c, ca, sa, ma);
}

/** The tag string of a binary annotation value of the given v1 type (absent type: as sent). */
function binaryValue(value: unknown, type: unknown, i: number, j: number): string {
  switch (type) {
    case undefined:
    case null:
    case 'STRING':
    case 'BOOL':
    case 'I16':
    case 'I32':
    case 'I64':
    case 'DOUBLE':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return reject(fieldPath(i, 'binaryAnnotations', j, 'value'), 'a string, number or boolean', value);
    case 'BYTES':
      // v1 JSON carries bytes base64-encoded already; a raw byte array is encoded here.
      if (typeof value === 'string') return value;
      if (Array.isArray(value) && value.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
        return Buffer.from(value as number[]).toString('base64');
      }
      return reject(fieldPath(i, 'binaryAnnotations', j, 'value'), 'a base64 string', value);
    default:
      return reject(
        fieldPath(i, 'binaryAnnotations', j, 'type'),
        'one of STRING, BOOL, BYTES, I16, I32, I64, DOUBLE',
        type,
      );
  }
}

function newHalf(local: Endpoint | undefined): Half {
  return {
    local,
    kind: undefined,
    startUs: 0,
    durationUs: 0,
    shared: false,
    remote: undefined,
    events: [],
    tags: {},
  };
}

function sameService(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return a?.serviceName === b?.serviceName;
}

function sameEndpoint(a: Endpoint, b: Endpoint | undefined): boolean {
  return (
    b !== undefined &&
    a.serviceName === b.serviceName &&
    a.ipv4 === b.ipv4 &&
    a.ipv6 === b.ipv6 &&
    a.port === b.port
  );
}

/**
 * The half an endpoint's data belongs to: the one with the same service name. The first half
 * adopts the first endpoint it is asked about; data without an endpoint goes to the first half.
 */
function halfFor(c: Conversion, endpoint: Endpoint | undefined): Half {
  const first = c.first;
  if (endpoint === undefined) return first;
  if (first.local === undefined) {
    first.local = endpoint;
    return first;
  }
  if (sameService(first.local, endpoint)) return first;
  for (const half of c.others) if (sameService(half.local, endpoint)) return half;
  return fork(c, endpoint);
}

function fork(c: Conversion, endpoint: Endpoint | undefined): Half {
  const half = newHalf(endpoint);
  c.others.push(half);
  return half;
}

function event(a: Annotation): SpanEvent {
  return { timeUs: a.timeUs, name: a.value };
}

/** Times each side from the core annotations, splitting client/server and producer/consumer sides. */
function timeSides(c: Conversion): void {
  // A sender that reports the span's own timestamp and duration may omit the start annotation.
  if (c.cs === undefined && endMatchesSpan(c, c.cr)) c.cs = { timeUs: c.timestampUs, value: 'cs', endpoint: c.cr!.endpoint };
  if (c.sr === undefined && endMatchesSpan(c, c.ss)) c.sr = { timeUs: c.timestampUs, value: 'sr', endpoint: c.ss!.endpoint };

  const { cs, sr, ss, cr } = c;
  if (cs !== undefined && sr !== undefined) {
    // Both sides reported: the client owns the span's timing, the server gets its own from sr/ss.
    setTiming(c, cs, cr);
    const client = halfFor(c, cs.endpoint);
    let server: Half;
    if (sameService(cs.endpoint, sr.endpoint)) {
      // Loopback: one service called itself, so the annotations all landed in one half; split it.
      client.kind = 'client';
      server = fork(c, sr.endpoint);
      server.kind = 'server';
    } else {
      server = halfFor(c, sr.endpoint);
    }
    server.shared = true;
    server.startUs = sr.timeUs;
    if (ss !== undefined) server.durationUs = positive(ss.timeUs - sr.timeUs);
    if (cr === undefined && c.durationUs === 0) client.durationUs = 0;
  } else if (cs !== undefined && cr !== undefined) {
    setTiming(c, cs, cr);
  } else if (sr !== undefined && ss !== undefined) {
    setTiming(c, sr, ss);
  } else {
    timeIncompleteRpc(c);
  }

  // v1 had no shared flag: a server side without the span's own timestamp was the convention.
  if (cs === undefined && sr !== undefined && (c.timestampUs === 0 || (ss !== undefined && c.durationUs === 0))) {
    halfFor(c, sr.endpoint).shared = true;
  }

  const { ms, mr, ws, wr } = c;
  if (ms !== undefined && mr !== undefined) {
    const producer = halfFor(c, ms.endpoint);
    let consumer: Half;
    if (sameService(ms.endpoint, mr.endpoint)) {
      producer.kind = 'producer';
      consumer = fork(c, mr.endpoint);
      consumer.kind = 'consumer';
    } else {
      consumer = halfFor(c, mr.endpoint);
    }
    consumer.shared = true;
    if (wr !== undefined) {
      consumer.startUs = wr.timeUs;
      consumer.durationUs = positive(mr.timeUs - wr.timeUs);
    } else {
      consumer.startUs = mr.timeUs;
    }
    producer.startUs = ms.timeUs;
    producer.durationUs = ws !== undefined ? positive(ws.timeUs - ms.timeUs) : 0;
  } else if (ms !== undefined) {
    setTiming(c, ms, ws);
  } else if (mr !== undefined) {
    if (wr !== undefined) setTiming(c, wr, mr);
    else setTiming(c, mr, undefined);
  } else {
    if (ws !== undefined) halfFor(c, ws.endpoint).events.push(event(ws));
    if (wr !== undefined) halfFor(c, wr.endpoint).events.push(event(wr));
  }
}

function endMatchesSpan(c: Conversion, end: Annotation | undefined): boolean {
  return end !== undefined && c.timestampUs !== 0 && c.durationUs !== 0 && c.timestampUs + c.durationUs === end.timeUs;
}

/** Times the half of `begin`: the span's own timestamp/duration fields win over the annotations. */
function setTiming(c: Conversion, begin: Annotation, end: Annotation | undefined): void {
  const half = halfFor(c, begin.endpoint);
  half.startUs = c.timestampUs !== 0 ? c.timestampUs : begin.timeUs;
  half.durationUs = c.durationUs !== 0 ? c.durationUs : end !== undefined ? positive(end.timeUs - begin.timeUs) : 0;
}

/** Only one end of an RPC was seen: time from the start annotation, keep a lone end as an event. */
function timeIncompleteRpc(c: Conversion): void {
  timeIncompleteHalf(c, c.first);
  for (const half of c.others) timeIncompleteHalf(c, half);
  if (c.timestampUs !== 0) {
    c.first.startUs = c.timestampUs;
    c.first.durationUs = c.durationUs;
  }
}

function timeIncompleteHalf(c: Conversion, half: Half): void {
  if (half.kind === 'client') {
    if (c.cs !== undefined) half.startUs = c.cs.timeUs;
    if (c.cr !== undefined) half.events.push(event(c.cr));
  } else if (half.kind === 'server') {
    if (c.sr !== undefined) half.startUs = c.sr.timeUs;
    if (c.ss !== undefined) half.events.push(event(c.ss));
  }
}

/** Sets remote endpoints from the address annotations, as the core annotations say which side is which. */
function applyAddresses(c: Conversion, clientAddress: Endpoint | undefined, sa: Endpoint | undefined, ma: Endpoint | undefined): void {
  let ca = clientAddress;
  const { cs, sr, ss, cr, ms, mr } = c;
  if (cs === undefined && cr === undefined && sr === undefined && ss === undefined && (ca !== undefined || sa !== undefined)) {
    // No RPC annotations: the addresses alone tell which side this is.
    if (ca !== undefined && sa !== undefined) {
      halfFor(c, ca).remote = sa;
    } else if (sa !== undefined) {
      c.first.remote = sa;
    } else {
      c.first.kind = 'server';
      c.first.remote = ca;
    }
    return;
  }

  const server = sr ?? ss;
  if (ca !== undefined && server !== undefined && !sameEndpoint(ca, server.endpoint)) {
    // A client address naming the server's own service is the client socket seen by the server
    // (Finagle does this); dropping the name keeps it from looking like a self-call.
    if (sameService(ca, server.endpoint)) ca = withoutServiceName(ca);
    halfFor(c, server.endpoint).remote = ca;
  }
  if (sa !== undefined) {
    if (cs !== undefined) halfFor(c, cs.endpoint).remote = sa;
    else if (cr !== undefined) halfFor(c, cr.endpoint).remote = sa;
  }
  if (ma !== undefined) {
    // Both messaging sides get the broker address, in case one span carries both.
    if (ms !== undefined) halfFor(c, ms.endpoint).remote = ma;
    if (mr !== undefined) halfFor(c, mr.endpoint).remote = ma;
  }
}

function withoutServiceName(endpoint: Endpoint): Endpoint | undefined {
  const { serviceName: _, ...rest } = endpoint;
  return rest.ipv4 === undefined && rest.ipv6 === undefined && rest.port === undefined ? undefined : rest;
}

function positive(us: number): number {
  return us > 0 ? us : 0;
}

/** Earliest time of a list of timed items, 0 when empty. */
function earliest(items: readonly { timeUs: number }[]): number {
  let min = 0;
  for (const item of items) if (min === 0 || item.timeUs < min) min = item.timeUs;
  return min;
}
