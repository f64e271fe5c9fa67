/**
 * The bench workload (Zipkin v2 JSON spans, bench/workload.ts) re-encoded in every wire format
 * Ariadne takes, so each protocol carries the same spans: ids, names, services, times, kinds and
 * the 8–9 string tags. Thrift bodies are written by Apache Thrift (via the receivers' test
 * fixtures), protobuf bodies by the generated static code in proto/gen/.
 */
import { jaeger } from '../proto/gen/jaeger.js';
import { opentelemetry } from '../proto/gen/otlp.js';
import { zipkin } from '../proto/gen/zipkin.js';
import { encodeBatch, encodeEmitBatch, encodeZipkinSpan, type BatchFixture, type ZipkinSpanFixture } from '../src/receivers/thrift/fixtures.js';
import type { WireSpan } from './workload.js';

export type { WireSpan };

/** An encoded request body or datagram with the number of spans it carries. */
export interface EncodedBody {
  body: Buffer;
  spans: number;
}

/** The spans of one workload body (a Zipkin v2 JSON array). */
export function parseWireSpans(body: Buffer): WireSpan[] {
  return JSON.parse(body.toString('utf8')) as WireSpan[];
}

/**
 * Splits spans into lists of at most `max` spans that each come from one process (service and
 * address), keeping the order within a process: Jaeger Thrift Batches and agent datagrams carry a
 * single process, as a real client sends them.
 */
export function chunkByProcess(spans: readonly WireSpan[], max: number): WireSpan[][] {
  if (!Number.isSafeInteger(max) || max < 1) throw new Error(`chunkByProcess: max must be a positive integer, got ${max}`);
  const open = new Map<string, WireSpan[]>();
  const out: WireSpan[][] = [];
  for (const span of spans) {
    const key = `${span.localEndpoint.serviceName}\u0000${span.localEndpoint.ipv4}`;
    let chunk = open.get(key);
    if (chunk === undefined) {
      chunk = [];
      open.set(key, chunk);
      out.push(chunk);
    }
    chunk.push(span);
    if (chunk.length === max) open.delete(key);
  }
  return out;
}

/**
 * Encodes `spans` in bodies of at most `maxBytes`: a list that encodes too large is halved until
 * each half fits. Throws if a single span does not fit.
 */
export function encodeToFit(spans: readonly WireSpan[], encode: (spans: readonly WireSpan[]) => Buffer, maxBytes: number): EncodedBody[] {
  if (spans.length === 0) return [];
  const body = encode(spans);
  if (body.length <= maxBytes) return [{ body, spans: spans.length }];
  if (spans.length === 1) throw new Error(`encodeToFit: one span encodes to ${body.length} bytes, more than the limit of ${maxBytes}`);
  const half = Math.ceil(spans.length / 2);
  return [...encodeToFit(spans.slice(0, half), encode, maxBytes), ...encodeToFit(spans.slice(half), encode, maxBytes)];
}

/** "10.1.2.3" as the signed 32-bit integer Thrift and Zipkin v1 use. */
export function ipv4ToInt(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`ipv4ToInt: not an IPv4 address: ${JSON.stringify(text)}`);
  const [a, b, c, d] = parts as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) | 0;
}

const hexBytes = (hex: string): Buffer => Buffer.from(hex, 'hex');
const nanos = (us: number): string => (BigInt(us) * 1000n).toString();

/** Zipkin v2 proto3 `ListOfSpans` (POST /api/v2/spans, application/x-protobuf). */
export function encodeZipkinV2Proto(spans: readonly WireSpan[]): Buffer {
  const message = {
    spans: spans.map((s) => ({
      traceId: hexBytes(s.traceId), id: hexBytes(s.id), ...(s.parentId === undefined ? {} : { parentId: hexBytes(s.parentId) }),
      kind: s.kind === 'CLIENT' ? 1 : 2, name: s.name, timestamp: s.timestamp, duration: s.duration,
      localEndpoint: { serviceName: s.localEndpoint.serviceName, ipv4: Buffer.from(s.localEndpoint.ipv4.split('.').map(Number)) },
      tags: s.tags,
    })),
  };
  return Buffer.from(zipkin.proto3.ListOfSpans.encode(message).finish());
}

/** Zipkin v1 Thrift `list<Span>` (POST /api/v1/spans, application/x-thrift): cs/cr or sr/ss annotations, tags as string binary annotations. */
export function encodeZipkinV1Thrift(spans: readonly WireSpan[]): Buffer {
  // Apache Thrift writes each span; the list header (element type STRUCT = 12, i32 count) is
  // added here, because its transport slows down badly (GC) when a whole 1000-span list is
  // buffered as one message.
  const header = Buffer.alloc(5);
  header.writeUInt8(12, 0);
  header.writeInt32BE(spans.length, 1);
  return Buffer.concat([header, ...spans.map((s) => encodeZipkinSpan(zipkinV1Span(s)))]);
}

/** One workload span as a v1 span reported by one side of an RPC. */
function zipkinV1Span(s: WireSpan): ZipkinSpanFixture {
  const host = { ipv4: ipv4ToInt(s.localEndpoint.ipv4), port: 8080, service_name: s.localEndpoint.serviceName };
  const [begin, end] = s.kind === 'CLIENT' ? ['cs', 'cr'] : ['sr', 'ss'];
  return {
    trace_id: s.traceId.slice(16), trace_id_high: s.traceId.slice(0, 16), id: s.id, ...(s.parentId === undefined ? {} : { parent_id: s.parentId }),
    name: s.name, timestamp: s.timestamp, duration: s.duration,
    annotations: [{ timestamp: s.timestamp, value: begin, host }, { timestamp: s.timestamp + s.duration, value: end, host }],
    binary_annotations: Object.entries(s.tags).map(([key, value]) => ({ key, value: Buffer.from(value), annotation_type: 6, host })),
  };
}

