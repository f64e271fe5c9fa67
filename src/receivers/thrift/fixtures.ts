/**
 * Test and benchmark fixtures: Jaeger Batches, Agent.emitBatch messages and Zipkin v1 span lists
 * encoded by Apache Thrift's own protocol writers (the `thrift` dev dependency), so the
 * hand-written readers are checked against an independent encoder. Not used at run time.
 */
import thrift from 'thrift';
import Int64 from 'node-int64';

const { Thrift, TBinaryProtocol, TBufferedTransport, TCompactProtocol } = thrift;
const T = Thrift.Type;

/** An i64 as a JS number (safe integers) or 16 hex chars (two's complement). */
export type I64 = number | string;

/** A jaeger.thrift Tag; absent optional fields are not written. */
export interface TagFixture {
  key: string;
  vType: number;
  vStr?: string;
  vDouble?: number;
  vBool?: boolean;
  vLong?: I64;
  vBinary?: Buffer;
}

/** A jaeger.thrift Span. */
export interface SpanFixture {
  traceIdLow: I64;
  traceIdHigh: I64;
  spanId: I64;
  parentSpanId: I64;
  operationName: string;
  references?: { refType: number; traceIdLow: I64; traceIdHigh: I64; spanId: I64 }[];
  flags: number;
  startTime: I64;
  duration: I64;
  tags?: TagFixture[];
  logs?: { timestamp: I64; fields: TagFixture[] }[];
}

/** A jaeger.thrift Batch. */
export interface BatchFixture {
  process: { serviceName: string; tags?: TagFixture[] };
  spans: SpanFixture[];
  seqNo?: I64;
}

/** A zipkinCore.thrift Endpoint. */
export interface EndpointFixture {
  ipv4?: number;
  port?: number;
  service_name?: string;
  ipv6?: Buffer;
}

/** A zipkinCore.thrift Span. */
export interface ZipkinSpanFixture {
  trace_id?: I64;
  trace_id_high?: I64;
  name?: string;
  id?: I64;
  parent_id?: I64;
  annotations?: { timestamp?: I64; value?: string; host?: EndpointFixture }[];
  binary_annotations?: { key?: string; value?: Buffer; annotation_type?: number; host?: EndpointFixture }[];
  debug?: boolean;
  timestamp?: I64;
  duration?: I64;
}

/** Which Apache Thrift protocol writes the fixture. */
export type FixtureProtocol = 'binary' | 'compact';

type Protocol = InstanceType<typeof TBinaryProtocol> | InstanceType<typeof TCompactProtocol>;

function encode(protocol: FixtureProtocol, write: (p: Protocol) => void): Buffer {
  let out = Buffer.alloc(0);
  const transport = new TBufferedTransport(undefined, (bytes?: Buffer) => {
    if (bytes) out = Buffer.concat([out, bytes]);
  });
  const p = protocol === 'binary' ? new TBinaryProtocol(transport) : new TCompactProtocol(transport);
  write(p);
  p.flush();
  return out;
}

function i64(value: I64): Int64 {
  return typeof value === 'number' ? new Int64(value) : new Int64(value);
}

function field(p: Protocol, name: string, type: number, id: number, write: () => void): void {
  p.writeFieldBegin(name, type, id);
  write();
  p.writeFieldEnd();
}

function list<E>(p: Protocol, elemType: number, items: readonly E[], write: (item: E) => void): void {
  p.writeListBegin(elemType, items.length);
  for (const item of items) write(item);
  p.writeListEnd();
}

function writeTag(p: Protocol, tag: TagFixture): void {
  p.writeStructBegin('Tag');
  field(p, 'key', T.STRING, 1, () => p.writeString(tag.key));
  field(p, 'vType', T.I32, 2, () => p.writeI32(tag.vType));
  if (tag.vStr !== undefined) field(p, 'vStr', T.STRING, 3, () => p.writeString(tag.vStr!));
  if (tag.vDouble !== undefined) field(p, 'vDouble', T.DOUBLE, 4, () => p.writeDouble(tag.vDouble!));
  if (tag.vBool !== undefined) field(p, 'vBool', T.BOOL, 5, () => p.writeBool(tag.vBool!));
  if (tag.vLong !== undefined) field(p, 'vLong', T.I64, 6, () => p.writeI64(i64(tag.vLong!)));
  if (tag.vBinary !== undefined) field(p, 'vBinary', T.STRING, 7, () => p.writeBinary(tag.vBinary!));
  p.writeFieldStop();
  p.writeStructEnd();
}

