/**
 * OTLP ExportTraceServiceRequest → the internal span model, shared by the protobuf and the JSON
 * decoder. Both hand over the same object shape (protobufjs' decoded messages use the lowerCamelCase
 * field names of the protobuf JSON mapping); they differ only in how a few scalars are carried:
 * ids are bytes (proto) or hex strings (JSON), 64-bit integers Long objects (proto) or decimal
 * strings / numbers (JSON), enums numbers (proto) or numbers / names (JSON), bytes values Buffers
 * (proto) or base64 strings (JSON).
 *
 * Specs: opentelemetry-proto trace/v1/trace.proto, common/v1/common.proto, and the JSON mapping at
 * https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 *
 * Mapping (documented in proto/README.md as well):
 * - resource attribute `service.name` → `service` (not kept in `resource`); other resource
 *   attributes → `resource`; a non-zero resource dropped count → resource attribute
 *   `otel.dropped_attributes_count`.
 * - scope name / version → span attributes `otel.scope.name` / `otel.scope.version`, scope
 *   attributes → span attributes `otel.scope.attributes.<key>` (read back into the scope by the v3 API).
 * - trace_state → `w3c.tracestate` (span and link attributes); non-zero dropped attribute / event /
 *   link counts → `otel.dropped_attributes_count` / `otel.dropped_events_count` /
 *   `otel.dropped_links_count` (span, event and link attributes). Zero counts add nothing, so a
 *   span that lost nothing carries no extra attributes.
 * - `peer.service` attribute → remoteEndpoint.serviceName as well.
 * - times: nanoseconds → µs rounded down; duration = end − start.
 * - values: strings and booleans as such; integers as numbers when safe, else decimal strings;
 *   doubles as numbers (NaN / ±Infinity as strings); bytes as base64; arrays and kvlists as JSON text.
 *
 * Partial success: a span with an invalid id, a start outside 2000..2100, an end before its start or
 * an invalid event / link is skipped and counted; a request whose structure is wrong (JSON of the
 * wrong type) is rejected whole with INVALID_ARGUMENT.
 */
import { AppError } from '../../errors.js';
import type { AttributeValue, Attributes, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../../model/index.js';
import { MAX_DURATION_US, MAX_TIMESTAMP_US, MIN_TIMESTAMP_US, normalizeHex, quote } from '../zipkin/decode-common.js';

/** What one OTLP export request decodes to: the valid spans, and what was skipped and why. */
export interface OtlpDecodeResult {
  spans: Span[];
  /** Spans skipped as invalid (the request's partial_success.rejected_spans). */
  rejected: number;
  /** Why spans were skipped ("" when none were): the count and the first reason. */
  message: string;
}

/** Which wire form the request object came from (decides how scalars are read). */
export type OtlpDialect = 'proto' | 'json';

const KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_NAMES: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Readonly<Record<string, number>> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];
const ANY_VALUE_FIELDS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;
/** Nesting of arrays / kvlists inside one attribute value beyond which a request is refused. */
const MAX_VALUE_DEPTH = 32;
const ZERO_SPAN_ID = '0000000000000000';

/** Span attribute keys of the mapping above. */
export const OTLP_ATTRIBUTES = {
  scopeName: 'otel.scope.name',
  scopeVersion: 'otel.scope.version',
  scopeAttributePrefix: 'otel.scope.attributes.',
  traceState: 'w3c.tracestate',
  droppedAttributes: 'otel.dropped_attributes_count',
  droppedEvents: 'otel.dropped_events_count',
  droppedLinks: 'otel.dropped_links_count',
} as const;

/** A skipped span: the thrown value that carries its reason. */
class SpanRejection {
  constructor(readonly message: string) {}
}

type Rec = Record<string, unknown>;

/**
 * Converts a decoded ExportTraceServiceRequest (protobufjs message or parsed JSON) to spans.
 * Throws AppError INVALID_ARGUMENT when the structure is wrong; invalid spans are counted instead.
 * Pure: the same request always gives the same result; the input may be reused (not copied).
 */
