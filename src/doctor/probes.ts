/**
 * One small test trace per receiver, encoded in that receiver's own wire format: a single span of
 * service "ariadne-doctor" whose trace id is fresh per probe, so each read-back proves one path.
 */
import { opentelemetry } from '../../proto/gen/otlp.js';
import { encodePostSpans } from '../agent/jaeger-proto.js';
import type { Span } from '../model/index.js';
import { BinaryWriter, CompactWriter, MESSAGE_ONEWAY, T_I32, T_I64, T_LIST, T_STRING, T_STRUCT } from '../receivers/thrift/index.js';

/** The service name every probe span carries. */
export const DOCTOR_SERVICE = 'ariadne-doctor';

/** The span a probe sends. */
export interface ProbeSpan {
  /** 32 hex chars, the high half zero so 64-bit-only senders can carry it too. */
  traceId: string;
  spanId: string;
  name: string;
  startUs: number;
  durationUs: number;
}

/** A fresh probe span for `name`, ending now. */
export function probeSpan(name: string, nowMs = Date.now()): ProbeSpan {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const low = `d0c7${hex(12)}`;
  return { traceId: `${'0'.repeat(16)}${low}`, spanId: `${hex(15)}1`, name, startUs: nowMs * 1000 - 1500, durationUs: 1000 };
}

/** Zipkin v2 JSON body. */
export function zipkinJson(s: ProbeSpan): string {
  return JSON.stringify([{
    traceId: s.traceId.slice(16), id: s.spanId, name: s.name, kind: 'SERVER', timestamp: s.startUs, duration: s.durationUs,
    localEndpoint: { serviceName: DOCTOR_SERVICE }, tags: { 'doctor.probe': s.name },
  }]);
}

function otlpRequest(s: ProbeSpan, ids: 'hex' | 'bytes') {
  const id = (h: string) => (ids === 'hex' ? h : Buffer.from(h, 'hex'));
  const nanos = (us: number) => (BigInt(us) * 1000n).toString();
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: DOCTOR_SERVICE } }] },
      scopeSpans: [{
        scope: { name: 'ariadne-doctor' },
        spans: [{
          traceId: id(s.traceId), spanId: id(s.spanId), name: s.name, kind: 2,
          startTimeUnixNano: nanos(s.startUs), endTimeUnixNano: nanos(s.startUs + s.durationUs),
          attributes: [{ key: 'doctor.probe', value: { stringValue: s.name } }],
        }],
      }],
    }],
  };
}

/** OTLP/HTTP JSON body (hex ids, as the OTLP JSON mapping asks). */
export function otlpJson(s: ProbeSpan): string {
  return JSON.stringify(otlpRequest(s, 'hex'));
}

/** OTLP protobuf ExportTraceServiceRequest (gRPC message or OTLP/HTTP protobuf body). */
export function otlpProto(s: ProbeSpan): Buffer {
  const { ExportTraceServiceRequest } = opentelemetry.proto.collector.trace.v1;
  const request = otlpRequest(s, 'bytes') as unknown as Parameters<typeof ExportTraceServiceRequest.encode>[0];
  return Buffer.from(ExportTraceServiceRequest.encode(request).finish());
}

function asSpan(s: ProbeSpan): Span {
  return {
    traceId: s.traceId, spanId: s.spanId, kind: 'server', name: s.name, service: DOCTOR_SERVICE, startUs: s.startUs,
    durationUs: s.durationUs, statusCode: 'unset', attributes: { 'doctor.probe': s.name }, events: [], links: [], resource: {}, tenant: '',
  };
}

/** jaeger.api_v2 PostSpansRequest for the collector's gRPC port. */
export function jaegerProto(s: ProbeSpan): Buffer {
  return encodePostSpans([asSpan(s)]);
}

function writeI64Hex(w: BinaryWriter, hex16: string): void {
  w.writeI64(Number.parseInt(hex16.slice(0, 8), 16) | 0, Number.parseInt(hex16.slice(8), 16));
}

