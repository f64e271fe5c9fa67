/**
 * Jaeger Thrift to the internal span model: the collector's `POST /api/traces` body (a binary
 * Thrift `Batch`) and the agent's UDP datagrams (an `Agent.emitBatch` oneway message, compact or
 * binary protocol). IDL: https://github.com/jaegertracing/jaeger-idl/blob/main/thrift/jaeger.thrift
 * and agent.thrift (copies in idl/jaeger/).
 *
 * Mapping (Jaeger's own conventions): the process's service name → `service`, its other tags →
 * `resource` (shared by the spans of a batch); tag types are kept (LONG → number, or decimal string
 * beyond 2^53; DOUBLE → number; BOOL → boolean; BINARY → base64); `span.kind` → kind (not kept as
 * a tag); `error` true → failed status (tag kept); `otel.status_code` / `otel.status_description`
 * → status code and message (not kept); `peer.service` → remote endpoint too; logs → events named
 * by their `event` field, else "log"; references → links, the first CHILD_OF of the same trace
 * being the parent when parentSpanId is 0; flags bit 2 → debug.
 * Required fields of the IDL are required here too, as Jaeger's generated readers require them.
 */
import { AppError } from '../../errors.js';
import type { Attributes, AttributeValue, Span, SpanEvent, SpanLink } from '../../model/index.js';
import { MAX_DURATION_US, MAX_TIMESTAMP_US, MIN_TIMESTAMP_US } from '../zipkin/decode-common.js';
import { SpanTags, buildSpan, setAttribute, splitReferences } from './span-fields.js';
import {
  BinaryReader,
  BinaryWriter,
  CompactReader,
  MESSAGE_CALL,
  MESSAGE_ONEWAY,
  T_BOOL,
  T_DOUBLE,
  T_I32,
  T_I64,
  T_LIST,
  T_STOP,
  T_STRING,
  T_STRUCT,
  ThriftError,
  transcodeStruct,
  type ThriftReader,
} from '../thrift/index.js';

/** Payload format key of `POST /api/traces` bodies: a binary-Thrift Batch. */
export const JAEGER_THRIFT_BATCH = 'jaeger-thrift-binary';
/** Payload format key of agent datagrams on 6831: Agent.emitBatch in the compact protocol. */
export const JAEGER_AGENT_COMPACT = 'jaeger-agent-compact';
/** Payload format key of agent datagrams on 6832: Agent.emitBatch in the binary protocol. */
export const JAEGER_AGENT_BINARY = 'jaeger-agent-binary';

/**
 * Decodes a binary-Thrift Batch (the body of POST /api/traces). Pure; throws AppError
 * INVALID_ARGUMENT naming the span and field (or the byte offset of malformed Thrift).
 */
export function decodeJaegerThriftBatch(bytes: Buffer, tenant: string): Span[] {
  const decoder = new BatchDecoder(new BinaryReader(bytes), tenant);
  return decoder.run(() => decoder.readBatch());
}

/** Decodes a compact-Thrift Agent.emitBatch datagram (port 6831). Pure; errors as decodeJaegerThriftBatch. */
export function decodeJaegerAgentCompact(bytes: Buffer, tenant: string): Span[] {
  return decodeAgentMessage(new CompactReader(bytes), tenant);
}

/** Decodes a binary-Thrift Agent.emitBatch datagram (port 6832). Pure; errors as decodeJaegerThriftBatch. */
export function decodeJaegerAgentBinary(bytes: Buffer, tenant: string): Span[] {
  return decodeAgentMessage(new BinaryReader(bytes), tenant);
}

/**
 * The Batch of an Agent.emitBatch datagram as a binary-Thrift body for a collector's
 * POST /api/traces (what decodeJaegerThriftBatch reads): compact batches are transcoded, binary
 * ones copied out. Checks the envelope only; the collector validates the spans.
 */