export function convertExportRequest(request: unknown, tenant: string, dialect: OtlpDialect): OtlpDecodeResult {
  const c = new Converter(dialect, tenant);
  const root = asRecord(request, 'request');
  const resourceSpans = asArray(root['resourceSpans'], 'resourceSpans');
  for (let r = 0; r < resourceSpans.length; r++) c.resourceSpans(resourceSpans[r], r);
  const message = c.rejected === 0 ? '' : `${c.rejected} of ${c.rejected + c.spans.length} spans rejected; first: ${c.firstReason}`;
  return { spans: c.spans, rejected: c.rejected, message };
}

class Converter {
  readonly spans: Span[] = [];
  rejected = 0;
  firstReason = '';
  private readonly json: boolean;

  constructor(dialect: OtlpDialect, private readonly tenant: string) {
    this.json = dialect === 'json';
  }

  resourceSpans(value: unknown, r: number): void {
    const path = `resourceSpans[${r}]`;
    const rs = asRecord(value, path);
    const resource: Attributes = {};
    let service = 'unknown';
    const rawResource = rs['resource'];
    if (rawResource !== undefined && rawResource !== null) {
      const res = asRecord(rawResource, `${path}.resource`);
      this.attributes(res['attributes'], `${path}.resource.attributes`, resource);
      const name = resource['service.name'];
      if (name !== undefined) {
        if (name !== '') service = String(name);
        delete resource['service.name'];
      }
      const dropped = this.count(res['droppedAttributesCount'], `${path}.resource.droppedAttributesCount`);
      if (dropped > 0) resource[OTLP_ATTRIBUTES.droppedAttributes] = dropped;
    }
    const scopeSpans = asArray(rs['scopeSpans'], `${path}.scopeSpans`);
    for (let s = 0; s < scopeSpans.length; s++) this.scopeSpans(scopeSpans[s], `${path}.scopeSpans[${s}]`, service, resource);
  }

  private scopeSpans(value: unknown, path: string, service: string, resource: Attributes): void {
    const ss = asRecord(value, path);
    const scopeAttributes: Attributes = {};
    const rawScope = ss['scope'];
    if (rawScope !== undefined && rawScope !== null) {
      const scope = asRecord(rawScope, `${path}.scope`);
      const name = this.string(scope['name'], `${path}.scope.name`);
      const version = this.string(scope['version'], `${path}.scope.version`);
      if (name !== '') scopeAttributes[OTLP_ATTRIBUTES.scopeName] = name;
      if (version !== '') scopeAttributes[OTLP_ATTRIBUTES.scopeVersion] = version;
      const attrs: Attributes = {};
      this.attributes(scope['attributes'], `${path}.scope.attributes`, attrs);
      for (const key in attrs) scopeAttributes[OTLP_ATTRIBUTES.scopeAttributePrefix + key] = attrs[key]!;
    }
    const spans = asArray(ss['spans'], `${path}.spans`);
    for (let i = 0; i < spans.length; i++) {
      const spanPath = `${path}.spans[${i}]`;
      try {
        this.spans.push(this.span(spans[i], spanPath, service, resource, scopeAttributes));
      } catch (err) {
        if (!(err instanceof SpanRejection)) throw err;
        if (this.rejected === 0) this.firstReason = err.message;
        this.rejected++;
      }
    }
  }