/** A jaeger.thrift Batch of spans from one process (the first span's service and address). */
function jaegerBatch(spans: readonly WireSpan[]): BatchFixture {
  const first = spans[0];
  if (first === undefined) throw new Error('jaegerBatch: no spans');
  for (const s of spans) {
    if (s.localEndpoint.serviceName !== first.localEndpoint.serviceName || s.localEndpoint.ipv4 !== first.localEndpoint.ipv4) {
      throw new Error(`jaegerBatch: span ${s.id} is from ${s.localEndpoint.serviceName}@${s.localEndpoint.ipv4}, the batch from ${first.localEndpoint.serviceName}@${first.localEndpoint.ipv4} (use chunkByProcess)`);
    }
  }
  return {
    process: { serviceName: first.localEndpoint.serviceName, tags: [{ key: 'ip', vType: 0, vStr: first.localEndpoint.ipv4 }] },
    spans: spans.map((s) => ({
      traceIdLow: s.traceId.slice(16), traceIdHigh: s.traceId.slice(0, 16), spanId: s.id, parentSpanId: s.parentId ?? 0,
      operationName: s.name, flags: 1, startTime: s.timestamp, duration: s.duration,
      tags: [{ key: 'span.kind', vType: 0, vStr: s.kind.toLowerCase() }, ...Object.entries(s.tags).map(([key, vStr]) => ({ key, vType: 0, vStr }))],
    })),
  };
}

/** Jaeger collector binary Thrift `Batch` (POST /api/traces); all spans must share one process. */
export function encodeJaegerThriftBatch(spans: readonly WireSpan[]): Buffer {
  return encodeBatch(jaegerBatch(spans), 'binary');
}

/** One Jaeger agent `Agent.emitBatch` datagram in compact (6831) or binary (6832) Thrift; one process. */
export function encodeJaegerEmitBatch(spans: readonly WireSpan[], protocol: 'compact' | 'binary'): Buffer {
  return encodeEmitBatch(jaegerBatch(spans), protocol);
}

/** Jaeger api_v2 `PostSpansRequest` (gRPC 14250): each span names its own process. */
export function encodeJaegerProto(spans: readonly WireSpan[]): Buffer {
  const first = spans[0];
  if (first === undefined) throw new Error('encodeJaegerProto: no spans');
  const ts = (us: number) => ({ seconds: Math.floor(us / 1e6), nanos: (us % 1e6) * 1000 });
  const message = {
    batch: {
      process: { serviceName: first.localEndpoint.serviceName },
      spans: spans.map((s) => ({
        traceId: hexBytes(s.traceId), spanId: hexBytes(s.id), operationName: s.name,
        references: s.parentId === undefined ? [] : [{ traceId: hexBytes(s.traceId), spanId: hexBytes(s.parentId), refType: 0 }],
        flags: 1, startTime: ts(s.timestamp), duration: ts(s.duration),
        tags: [{ key: 'span.kind', vType: 0, vStr: s.kind.toLowerCase() }, ...Object.entries(s.tags).map(([key, vStr]) => ({ key, vType: 0, vStr }))],
        process: { serviceName: s.localEndpoint.serviceName, tags: [{ key: 'ip', vType: 0, vStr: s.localEndpoint.ipv4 }] },
      })),
    },
  };
  return Buffer.from(jaeger.api_v2.PostSpansRequest.encode(message as never).finish());
}

/** An OTLP ExportTraceServiceRequest object: one ResourceSpans per service, ids as bytes (protobuf) or hex (JSON). */
function otlpRequest(spans: readonly WireSpan[], ids: 'bytes' | 'hex') {
  const id = (h: string) => (ids === 'bytes' ? hexBytes(h) : h);
  const byService = new Map<string, WireSpan[]>();
  for (const s of spans) {
    const list = byService.get(s.localEndpoint.serviceName);
    if (list === undefined) byService.set(s.localEndpoint.serviceName, [s]);
    else list.push(s);
  }
  return {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'ariadne-bench' },
        spans: list.map((s) => ({
          traceId: id(s.traceId), spanId: id(s.id), ...(s.parentId === undefined ? {} : { parentSpanId: id(s.parentId) }),
          name: s.name, kind: s.kind === 'CLIENT' ? 3 : 2,
          startTimeUnixNano: nanos(s.timestamp), endTimeUnixNano: nanos(s.timestamp + s.duration),
          attributes: Object.entries(s.tags).map(([key, value]) => ({ key, value: { stringValue: value } })),
          status: s.tags['error'] === 'true' ? { code: 2 } : {},
        })),
      }],
    })),
  };
}

/** OTLP protobuf ExportTraceServiceRequest (HTTP 4318 application/x-protobuf, gRPC 4317). */
export function encodeOtlpProto(spans: readonly WireSpan[]): Buffer {
  return Buffer.from(opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.encode(otlpRequest(spans, 'bytes') as never).finish());
}

/** OTLP JSON ExportTraceServiceRequest (HTTP 4318 application/json): hex ids, int64 as strings. */
export function encodeOtlpJson(spans: readonly WireSpan[]): Buffer {
  return Buffer.from(JSON.stringify(otlpRequest(spans, 'hex')));
}