export function agentBatchToCollectorBody(datagram: Buffer, protocol: 'compact' | 'binary'): Buffer {
  const reader = protocol === 'compact' ? new CompactReader(datagram) : new BinaryReader(datagram);
  try {
    readAgentEnvelope(reader);
    reader.structBegin();
    let body: Buffer | undefined;
    for (let type = reader.readFieldBegin(); type !== T_STOP; type = reader.readFieldBegin()) {
      if (reader.fieldId === 1 && type === T_STRUCT && body === undefined) {
        if (reader instanceof CompactReader) {
          const writer = new BinaryWriter(datagram.length * 2);
          transcodeStruct(reader, writer);
          body = Buffer.from(writer.bytes());
        } else {
          const start = reader.pos;
          reader.skip(T_STRUCT);
          body = Buffer.from(datagram.subarray(start, reader.pos));
        }
      } else {
        reader.skip(type);
      }
    }
    reader.structEnd();
    if (body === undefined) throw new AppError('INVALID_ARGUMENT', 'emitBatch: the batch argument (field 1) is missing');
    return body;
  } catch (err) {
    if (err instanceof ThriftError) throw new AppError('INVALID_ARGUMENT', `emitBatch: ${err.message}`);
    throw err;
  }
}

function decodeAgentMessage(reader: ThriftReader, tenant: string): Span[] {
  const decoder = new BatchDecoder(reader, tenant);
  return decoder.run(() => {
    readAgentEnvelope(reader);
    let spans: Span[] | undefined;
    reader.structBegin();
    for (let type = reader.readFieldBegin(); type !== T_STOP; type = reader.readFieldBegin()) {
      if (reader.fieldId === 1 && type === T_STRUCT && spans === undefined) spans = decoder.readBatch();
      else reader.skip(type);
    }
    reader.structEnd();
    if (spans === undefined) throw new AppError('INVALID_ARGUMENT', 'emitBatch: the batch argument (field 1) is missing');
    return spans;
  });
}

/** Reads the message header and checks it is an Agent.emitBatch call. */
function readAgentEnvelope(reader: ThriftReader): void {
  const { name, type } = reader.readMessageBegin();
  if (name !== 'emitBatch') {
    if (name === 'emitZipkinBatch') {
      throw new AppError('INVALID_ARGUMENT', 'Agent.emitZipkinBatch is not supported (Jaeger removed it): send Agent.emitBatch, or Zipkin spans to /api/v2/spans');
    }
    throw new AppError('INVALID_ARGUMENT', `unknown Agent method ${JSON.stringify(name.slice(0, 64))}: expected emitBatch`);
  }
  if (type !== MESSAGE_ONEWAY && type !== MESSAGE_CALL) {
    throw new AppError('INVALID_ARGUMENT', `emitBatch: expected a oneway or call message, got message type ${type}`);
  }
}

const TAG_TYPES = 'STRING, DOUBLE, BOOL, LONG, BINARY';
const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;
const ZERO_ID = '0000000000000000';

/** Span-level required fields, as bits of a mask (IDL field id → bit). */
const SPAN_REQUIRED = [
  [1, 'traceIdLow'], [2, 'traceIdHigh'], [3, 'spanId'], [4, 'parentSpanId'], [5, 'operationName'],
  [7, 'flags'], [8, 'startTime'], [9, 'duration'],
] as const;
const SPAN_REQUIRED_MASK = SPAN_REQUIRED.reduce((mask, [id]) => mask | (1 << id), 0);

/**
 * Decodes one Batch with a reader of either protocol. The position counters say where the
 * decoder is, so a malformed-Thrift error can name the span, log and tag it happened in.
 */
class BatchDecoder {
  private spanIndex = -1;
  private inProcess = false;
  private logIndex = -1;
  private tagIndex = -1;
  private refIndex = -1;
  // The tag read last (readTag's result, kept in fields to avoid an object per tag).
  private tagKey = '';
  private tagValue: AttributeValue = '';

  constructor(private readonly r: ThriftReader, private readonly tenant: string) {}

  /** Runs a decode, prefixing reader errors with the place they happened. */
  run(body: () => Span[]): Span[] {
    try {
      return body();
    } catch (err) {
      if (err instanceof ThriftError) throw new AppError('INVALID_ARGUMENT', `${this.where()}: ${err.message}`);
      if (err instanceof AppError) throw err;
      throw new AppError('INVALID_ARGUMENT', `${this.where()}: ${(err as Error).message}`, { cause: err });
    }
  }