  private span(value: unknown, path: string, service: string, resource: Attributes, scopeAttributes: Attributes): Span {
    const raw = asRecord(value, path);
    const traceId = this.id(raw['traceId'], 32, `${path}.traceId`);
    const spanId = this.id(raw['spanId'], 16, `${path}.spanId`);
    const parentSpanId = this.parentId(raw['parentSpanId'], `${path}.parentSpanId`);
    const name = this.string(raw['name'], `${path}.name`);
    const kindCode = this.enumCode(raw['kind'], KIND_NAMES, `${path}.kind`);
    const startUs = this.timeUs(raw['startTimeUnixNano'], `${path}.startTimeUnixNano`);
    const endUs = this.nanosToUs(raw['endTimeUnixNano'], `${path}.endTimeUnixNano`);
    if (endUs < startUs) {
      throw new SpanRejection(`${path}.endTimeUnixNano: expected a time at or after startTimeUnixNano, got ${endUs} µs < ${startUs} µs`);
    }
    const durationUs = endUs - startUs;
    if (durationUs > MAX_DURATION_US) {
      throw new SpanRejection(`${path}.endTimeUnixNano: expected a duration of at most ${MAX_DURATION_US} µs, got ${durationUs} µs`);
    }
    const attributes: Attributes = {};
    this.attributes(raw['attributes'], `${path}.attributes`, attributes);
    for (const key in scopeAttributes) if (!(key in attributes)) attributes[key] = scopeAttributes[key]!;
    const traceState = this.string(raw['traceState'], `${path}.traceState`);
    if (traceState !== '' && !(OTLP_ATTRIBUTES.traceState in attributes)) attributes[OTLP_ATTRIBUTES.traceState] = traceState;
    this.addCount(attributes, OTLP_ATTRIBUTES.droppedAttributes, raw['droppedAttributesCount'], `${path}.droppedAttributesCount`);
    this.addCount(attributes, OTLP_ATTRIBUTES.droppedEvents, raw['droppedEventsCount'], `${path}.droppedEventsCount`);
    this.addCount(attributes, OTLP_ATTRIBUTES.droppedLinks, raw['droppedLinksCount'], `${path}.droppedLinksCount`);

    let statusCode: StatusCode = 'unset';
    let statusMessage = '';
    const rawStatus = raw['status'];
    if (rawStatus !== undefined && rawStatus !== null) {
      const status = asRecord(rawStatus, `${path}.status`);
      statusCode = STATUS_CODES[this.enumCode(status['code'], STATUS_NAMES, `${path}.status.code`)] ?? 'unset';
      statusMessage = this.string(status['message'], `${path}.status.message`);
    }

    const span: Span = {
      traceId,
      spanId,
      kind: KINDS[kindCode] ?? 'unspecified',
      name,
      service,
      startUs,
      durationUs,
      statusCode,
      attributes,
      events: this.events(raw['events'], `${path}.events`),
      links: this.links(raw['links'], `${path}.links`),
      resource,
      tenant: this.tenant,
    };
    if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
    if (statusMessage !== '') span.statusMessage = statusMessage;
    const peer = attributes['peer.service'];
    if (typeof peer === 'string' && peer !== '') span.remoteEndpoint = { serviceName: peer };
    return span;
  }

  private events(value: unknown, path: string): SpanEvent[] {
    const list = asArray(value, path);
    const events: SpanEvent[] = new Array<SpanEvent>(list.length);
    for (let j = 0; j < list.length; j++) {
      const raw = asRecord(list[j], `${path}[${j}]`);
      const event: SpanEvent = {
        timeUs: this.timeUs(raw['timeUnixNano'], `${path}[${j}].timeUnixNano`),
        name: this.string(raw['name'], `${path}[${j}].name`),
      };
      const attributes: Attributes = {};
      this.attributes(raw['attributes'], `${path}[${j}].attributes`, attributes);
      this.addCount(attributes, OTLP_ATTRIBUTES.droppedAttributes, raw['droppedAttributesCount'], `${path}[${j}].droppedAttributesCount`);
      for (const _ in attributes) {
        event.attributes = attributes;
        break;
      }
      events[j] = event;
    }
    return events;
  }

  private links(value: unknown, path: string): SpanLink[] {
    const list = asArray(value, path);
    const links: SpanLink[] = new Array<SpanLink>(list.length);
    for (let j = 0; j < list.length; j++) {
      const raw = asRecord(list[j], `${path}[${j}]`);
      const link: SpanLink = {
        traceId: this.id(raw['traceId'], 32, `${path}[${j}].traceId`),
        spanId: this.id(raw['spanId'], 16, `${path}[${j}].spanId`),
        type: 'link',
      };
      const attributes: Attributes = {};
      this.attributes(raw['attributes'], `${path}[${j}].attributes`, attributes);
      const traceState = this.string(raw['traceState'], `${path}[${j}].traceState`);
      if (traceState !== '' && !(OTLP_ATTRIBUTES.traceState in attributes)) attributes[OTLP_ATTRIBUTES.traceState] = traceState;
      this.addCount(attributes, OTLP_ATTRIBUTES.droppedAttributes, raw['droppedAttributesCount'], `${path}[${j}].droppedAttributesCount`);
      for (const _ in attributes) {
        link.attributes = attributes;
        break;
      }
      links[j] = link;
    }
    return links;
  }