function writeBatch(w: BinaryWriter, s: ProbeSpan): void {
  w.writeFieldBegin(T_STRUCT, 1); // process
  w.writeFieldBegin(T_STRING, 1);
  w.writeString(DOCTOR_SERVICE);
  w.writeFieldStop();
  w.writeFieldBegin(T_LIST, 2); // spans
  w.writeListBegin(T_STRUCT, 1);
  w.writeFieldBegin(T_I64, 1);
  writeI64Hex(w, s.traceId.slice(16));
  w.writeFieldBegin(T_I64, 2);
  writeI64Hex(w, s.traceId.slice(0, 16));
  w.writeFieldBegin(T_I64, 3);
  writeI64Hex(w, s.spanId);
  w.writeFieldBegin(T_I64, 4);
  w.writeI64(0, 0);
  w.writeFieldBegin(T_STRING, 5);
  w.writeString(s.name);
  w.writeFieldBegin(T_I32, 7);
  w.writeI32(1);
  w.writeFieldBegin(T_I64, 8);
  w.writeI64(Math.floor(s.startUs / 2 ** 32), s.startUs % 2 ** 32);
  w.writeFieldBegin(T_I64, 9);
  w.writeI64(0, s.durationUs);
  w.writeFieldStop();
  w.writeFieldStop();
}

/** Binary-Thrift jaeger.Batch, the body of POST /api/traces. */
export function jaegerThriftBatch(s: ProbeSpan): Buffer {
  const w = new BinaryWriter();
  writeBatch(w, s);
  return Buffer.from(w.bytes());
}

/** One binary-Thrift Agent.emitBatch datagram, as Jaeger clients send to UDP 6832. */
export function jaegerAgentBinary(s: ProbeSpan): Buffer {
  const w = new BinaryWriter();
  w.writeI32(0x80010000 | MESSAGE_ONEWAY);
  w.writeString('emitBatch');
  w.writeI32(1);
  w.writeFieldBegin(T_STRUCT, 1);
  writeBatch(w, s);
  w.writeFieldStop();
  return Buffer.from(w.bytes());
}

/** One compact-Thrift Agent.emitBatch datagram, as Jaeger clients send to UDP 6831 by default. */
export function jaegerAgentCompact(s: ProbeSpan): Buffer {
  const w = new CompactWriter();
  const i64 = (hex16: string) => BigInt.asIntN(64, BigInt(`0x${hex16}`));
  w.writeMessageBegin('emitBatch', MESSAGE_ONEWAY, 1);
  w.structBegin(); // emitBatch args
  w.writeFieldBegin(T_STRUCT, 1);
  w.structBegin(); // Batch
  w.writeFieldBegin(T_STRUCT, 1);
  w.structBegin(); // Process
  w.writeFieldBegin(T_STRING, 1);
  w.writeString(DOCTOR_SERVICE);
  w.structEnd();
  w.writeFieldBegin(T_LIST, 2);
  w.writeListBegin(T_STRUCT, 1);
  w.structBegin(); // Span
  w.writeFieldBegin(T_I64, 1);
  w.writeI64(i64(s.traceId.slice(16)));
  w.writeFieldBegin(T_I64, 2);
  w.writeI64(i64(s.traceId.slice(0, 16)));
  w.writeFieldBegin(T_I64, 3);
  w.writeI64(i64(s.spanId));
  w.writeFieldBegin(T_I64, 4);
  w.writeI64(0n);
  w.writeFieldBegin(T_STRING, 5);
  w.writeString(s.name);
  w.writeFieldBegin(T_I32, 7);
  w.writeI32(1);
  w.writeFieldBegin(T_I64, 8);
  w.writeI64(BigInt(s.startUs));
  w.writeFieldBegin(T_I64, 9);
  w.writeI64(BigInt(s.durationUs));
  w.structEnd();
  w.structEnd(); // Batch
  w.structEnd(); // args
  return w.bytes();
}
