/**
 * Jaeger protobuf (`jaeger.api_v2.PostSpansRequest`, the body of gRPC
 * `CollectorService/PostSpans` on :14250) → the internal span model, on protobufjs' static decoder.
 * IDL: https://github.com/jaegertracing/jaeger-idl/blob/main/proto/api_v2/model.proto (copy in proto/jaeger/).
 *
 * Mapping, the same as the Thrift decoders': a span's own process, else the batch's, gives
 * `service` (its service_name) and `resource` (its other tags, shared by the spans of one process);
 * tag types are kept (INT64 → number, or decimal string beyond 2^53; FLOAT64 → number; BOOL →
 * boolean; BINARY → base64); `span.kind` → kind (not kept as a tag); `error` true → failed status
 * (tag kept); `otel.status_code` / `otel.status_description` → status code and message (not kept);
 * `peer.service` → remote endpoint too; logs → events named by their `event` field, else "log";
 * references → links, the first CHILD_OF of the same trace being the parent; flags bit 2 → debug.
 * Trace ids are 16 bytes (8-byte ids are left-padded), span ids 8 bytes. The batch is all or
 * nothing: an invalid span rejects it, naming the span.
 */
import { AppError } from '../../errors.js';
import type { AttributeValue, Attributes, Span, SpanEvent, SpanLink } from '../../model/index.js';
import { jaeger } from '../../../proto/gen/jaeger.js';
import { MAX_DURATION_US, MAX_TIMESTAMP_US, MIN_TIMESTAMP_US } from '../zipkin/decode-common.js';
import { SpanTags, buildSpan, setAttribute, splitReferences } from './span-fields.js';

/** Payload format key of Jaeger api_v2 PostSpansRequest messages (also the key of their decoder). */
export const JAEGER_PROTO = 'jaeger-proto';

const { PostSpansRequest } = jaeger.api_v2;
const ZERO_ID = '0000000000000000';

/* Shapes of the decoded messages this file reads (protobufjs: unset scalars read as defaults). */
interface LongLike { low: number; high: number; toNumber(): number; toString(): string }
interface KeyValue { key: string; vType: number; vStr: string; vBool: boolean; vInt64: LongLike | number; vFloat64: number; vBinary: Uint8Array }
interface Process { serviceName: string; tags: KeyValue[] }
interface Timestamp { seconds: LongLike | number; nanos: number }
interface Log { timestamp: Timestamp | null; fields: KeyValue[] }
interface SpanRef { traceId: Uint8Array; spanId: Uint8Array; refType: number }
interface ProtoSpan {
  traceId: Uint8Array; spanId: Uint8Array; operationName: string; references: SpanRef[]; flags: number;
  startTime: Timestamp | null; duration: Timestamp | null; tags: KeyValue[]; logs: Log[]; process: Process | null;
}
interface Batch { spans: ProtoSpan[]; process: Process | null }

/**
 * Decodes a PostSpansRequest into spans, in order. Throws AppError INVALID_ARGUMENT for bytes that
 * are not such a message and for the first invalid span (`batch.spans[3].traceId: ...`). Pure.
 */
export function decodeJaegerProto(bytes: Buffer, tenant: string): Span[] {
  let batch: Batch | null | undefined;
  try {
    batch = (PostSpansRequest.decode(bytes) as unknown as { batch: Batch | null }).batch;
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `PostSpansRequest: not a valid protobuf message: ${(err as Error).message}`, { cause: err });
  }
  if (batch === null || batch === undefined) return [];
  const processes = new Map<Process, { service: string; resource: Attributes }>();
  const processOf = (process: Process | null, path: string) => {
    if (process === null) return undefined;
    let converted = processes.get(process);
    if (converted === undefined) {
      const resource: Attributes = {};
      for (let k = 0; k < process.tags.length; k++) {
        const tag = process.tags[k]!;
        // service.name is the span's service already; keeping it would repeat it in reads.
        if (tag.key !== 'service.name') setAttribute(resource, tag.key, tagValue(tag, `${path}.tags[${k}]`));
      }
      converted = { service: process.serviceName === '' ? 'unknown' : process.serviceName, resource };
      processes.set(process, converted);
    }
    return converted;
  };
  const batchProcess = processOf(batch.process, 'batch.process');
  const spans: Span[] = new Array<Span>(batch.spans.length);
  for (let i = 0; i < batch.spans.length; i++) {
    const raw = batch.spans[i]!;
    const path = `batch.spans[${i}]`;
    const process = processOf(raw.process, `${path}.process`) ?? batchProcess;
    if (process === undefined) throw new AppError('INVALID_ARGUMENT', `${path}.process: required when the batch has no process`);
    spans[i] = decodeSpan(raw, path, tenant, process);
  }
  return spans;
}