  /** Adds the KeyValue list `value` to `into`; a repeated key keeps its last value. */
  private attributes(value: unknown, path: string, into: Attributes): void {
    const list = asArray(value, path);
    for (let k = 0; k < list.length; k++) {
      const kv = asRecord(list[k], `${path}[${k}]`);
      const key = this.string(kv['key'], `${path}[${k}].key`);
      setOwn(into, key, this.anyValue(kv['value'], `${path}[${k}].value`));
    }
  }

  /** An AnyValue as an attribute value (arrays and kvlists as JSON text); an empty value is "". */
  private anyValue(value: unknown, path: string): AttributeValue {
    const plain = this.plainValue(value, path, 0);
    if (plain === null) return '';
    if (typeof plain === 'object') return JSON.stringify(plain);
    return plain;
  }

  /** An AnyValue as plain JSON data: the model's scalars, arrays and objects; null when empty. */
  private plainValue(value: unknown, path: string, depth: number): PlainValue {
    if (value === undefined || value === null) return null;
    if (depth > MAX_VALUE_DEPTH) throw invalid(path, `arrays and kvlists nested at most ${MAX_VALUE_DEPTH} deep`, '...');
    const any = asRecord(value, path);
    const field = this.json ? ANY_VALUE_FIELDS.find((f) => any[f] !== undefined && any[f] !== null) : (any['value'] as string | undefined);
    if (field === undefined || field === null) return null;
    const v = any[field];
    switch (field) {
      case 'stringValue':
        return this.string(v, `${path}.stringValue`);
      case 'boolValue':
        if (typeof v === 'boolean') return v;
        throw invalid(`${path}.boolValue`, 'a boolean', v);
      case 'intValue':
        return this.int64(v, `${path}.intValue`);
      case 'doubleValue':
        return this.double(v, `${path}.doubleValue`);
      case 'bytesValue':
        return this.bytes(v, `${path}.bytesValue`);
      case 'arrayValue': {
        const values = asArray(asRecord(v, `${path}.arrayValue`)['values'], `${path}.arrayValue.values`);
        const out: PlainValue[] = new Array<PlainValue>(values.length);
        for (let k = 0; k < values.length; k++) out[k] = this.plainValue(values[k], `${path}.arrayValue.values[${k}]`, depth + 1);
        return out;
      }
      case 'kvlistValue': {
        const values = asArray(asRecord(v, `${path}.kvlistValue`)['values'], `${path}.kvlistValue.values`);
        const out: { [key: string]: PlainValue } = {};
        for (let k = 0; k < values.length; k++) {
          const kv = asRecord(values[k], `${path}.kvlistValue.values[${k}]`);
          const key = this.string(kv['key'], `${path}.kvlistValue.values[${k}].key`);
          setOwn(out, key, this.plainValue(kv['value'], `${path}.kvlistValue.values[${k}].value`, depth + 1));
        }
        return out;
      }
      default:
        return null;
    }
  }

  private string(value: unknown, path: string): string {
    if (typeof value === 'string') return value;
    if (value === undefined || value === null) return '';
    throw invalid(path, 'a string', value);
  }

  /** A trace id (width 32) or span id (width 16): exactly width/2 bytes, or width hex chars; not all zeros. */
  private id(value: unknown, width: 16 | 32, path: string): string {
    const hex = this.hex(value, path);
    const id = hex.length === width ? normalizeHex(hex, width) : undefined;
    if (id !== undefined) return id;
    const unit = this.json ? `${width} hex chars` : `${width / 2} bytes`;
    throw new SpanRejection(`${path}: expected ${unit}, not all zeros, got ${this.json ? quote(hex) : `${hex.length / 2} bytes`}`);
  }

  /** A parent span id: empty or all zeros mean a root span. */
  private parentId(value: unknown, path: string): string | undefined {
    const hex = this.hex(value, path);
    if (hex === '' || hex === ZERO_SPAN_ID) return undefined;
    const id = hex.length === 16 ? normalizeHex(hex, 16) : undefined;
    if (id !== undefined) return id;
    const unit = this.json ? '16 hex chars or ""' : '8 bytes or none';
    throw new SpanRejection(`${path}: expected ${unit}, got ${this.json ? quote(hex) : `${hex.length / 2} bytes`}`);
  }