  readBatch(): Span[] {
    const r = this.r;
    let spans: Span[] | undefined;
    let service: string | undefined;
    let resource: Attributes = NO_ATTRIBUTES;
    r.structBegin();
    for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
      if (r.fieldId === 1 && type === T_STRUCT) {
        this.inProcess = true;
        const process = this.readProcess();
        service = process.service;
        resource = process.resource;
        this.inProcess = false;
      } else if (r.fieldId === 2 && type === T_LIST) {
        spans = this.readSpans();
      } else {
        r.skip(type);
      }
    }
    r.structEnd();
    if (service === undefined) throw new AppError('INVALID_ARGUMENT', 'batch.process: required field is missing');
    if (spans === undefined) throw new AppError('INVALID_ARGUMENT', 'batch.spans: required field is missing');
    // The process may come after the spans on the wire, so it is applied once both are read.
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      span.service = service;
      span.resource = resource;
    }
    return spans;
  }

  private readProcess(): { service: string; resource: Attributes } {
    const r = this.r;
    let service: string | undefined;
    let resource: Attributes = {};
    r.structBegin();
    for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
      if (r.fieldId === 1 && type === T_STRING) {
        service = r.readString();
      } else if (r.fieldId === 2 && type === T_LIST && this.structList()) {
        const size = this.listSize;
        for (let j = 0; j < size; j++) {
          this.tagIndex = j;
          this.readTag();
          // service.name is the span's service already; keeping it would repeat it in reads.
          if (this.tagKey !== 'service.name') setAttribute(resource, this.tagKey, this.tagValue);
        }
        this.tagIndex = -1;
      } else {
        r.skip(type);
      }
    }
    r.structEnd();
    if (service === undefined) throw new AppError('INVALID_ARGUMENT', 'batch.process.serviceName: required field is missing');
    if (Object.keys(resource).length === 0) resource = NO_ATTRIBUTES;
    return { service: service === '' ? 'unknown' : service, resource };
  }

  private listSize = 0;

  /** Reads a list header; true when its elements are structs, else skips the list and returns false. */
  private structList(): boolean {
    const r = this.r;
    const size = r.readListBegin();
    const elem = r.elemType;
    if (elem === T_STRUCT) {
      this.listSize = size;
      return true;
    }
    for (let k = 0; k < size; k++) r.skip(elem);
    return false;
  }

  private readSpans(): Span[] {
    const r = this.r;
    const size = r.readListBegin();
    const elem = r.elemType;
    if (elem !== T_STRUCT) {
      throw new AppError('INVALID_ARGUMENT', `batch.spans: expected a list of Span structs, got element type ${elem}`);
    }
    const spans: Span[] = new Array<Span>(size);
    for (let i = 0; i < size; i++) {
      this.spanIndex = i;
      spans[i] = this.readSpan(i);
    }
    this.spanIndex = -1;
    return spans;
  }

  private readSpan(i: number): Span {
    const r = this.r;
    let seen = 0;
    let traceLow = ZERO_ID;
    let traceHigh = ZERO_ID;
    let spanId = ZERO_ID;
    let parentId = ZERO_ID;
    let name = '';
    let flags = 0;
    let startUs = 0;
    let durationUs = 0;
    const tags = new SpanTags();
    let events: SpanEvent[] = [];
    let refs: SpanLink[] | undefined;

    r.structBegin();
    for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
      const id = r.fieldId;
      switch (id) {
        case 1:
        case 2:
        case 3:
        case 4:
          if (type !== T_I64) break;
          seen |= 1 << id;
          if (id === 1) traceLow = r.readI64Hex();
          else if (id === 2) traceHigh = r.readI64Hex();
          else if (id === 3) spanId = r.readI64Hex();
          else parentId = r.readI64Hex();
          continue;
        case 5:
          if (type !== T_STRING) break;
          seen |= 1 << 5;
          name = r.readString();
          continue;
        case 6:
          if (type !== T_LIST) break;
          if (this.structList()) refs = this.readRefs(i, this.listSize);
          continue;
        case 7:
          if (type !== T_I32) break;
          seen |= 1 << 7;
          flags = r.readI32();
          continue;
        case 8:
        case 9:
          if (type !== T_I64) break;
          seen |= 1 << id;
          if (id === 8) startUs = r.readI64();
          else durationUs = r.readI64();
          continue;
        case 10: {
          if (type !== T_LIST) break;
          if (!this.structList()) continue;
          const size = this.listSize;
          for (let j = 0; j < size; j++) {
            this.tagIndex = j;
            this.readTag();
            tags.add(this.tagKey, this.tagValue);
          }
          this.tagIndex = -1;
          continue;
        }
        case 11:
          if (type !== T_LIST) break;
          if (this.structList()) events = this.readLogs(i, this.listSize);
          continue;
      }
      r.skip(type);
    }
    r.structEnd();

    if ((seen & SPAN_REQUIRED_MASK) !== SPAN_REQUIRED_MASK) {
      const missing = SPAN_REQUIRED.find(([id]) => (seen & (1 << id)) === 0)!;
      throw new AppError('INVALID_ARGUMENT', `span[${i}].${missing[1]}: required field is missing`);
    }
    const traceId = traceHigh + traceLow;
    if (traceLow === ZERO_ID && traceHigh === ZERO_ID) {
      throw new AppError('INVALID_ARGUMENT', `span[${i}].traceIdLow: expected a non-zero trace id, got 0 (traceIdHigh 0)`);
    }
    if (spanId === ZERO_ID) throw new AppError('INVALID_ARGUMENT', `span[${i}].spanId: expected a non-zero span id, got 0`);
    if (!(startUs >= MIN_TIMESTAMP_US && startUs < MAX_TIMESTAMP_US)) {
      throw new AppError('INVALID_ARGUMENT', `span[${i}].startTime: expected epoch microseconds between 2000-01-01 and 2100-01-01, got ${startUs}`);
    }
    if (!(durationUs >= 0 && durationUs <= MAX_DURATION_US)) {
      throw new AppError('INVALID_ARGUMENT', `span[${i}].duration: expected microseconds between 0 and 1e12, got ${durationUs}`);
    }

    const { parentSpanId, links } = splitReferences(refs ?? [], {
      traceId, spanId, parentSpanId: parentId === ZERO_ID || parentId === spanId ? undefined : parentId,
    });
    return buildSpan({
      traceId, spanId, parentSpanId, name, service: '', startUs, durationUs, flags, events, links, resource: NO_ATTRIBUTES, tenant: this.tenant,
    }, tags);
  }

  private readRefs(i: number, size: number): SpanLink[] {
    const r = this.r;
    const refs: SpanLink[] = [];
    for (let k = 0; k < size; k++) {
      this.refIndex = k;
      let seen = 0;
      let refType = -1;
      let low = ZERO_ID;
      let high = ZERO_ID;
      let spanId = ZERO_ID;
      r.structBegin();
      for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
        const id = r.fieldId;
        if (id === 1 && type === T_I32) {
          refType = r.readI32();
        } else if (id >= 2 && id <= 4 && type === T_I64) {
          const hex = r.readI64Hex();
          if (id === 2) low = hex;
          else if (id === 3) high = hex;
          else spanId = hex;
        } else {
          r.skip(type);
          continue;
        }
        seen |= 1 << id;
      }
      r.structEnd();
      const path = `span[${i}].references[${k}]`;
      if (seen !== 0b11110) {
        const name = (seen & 2) === 0 ? 'refType' : (seen & 4) === 0 ? 'traceIdLow' : (seen & 8) === 0 ? 'traceIdHigh' : 'spanId';
        throw new AppError('INVALID_ARGUMENT', `${path}.${name}: required field is missing`);
      }
      if (refType !== 0 && refType !== 1) {
        throw new AppError('INVALID_ARGUMENT', `${path}.refType: expected 0 (CHILD_OF) or 1 (FOLLOWS_FROM), got ${refType}`);
      }
      if (low === ZERO_ID && high === ZERO_ID) throw new AppError('INVALID_ARGUMENT', `${path}.traceIdLow: expected a non-zero trace id, got 0`);
      if (spanId === ZERO_ID) throw new AppError('INVALID_ARGUMENT', `${path}.spanId: expected a non-zero span id, got 0`);
      refs.push({ type: refType === 0 ? 'child_of' : 'follows_from', traceId: high + low, spanId });
    }
    this.refIndex = -1;
    return refs;
  }

  private readLogs(i: number, size: number): SpanEvent[] {
    const r = this.r;
    const events: SpanEvent[] = new Array<SpanEvent>(size);
    for (let k = 0; k < size; k++) {
      this.logIndex = k;
      let timeUs = 0;
      let seen = 0;
      let name = 'log';
      let named = false;
      let attributes: Attributes | undefined;
      r.structBegin();
      for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
        const id = r.fieldId;
        if (id === 1 && type === T_I64) {
          timeUs = r.readI64();
          seen |= 1;
        } else if (id === 2 && type === T_LIST) {
          seen |= 2;
          if (!this.structList()) continue;
          const fields = this.listSize;
          for (let j = 0; j < fields; j++) {
            this.tagIndex = j;
            this.readTag();
            const key = this.tagKey;
            const value = this.tagValue;
            if (!named && key === 'event' && typeof value === 'string') {
              name = value;
              named = true;
              continue;
            }
            if (attributes === undefined) attributes = {};
            setAttribute(attributes, key, value);
          }
          this.tagIndex = -1;
        } else {
          r.skip(type);
        }
      }
      r.structEnd();
      const path = `span[${i}].logs[${k}]`;
      if ((seen & 1) === 0) throw new AppError('INVALID_ARGUMENT', `${path}.timestamp: required field is missing`);
      if ((seen & 2) === 0) throw new AppError('INVALID_ARGUMENT', `${path}.fields: required field is missing`);
      if (!(timeUs >= MIN_TIMESTAMP_US && timeUs < MAX_TIMESTAMP_US)) {
        throw new AppError('INVALID_ARGUMENT', `${path}.timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got ${timeUs}`);
      }
      events[k] = attributes === undefined ? { timeUs, name } : { timeUs, name, attributes };
    }
    this.logIndex = -1;
    return events;
  }

  /** Reads one Tag struct into tagKey / tagValue, keeping its type. */
  private readTag(): void {
    const r = this.r;
    let key: string | undefined;
    let vType = -1;
    let vStr = '';
    let vDouble = 0;
    let vBool = false;
    let vLong: number | string = 0;
    let vBinary = '';
    r.structBegin();
    for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
      switch (r.fieldId) {
        case 1:
          if (type !== T_STRING) break;
          key = r.readString();
          continue;
        case 2:
          if (type !== T_I32) break;
          vType = r.readI32();
          continue;
        case 3:
          if (type !== T_STRING) break;
          vStr = r.readString();
          continue;
        case 4:
          if (type !== T_DOUBLE) break;
          vDouble = r.readDouble();
          continue;
        case 5:
          if (type !== T_BOOL) break;
          vBool = r.readBool();
          continue;
        case 6:
          if (type !== T_I64) break;
          vLong = r.readI64Value();
          continue;
        case 7:
          if (type !== T_STRING) break;
          vBinary = r.readBase64();
          continue;
      }
      r.skip(type);
    }
    r.structEnd();
    if (key === undefined) throw new AppError('INVALID_ARGUMENT', `${this.where()}.key: required field is missing`);
    this.tagKey = key;
    switch (vType) {
      case 0:
        this.tagValue = vStr;
        return;
      case 1:
        // JSON has no NaN or Infinity: keep those readable as text.
        this.tagValue = Number.isFinite(vDouble) ? vDouble : String(vDouble);
        return;
      case 2:
        this.tagValue = vBool;
        return;
      case 3:
        this.tagValue = vLong;
        return;
      case 4:
        this.tagValue = vBinary;
        return;
      case -1:
        throw new AppError('INVALID_ARGUMENT', `${this.where()}.vType: required field is missing`);
      default:
        throw new AppError('INVALID_ARGUMENT', `${this.where()}.vType: expected 0..4 (${TAG_TYPES}), got ${vType}`);
    }
  }

  /** Where the decoder is: `span[3].logs[1].fields[0]`, `batch.process.tags[2]`, `batch`. */
  private where(): string {
    if (this.inProcess) return this.tagIndex >= 0 ? `batch.process.tags[${this.tagIndex}]` : 'batch.process';
    if (this.spanIndex < 0) return 'batch';
    let path = `span[${this.spanIndex}]`;
    if (this.logIndex >= 0) path += `.logs[${this.logIndex}]${this.tagIndex >= 0 ? `.fields[${this.tagIndex}]` : ''}`;
    else if (this.tagIndex >= 0) path += `.tags[${this.tagIndex}]`;
    else if (this.refIndex >= 0) path += `.references[${this.refIndex}]`;
    return path;
  }
}

