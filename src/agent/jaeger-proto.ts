/**
 * Spans → `jaeger.api_v2.PostSpansRequest` bytes, for an agent forwarding to a collector's gRPC
 * port (14250). Tags, logs, references and processes follow the Jaeger query mapping
 * (src/query/jaeger/convert.ts), so a span reads back the same through either path. Every span
 * carries its own process: one batch may mix services.
 */
import { jaeger } from '../../proto/gen/jaeger.js';
import type { Span } from '../model/index.js';
import { toJaegerTrace } from '../query/jaeger/convert.js';
import type { JaegerKeyValue } from '../query/jaeger/types.js';

const { ValueType, SpanRefType } = jaeger.api_v2;

function idBytes(hex: string, bytes: number): Buffer {
  return Buffer.from(hex.padStart(bytes * 2, '0'), 'hex');
}

function timestamp(us: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(us / 1e6);
  return { seconds, nanos: (us - seconds * 1e6) * 1000 };
}

function keyValue(kv: JaegerKeyValue): jaeger.api_v2.KeyValue.$Properties {
  switch (kv.type) {
    case 'bool': return { key: kv.key, vType: ValueType.BOOL, vBool: kv.value === true };
    case 'int64': return { key: kv.key, vType: ValueType.INT64, vInt64: typeof kv.value === 'number' ? kv.value : Number(kv.value) };
    case 'float64': return { key: kv.key, vType: ValueType.FLOAT64, vFloat64: Number(kv.value) };
    case 'binary': return { key: kv.key, vType: ValueType.BINARY, vBinary: Buffer.from(String(kv.value), 'base64') };
    default: return { key: kv.key, vType: ValueType.STRING, vStr: String(kv.value) };
  }
}

/** Encodes spans (of any traces) as one PostSpansRequest. */
export function encodePostSpans(spans: readonly Span[]): Buffer {
  const converted = toJaegerTrace(spans, { adjustClockSkew: false, raw: true });
  const processes = new Map(Object.entries(converted.processes).map(([id, p]) => [id, { serviceName: p.serviceName, tags: p.tags.map(keyValue) }]));
  const out = converted.spans.map((s) => ({
    traceId: idBytes(s.traceID, 16),
    spanId: idBytes(s.spanID, 8),
    operationName: s.operationName,
    references: s.references.map((r) => ({
      traceId: idBytes(r.traceID, 16), spanId: idBytes(r.spanID, 8),
      refType: r.refType === 'FOLLOWS_FROM' ? SpanRefType.FOLLOWS_FROM : SpanRefType.CHILD_OF,
    })),
    flags: s.flags,
    startTime: timestamp(s.startTime),
    duration: timestamp(s.duration),
    tags: s.tags.map(keyValue),
    logs: s.logs.map((l) => ({ timestamp: timestamp(l.timestamp), fields: l.fields.map(keyValue) })),
    process: processes.get(s.processID),
  }));
  return Buffer.from(jaeger.api_v2.PostSpansRequest.encode({ batch: { spans: out } }).finish());
}