function writeSpan(p: Protocol, span: SpanFixture): void {
  p.writeStructBegin('Span');
  field(p, 'traceIdLow', T.I64, 1, () => p.writeI64(i64(span.traceIdLow)));
  field(p, 'traceIdHigh', T.I64, 2, () => p.writeI64(i64(span.traceIdHigh)));
  field(p, 'spanId', T.I64, 3, () => p.writeI64(i64(span.spanId)));
  field(p, 'parentSpanId', T.I64, 4, () => p.writeI64(i64(span.parentSpanId)));
  field(p, 'operationName', T.STRING, 5, () => p.writeString(span.operationName));
  if (span.references) {
    field(p, 'references', T.LIST, 6, () => list(p, T.STRUCT, span.references!, (ref) => {
      p.writeStructBegin('SpanRef');
      field(p, 'refType', T.I32, 1, () => p.writeI32(ref.refType));
      field(p, 'traceIdLow', T.I64, 2, () => p.writeI64(i64(ref.traceIdLow)));
      field(p, 'traceIdHigh', T.I64, 3, () => p.writeI64(i64(ref.traceIdHigh)));
      field(p, 'spanId', T.I64, 4, () => p.writeI64(i64(ref.spanId)));
      p.writeFieldStop();
      p.writeStructEnd();
    }));
  }
  field(p, 'flags', T.I32, 7, () => p.writeI32(span.flags));
  field(p, 'startTime', T.I64, 8, () => p.writeI64(i64(span.startTime)));
  field(p, 'duration', T.I64, 9, () => p.writeI64(i64(span.duration)));
  if (span.tags) field(p, 'tags', T.LIST, 10, () => list(p, T.STRUCT, span.tags!, (tag) => writeTag(p, tag)));
  if (span.logs) {
    field(p, 'logs', T.LIST, 11, () => list(p, T.STRUCT, span.logs!, (log) => {
      p.writeStructBegin('Log');
      field(p, 'timestamp', T.I64, 1, () => p.writeI64(i64(log.timestamp)));
      field(p, 'fields', T.LIST, 2, () => list(p, T.STRUCT, log.fields, (tag) => writeTag(p, tag)));
      p.writeFieldStop();
      p.writeStructEnd();
    }));
  }
  p.writeFieldStop();
  p.writeStructEnd();
}

function writeBatch(p: Protocol, batch: BatchFixture): void {
  p.writeStructBegin('Batch');
  field(p, 'process', T.STRUCT, 1, () => {
    p.writeStructBegin('Process');
    field(p, 'serviceName', T.STRING, 1, () => p.writeString(batch.process.serviceName));
    if (batch.process.tags) field(p, 'tags', T.LIST, 2, () => list(p, T.STRUCT, batch.process.tags!, (tag) => writeTag(p, tag)));
    p.writeFieldStop();
    p.writeStructEnd();
  });
  field(p, 'spans', T.LIST, 2, () => list(p, T.STRUCT, batch.spans, (span) => writeSpan(p, span)));
  if (batch.seqNo !== undefined) field(p, 'seqNo', T.I64, 3, () => p.writeI64(i64(batch.seqNo!)));
  p.writeFieldStop();
  p.writeStructEnd();
}

/** A Batch struct alone (the body of POST /api/traces when binary). */
export function encodeBatch(batch: BatchFixture, protocol: FixtureProtocol = 'binary'): Buffer {
  return encode(protocol, (p) => writeBatch(p, batch));
}

/** An Agent.emitBatch oneway message (one UDP datagram). `method` lets tests send other names. */
export function encodeEmitBatch(batch: BatchFixture, protocol: FixtureProtocol, method = 'emitBatch'): Buffer {
  return encode(protocol, (p) => {
    p.writeMessageBegin(method, Thrift.MessageType.ONEWAY, 1);
    p.writeStructBegin('Agent_emitBatch_args');
    field(p, 'batch', T.STRUCT, 1, () => writeBatch(p, batch));
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeMessageEnd();
  });
}