function decodeSpan(raw: ProtoSpan, path: string, tenant: string, process: { service: string; resource: Attributes }): Span {
  const traceId = traceIdOf(raw.traceId, `${path}.traceId`);
  const spanId = spanIdOf(raw.spanId, `${path}.spanId`);
  const startUs = timestampUs(raw.startTime, `${path}.startTime`);
  if (!(startUs >= MIN_TIMESTAMP_US && startUs < MAX_TIMESTAMP_US)) {
    throw new AppError('INVALID_ARGUMENT', `${path}.startTime: expected a time between 2000-01-01 and 2100-01-01, got ${startUs} µs`);
  }
  const durationUs = timestampUs(raw.duration, `${path}.duration`);
  if (!(durationUs >= 0 && durationUs <= MAX_DURATION_US)) {
    throw new AppError('INVALID_ARGUMENT', `${path}.duration: expected between 0 and 1e12 µs, got ${durationUs} µs`);
  }

  const tags = new SpanTags();
  for (let k = 0; k < raw.tags.length; k++) {
    const tag = raw.tags[k]!;
    tags.add(tag.key, tagValue(tag, `${path}.tags[${k}]`));
  }

  const events: SpanEvent[] = new Array<SpanEvent>(raw.logs.length);
  for (let k = 0; k < raw.logs.length; k++) events[k] = decodeLog(raw.logs[k]!, `${path}.logs[${k}]`);

  const refs: SpanLink[] = new Array<SpanLink>(raw.references.length);
  for (let k = 0; k < raw.references.length; k++) {
    const ref = raw.references[k]!;
    refs[k] = {
      traceId: traceIdOf(ref.traceId, `${path}.references[${k}].traceId`),
      spanId: spanIdOf(ref.spanId, `${path}.references[${k}].spanId`),
      type: ref.refType === 1 ? 'follows_from' : 'child_of',
    };
  }
  const { parentSpanId, links } = splitReferences(refs, { traceId, spanId, parentSpanId: undefined });
  return buildSpan({
    traceId, spanId, parentSpanId, name: raw.operationName, service: process.service, startUs, durationUs, flags: raw.flags,
    events, links, resource: process.resource, tenant,
  }, tags);
}

function decodeLog(log: Log, path: string): SpanEvent {
  const timeUs = timestampUs(log.timestamp, `${path}.timestamp`);
  if (!(timeUs >= MIN_TIMESTAMP_US && timeUs < MAX_TIMESTAMP_US)) {
    throw new AppError('INVALID_ARGUMENT', `${path}.timestamp: expected a time between 2000-01-01 and 2100-01-01, got ${timeUs} µs`);
  }
  let name = 'log';
  let named = false;
  let attributes: Attributes | undefined;
  for (let j = 0; j < log.fields.length; j++) {
    const field = log.fields[j]!;
    const value = tagValue(field, `${path}.fields[${j}]`);
    if (!named && field.key === 'event' && typeof value === 'string') {
      name = value;
      named = true;
      continue;
    }
    if (attributes === undefined) attributes = {};
    setAttribute(attributes, field.key, value);
  }
  return attributes === undefined ? { timeUs, name } : { timeUs, name, attributes };
}

/** A KeyValue's value by its declared type. */
function tagValue(tag: KeyValue, path: string): AttributeValue {
  switch (tag.vType) {
    case 0:
      return tag.vStr;
    case 1:
      return tag.vBool;
    case 2: {
      const v = tag.vInt64;
      if (typeof v === 'number') return v;
      const n = v.toNumber();
      return Number.isSafeInteger(n) ? n : v.toString();
    }
    case 3:
      return Number.isFinite(tag.vFloat64) ? tag.vFloat64 : String(tag.vFloat64);
    case 4: {
      const b = tag.vBinary;
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
    }
    default:
      throw new AppError('INVALID_ARGUMENT', `${path}.vType: expected one of STRING, BOOL, INT64, FLOAT64, BINARY, got ${tag.vType}`);
  }
}

/** google.protobuf.Timestamp / Duration → µs (nanos rounded down); absent is 0. */
function timestampUs(value: Timestamp | null, path: string): number {
  if (value === null) return 0;
  const seconds = typeof value.seconds === 'number' ? value.seconds : value.seconds.toNumber();
  const nanos = value.nanos;
  if (!Number.isSafeInteger(seconds) || Math.abs(seconds) > 1e11 || nanos < -999_999_999 || nanos > 999_999_999) {
    throw new AppError('INVALID_ARGUMENT', `${path}: expected seconds within ±1e11 and nanos within ±999999999, got ${seconds} s ${nanos} ns`);
  }
  return seconds * 1_000_000 + Math.floor(nanos / 1000);
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function traceIdOf(bytes: Uint8Array, path: string): string {
  if (bytes.length === 16 || bytes.length === 8) {
    const hex = hexOf(bytes).padStart(32, '0');
    if (hex !== ZERO_ID + ZERO_ID) return hex;
  }
  throw new AppError('INVALID_ARGUMENT', `${path}: expected 16 bytes (or 8), not all zeros, got ${describe(bytes)}`);
}

function spanIdOf(bytes: Uint8Array, path: string): string {
  if (bytes.length === 8) {
    const hex = hexOf(bytes);
    if (hex !== ZERO_ID) return hex;
  }
  throw new AppError('INVALID_ARGUMENT', `${path}: expected 8 bytes, not all zeros, got ${describe(bytes)}`);
}

function describe(bytes: Uint8Array): string {
  return bytes.length === 0 ? 'none' : `${bytes.length} bytes ${hexOf(bytes.subarray(0, 16))}`;
}


