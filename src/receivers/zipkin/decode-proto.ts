/**
 * Zipkin v2 proto3 (POST /api/v2/spans, Content-Type application/x-protobuf: a
 * `zipkin.proto3.ListOfSpans`) → the internal span model, on protobufjs' static decoder.
 * Spec: https://github.com/openzipkin/zipkin-api/blob/master/zipkin.proto (copy in proto/zipkin/).
 * A span gives exactly what the v2 JSON decoder gives for the same span in JSON: the same
 * validation helpers run on the same values, ids as hex, addresses in their text form.
 */
import { AppError } from '../../errors.js';
import type { Endpoint, Span, SpanEvent, SpanKind } from '../../model/index.js';
import { zipkin } from '../../../proto/gen/zipkin.js';
import {
  buildZipkinV2Span,
  fieldPath,
  formatIpv6,
  missingTimestamp,
  readDuration,
  readEndpoint,
  readEventTime,
  readParentId,
  readSpanId,
  readTags,
  readTimestamp,
  readTraceId,
  reject,
} from './decode-common.js';

/** Payload format key of Zipkin v2 proto3 request bodies (also the key of their decoder). */
export const ZIPKIN_V2_PROTO = 'zipkin-v2-proto';

const { ListOfSpans } = zipkin.proto3;
const KINDS: readonly SpanKind[] = ['unspecified', 'client', 'server', 'producer', 'consumer'];

interface LongLike { toNumber(): number }
interface ProtoEndpoint { serviceName: string; ipv4: Uint8Array; ipv6: Uint8Array; port: number }
interface ProtoAnnotation { timestamp: LongLike | number; value: string }
interface ProtoSpan {
  traceId: Uint8Array; parentId: Uint8Array; id: Uint8Array; kind: number; name: string;
  timestamp: LongLike | number; duration: LongLike | number;
  localEndpoint: ProtoEndpoint | null; remoteEndpoint: ProtoEndpoint | null;
  annotations: ProtoAnnotation[]; tags: Record<string, string>; debug: boolean; shared: boolean;
}

/**
 * Decodes a ListOfSpans into spans, one per element, in order. Throws AppError INVALID_ARGUMENT for
 * bytes that are not such a message, and naming the span index and field on the first invalid
 * value (nothing is returned for a batch with any invalid span). Pure.
 */
export function decodeZipkinV2Proto(bytes: Buffer, tenant: string): Span[] {
  let list: ProtoSpan[];
  try {
    list = (ListOfSpans.decode(bytes) as unknown as { spans: ProtoSpan[] }).spans;
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `ListOfSpans: not a valid protobuf message: ${(err as Error).message}`, { cause: err });
  }
  const spans: Span[] = new Array<Span>(list.length);
  for (let i = 0; i < list.length; i++) spans[i] = decodeSpan(list[i]!, i, tenant);
  return spans;
}

function decodeSpan(raw: ProtoSpan, i: number, tenant: string): Span {
  const traceId = readTraceId(idHex(raw.traceId, i, 'traceId'), i);
  const spanId = readSpanId(idHex(raw.id, i, 'id'), i);
  let parentSpanId = readParentId(idHex(raw.parentId, i, 'parentId'), i);
  // A span cannot be its own parent; Zipkin drops such a parent id and so do we.
  if (parentSpanId === spanId) parentSpanId = undefined;
  const kind = KINDS[raw.kind];
  if (kind === undefined) return reject(fieldPath(i, 'kind'), 'one of CLIENT, SERVER, PRODUCER, CONSUMER', raw.kind);
  const durationUs = readDuration(toNumber(raw.duration), i);
  const localEndpoint = endpoint(raw.localEndpoint, i, 'localEndpoint');
  const remoteEndpoint = endpoint(raw.remoteEndpoint, i, 'remoteEndpoint');
  const events: SpanEvent[] = new Array<SpanEvent>(raw.annotations.length);
  for (let j = 0; j < raw.annotations.length; j++) {
    const annotation = raw.annotations[j]!;
    events[j] = { timeUs: readEventTime(toNumber(annotation.timestamp), i, j), name: annotation.value };
  }
  // The decoded map is ours alone: readTags keeps it as the attributes, as it does for JSON.
  const attributes = readTags(raw.tags, i);
  let shared = raw.shared;

  let startUs = readTimestamp(toNumber(raw.timestamp), i);
  if (startUs === 0) {
    if (events.length === 0) return missingTimestamp(i, 0);
    startUs = Number.MAX_SAFE_INTEGER;
    for (const event of events) if (event.timeUs < startUs) startUs = event.timeUs;
  }
  // "shared" describes the server half of an RPC; on a client span it is a sender bug (Zipkin clears it too).
  if (shared && kind === 'client') shared = false;

  return buildZipkinV2Span({
    traceId, spanId, parentSpanId, kind, name: raw.name, startUs, durationUs, localEndpoint, remoteEndpoint, attributes, events,
    shared, debug: raw.debug, tenant,
  });
}

function toNumber(value: LongLike | number): number {
  return typeof value === 'number' ? value : value.toNumber();
}

/** Id bytes as hex; the JSON helpers then check width and zeros. Absent is "" (an error for required ids). */
function idHex(bytes: Uint8Array, i: number, field: string): string {
  if (bytes.length > 16) return reject(fieldPath(i, field), '8 or 16 bytes', `${bytes.length} bytes`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function endpoint(raw: ProtoEndpoint | null, i: number, field: string): Endpoint | undefined {
  if (raw === null) return undefined;
  const json: Record<string, unknown> = { serviceName: raw.serviceName, port: raw.port };
  if (raw.ipv4.length > 0) {
    if (raw.ipv4.length !== 4) return reject(`${fieldPath(i, field)}.ipv4`, '4 bytes', `${raw.ipv4.length} bytes`);
    json['ipv4'] = raw.ipv4.join('.');
  }
  if (raw.ipv6.length > 0) {
    if (raw.ipv6.length !== 16) return reject(`${fieldPath(i, field)}.ipv6`, '16 bytes', `${raw.ipv6.length} bytes`);
    json['ipv6'] = formatIpv6(raw.ipv6);
  }
  return readEndpoint(json, i, field);
}