function writeEndpoint(p: Protocol, endpoint: EndpointFixture): void {
  p.writeStructBegin('Endpoint');
  if (endpoint.ipv4 !== undefined) field(p, 'ipv4', T.I32, 1, () => p.writeI32(endpoint.ipv4!));
  if (endpoint.port !== undefined) field(p, 'port', T.I16, 2, () => p.writeI16(endpoint.port!));
  if (endpoint.service_name !== undefined) field(p, 'service_name', T.STRING, 3, () => p.writeString(endpoint.service_name!));
  if (endpoint.ipv6 !== undefined) field(p, 'ipv6', T.STRING, 4, () => p.writeBinary(endpoint.ipv6!));
  p.writeFieldStop();
  p.writeStructEnd();
}

function writeZipkinSpan(p: Protocol, span: ZipkinSpanFixture): void {
  p.writeStructBegin('Span');
  if (span.trace_id !== undefined) field(p, 'trace_id', T.I64, 1, () => p.writeI64(i64(span.trace_id!)));
  if (span.name !== undefined) field(p, 'name', T.STRING, 3, () => p.writeString(span.name!));
  if (span.id !== undefined) field(p, 'id', T.I64, 4, () => p.writeI64(i64(span.id!)));
  if (span.parent_id !== undefined) field(p, 'parent_id', T.I64, 5, () => p.writeI64(i64(span.parent_id!)));
  if (span.annotations) {
    field(p, 'annotations', T.LIST, 6, () => list(p, T.STRUCT, span.annotations!, (a) => {
      p.writeStructBegin('Annotation');
      if (a.timestamp !== undefined) field(p, 'timestamp', T.I64, 1, () => p.writeI64(i64(a.timestamp!)));
      if (a.value !== undefined) field(p, 'value', T.STRING, 2, () => p.writeString(a.value!));
      if (a.host !== undefined) field(p, 'host', T.STRUCT, 3, () => writeEndpoint(p, a.host!));
      p.writeFieldStop();
      p.writeStructEnd();
    }));
  }
  if (span.binary_annotations) {
    field(p, 'binary_annotations', T.LIST, 8, () => list(p, T.STRUCT, span.binary_annotations!, (b) => {
      p.writeStructBegin('BinaryAnnotation');
      if (b.key !== undefined) field(p, 'key', T.STRING, 1, () => p.writeString(b.key!));
      if (b.value !== undefined) field(p, 'value', T.STRING, 2, () => p.writeBinary(b.value!));
      if (b.annotation_type !== undefined) field(p, 'annotation_type', T.I32, 3, () => p.writeI32(b.annotation_type!));
      if (b.host !== undefined) field(p, 'host', T.STRUCT, 4, () => writeEndpoint(p, b.host!));
      p.writeFieldStop();
      p.writeStructEnd();
    }));
  }
  if (span.debug !== undefined) field(p, 'debug', T.BOOL, 9, () => p.writeBool(span.debug!));
  if (span.timestamp !== undefined) field(p, 'timestamp', T.I64, 10, () => p.writeI64(i64(span.timestamp!)));
  if (span.duration !== undefined) field(p, 'duration', T.I64, 11, () => p.writeI64(i64(span.duration!)));
  if (span.trace_id_high !== undefined) field(p, 'trace_id_high', T.I64, 12, () => p.writeI64(i64(span.trace_id_high!)));
  p.writeFieldStop();
  p.writeStructEnd();
}

/** A binary-Thrift list<Span> (the body of POST /api/v1/spans with application/x-thrift). */
export function encodeZipkinSpans(spans: readonly ZipkinSpanFixture[]): Buffer {
  return encode('binary', (p) => list(p, T.STRUCT, spans, (span) => writeZipkinSpan(p, span)));
}

/** One binary-Thrift Span struct without a list header (older senders post single spans). */
export function encodeZipkinSpan(span: ZipkinSpanFixture): Buffer {
  return encode('binary', (p) => writeZipkinSpan(p, span));
}