  private hex(value: unknown, path: string): string {
    if (value === undefined || value === null) return '';
    if (this.json) {
      if (typeof value === 'string') return value;
      throw invalid(path, 'a hex string', value);
    }
    const bytes = value as Uint8Array;
    return Buffer.isBuffer(bytes) ? bytes.toString('hex') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  }

  /** A required epoch time in nanoseconds → µs, between 2000 and 2100 or the span is skipped. */
  private timeUs(value: unknown, path: string): number {
    const us = this.nanosToUs(value, path);
    if (us >= MIN_TIMESTAMP_US && us < MAX_TIMESTAMP_US) return us;
    throw new SpanRejection(`${path}: expected epoch nanoseconds between 2000-01-01 and 2100-01-01, got ${us === 0 ? 'none' : `${us} µs`}`);
  }

  /** An unsigned 64-bit nanosecond count → µs, rounded down; absent is 0. */
  private nanosToUs(value: unknown, path: string): number {
    if (value === undefined || value === null) return 0;
    if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= 0) return Math.floor(value / 1000);
    } else if (typeof value === 'string') {
      if (/^[0-9]{1,20}$/.test(value)) return value.length <= 15 ? Math.floor(Number(value) / 1000) : Number(value.slice(0, -3));
    } else if (!this.json && typeof value === 'object') {
      const long = value as { low: number; high: number };
      // 2^32 ns = 4294967 µs + 296 ns: splitting the high word keeps every step exact in a double.
      const high = long.high >>> 0;
      return high * 4294967 + Math.floor((high * 296 + (long.low >>> 0)) / 1000);
    }
    throw invalid(path, 'an unsigned 64-bit integer (number or decimal string)', value);
  }

  /** A signed 64-bit integer: a number when it is safe, else its decimal string. */
  private int64(value: unknown, path: string): number | string {
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) return value;
      if (this.json && Number.isInteger(value) && Math.abs(value) < 2 ** 63) return BigInt(value).toString();
    } else if (typeof value === 'string') {
      if (this.json && /^-?[0-9]{1,20}$/.test(value)) {
        const big = BigInt(value);
        if (big >= -(2n ** 63n) && big < 2n ** 63n) {
          const n = Number(big);
          return Number.isSafeInteger(n) ? n : big.toString();
        }
      }
    } else if (!this.json && typeof value === 'object' && value !== null) {
      const long = value as { toNumber(): number; toString(): string };
      const n = long.toNumber();
      return Number.isSafeInteger(n) ? n : long.toString();
    }
    throw invalid(path, 'a 64-bit integer (number or decimal string)', value);
  }

  private double(value: unknown, path: string): number | string {
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
    if (this.json && typeof value === 'string') {
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
      const n = Number(value);
      if (value.trim() !== '' && Number.isFinite(n)) return n;
    }
    throw invalid(path, 'a number', value);
  }

  private bytes(value: unknown, path: string): string {
    if (this.json) {
      if (typeof value === 'string') return value;
      throw invalid(path, 'a base64 string', value);
    }
    const bytes = value as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }

  /** An enum as its number; JSON may also name it. Unknown numbers are kept (the caller maps them). */
  private enumCode(value: unknown, names: Readonly<Record<string, number>>, path: string): number {
    if (value === undefined || value === null) return 0;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (this.json && typeof value === 'string' && Object.hasOwn(names, value)) return names[value]!;
    throw invalid(path, `one of ${Object.keys(names).join(', ')} or its number`, value);
  }

  /** An unsigned 32-bit count (absent is 0). */
  private count(value: unknown, path: string): number {
    if (value === undefined || value === null) return 0;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
    throw invalid(path, 'an unsigned 32-bit integer', value);
  }

  private addCount(into: Attributes, key: string, value: unknown, path: string): void {
    const n = this.count(value, path);
    if (n > 0 && !(key in into)) into[key] = n;
  }
}

type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/** Sets a key; `__proto__` is defined as an own property instead of hitting the prototype setter. */
function setOwn<T>(into: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

function invalid(path: string, expected: string, value: unknown): AppError {
  return new AppError('INVALID_ARGUMENT', `${path}: expected ${expected}, got ${quote(value)}`);
}

function asRecord(value: unknown, path: string): Rec {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Rec;
  throw invalid(path, 'an object', value);
}

/** A repeated field: absent and null are empty. */
function asArray(value: unknown, path: string): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return [];
  throw invalid(path, 'an array', value);
}
