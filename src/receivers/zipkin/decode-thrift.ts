/**
 * Zipkin v1 Thrift (POST /api/v1/spans with Content-Type application/x-thrift) to the internal
 * span model. IDL: https://github.com/openzipkin/zipkin-api/blob/master/thrift/zipkinCore.thrift
 * (copy in idl/zipkin/). The body is a binary-Thrift list<Span>; a lone Span struct is accepted
 * too, as Zipkin does. Each Thrift span is read into the shape of a v1 JSON span and converted by
 * the v1 JSON decoder, so both encodings give the same spans: core annotations become kind and
 * timing, address annotations (ca/sa/ma) remote endpoints, the rest events and tags.
 * Binary annotation values become the tag text v1 JSON carries: BOOL "true"/"false", I16/I32/I64
 * and DOUBLE in decimal, BYTES base64, STRING as UTF-8.
 */
import { AppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { BinaryReader, T_BOOL, T_I16, T_I32, T_I64, T_LIST, T_STOP, T_STRING, T_STRUCT, ThriftError, int64Value } from '../thrift/index.js';
import { formatIpv6 } from './decode-common.js';
import { convertZipkinV1Spans } from './decode-v1.js';

/** Payload format key of Zipkin v1 Thrift request bodies (also the key of their decoder). */
export const ZIPKIN_V1_THRIFT = 'zipkin-v1-thrift';

/**
 * Decodes a Zipkin v1 Thrift body. Pure; throws AppError INVALID_ARGUMENT naming the span and
 * field (`span[2].binaryAnnotations[1].value: ...`) or the byte offset of malformed Thrift.
 */
export function decodeZipkinV1Thrift(bytes: Buffer, tenant: string): Span[] {
  const r = new BinaryReader(bytes);
  const spans: V1Span[] = [];
  try {
    if (bytes.length > 0 && bytes[0] === T_STRUCT) {
      const size = r.readListBegin();
      for (let i = 0; i < size; i++) spans.push(readSpan(r, i));
    } else {
      spans.push(readSpan(r, 0));
    }
  } catch (err) {
    if (err instanceof ThriftError) throw new AppError('INVALID_ARGUMENT', `span[${spans.length}]: ${err.message}`);
    throw err;
  }
  // The v1 JSON decoder owns the v1 → v2 rules: the spans read here have its input's shape.
  return convertZipkinV1Spans(spans, tenant);
}

/** A v1 span in the JSON shape decode-v1.ts reads. */
interface V1Span {
  traceId?: string;
  id?: string;
  parentId?: string;
  name?: string;
  timestamp?: number;
  duration?: number;
  debug?: boolean;
  annotations: { timestamp?: number; value?: string; endpoint?: V1Endpoint }[];
  binaryAnnotations: { key?: string; value?: string | boolean; type?: string; endpoint?: V1Endpoint }[];
}

interface V1Endpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

const ANNOTATION_TYPES = ['BOOL', 'BYTES', 'I16', 'I32', 'I64', 'DOUBLE', 'STRING'] as const;

function readSpan(r: BinaryReader, i: number): V1Span {
  let traceLow: string | undefined;
  let traceHigh: string | undefined;
  const span: V1Span = { annotations: [], binaryAnnotations: [] };
  r.structBegin();
  for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
    const id = r.fieldId;
    if (type === T_I64 && (id === 1 || id === 4 || id === 5 || id === 12)) {
      const hex = r.readI64Hex();
      if (id === 1) traceLow = hex;
      else if (id === 12) traceHigh = hex;
      else if (id === 4) span.id = hex;
      else span.parentId = hex;
    } else if (type === T_I64 && (id === 10 || id === 11)) {
      const value = r.readI64();
      if (id === 10) span.timestamp = value;
      else span.duration = value;
    } else if (id === 3 && type === T_STRING) {
      span.name = r.readString();
    } else if (id === 9 && type === T_BOOL) {
      span.debug = r.readBool();
    } else if (id === 6 && type === T_LIST && structList(r)) {
      const size = listSize;
      for (let j = 0; j < size; j++) span.annotations.push(readAnnotation(r));
    } else if (id === 8 && type === T_LIST && structList(r)) {
      const size = listSize;
      for (let j = 0; j < size; j++) span.binaryAnnotations.push(readBinaryAnnotation(r, i, j));
    } else {
      r.skip(type);
    }
  }
  r.structEnd();
  if (traceLow !== undefined) span.traceId = traceHigh !== undefined && traceHigh !== '0000000000000000' ? traceHigh + traceLow : traceLow;
  return span;
}

let listSize = 0;

/** Reads a list header: true for a list of structs (size in listSize), else skips the list. */
function structList(r: BinaryReader): boolean {
  const size = r.readListBegin();
  const elem = r.elemType;
  if (elem === T_STRUCT) {
    listSize = size;
    return true;
  }
  for (let k = 0; k < size; k++) r.skip(elem);
  return false;
}

function readAnnotation(r: BinaryReader): V1Span['annotations'][number] {
  const annotation: V1Span['annotations'][number] = {};
  r.structBegin();
  for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
    const id = r.fieldId;
    if (id === 1 && type === T_I64) annotation.timestamp = r.readI64();
    else if (id === 2 && type === T_STRING) annotation.value = r.readString();
    else if (id === 3 && type === T_STRUCT) {
      const endpoint = readEndpoint(r);
      if (endpoint !== undefined) annotation.endpoint = endpoint;
    } else r.skip(type);
  }
  r.structEnd();
  return annotation;
}

function readBinaryAnnotation(r: BinaryReader, i: number, j: number): V1Span['binaryAnnotations'][number] {
  const annotation: V1Span['binaryAnnotations'][number] = {};
  let raw: Buffer | undefined;
  let typeId = -1;
  r.structBegin();
  for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
    const id = r.fieldId;
    if (id === 1 && type === T_STRING) annotation.key = r.readString();
    else if (id === 2 && type === T_STRING) raw = r.readBinary();
    else if (id === 3 && type === T_I32) typeId = r.readI32();
    else if (id === 4 && type === T_STRUCT) {
      const endpoint = readEndpoint(r);
      if (endpoint !== undefined) annotation.endpoint = endpoint;
    } else r.skip(type);
  }
  r.structEnd();
  if (typeId !== -1) {
    const name = ANNOTATION_TYPES[typeId];
    if (name === undefined) {
      throw new AppError('INVALID_ARGUMENT', `span[${i}].binaryAnnotations[${j}].type: expected 0..6 (${ANNOTATION_TYPES.join(', ')}), got ${typeId}`);
    }
    annotation.type = name;
  }
  if (raw !== undefined) annotation.value = binaryValue(raw, annotation.type, i, j);
  return annotation;
}

/** The JSON value of a binary annotation: what a v1 JSON sender would have written for it. */
function binaryValue(raw: Buffer, type: string | undefined, i: number, j: number): string | boolean {
  const expect = (bytes: number): void => {
    if (raw.length !== bytes) {
      throw new AppError('INVALID_ARGUMENT', `span[${i}].binaryAnnotations[${j}].value: expected ${bytes} bytes for ${type}, got ${raw.length}`);
    }
  };
  switch (type) {
    case 'BOOL':
      expect(1);
      return raw[0] === 1;
    case 'BYTES':
      return raw.toString('base64');
    case 'I16':
      expect(2);
      return String(raw.readInt16BE(0));
    case 'I32':
      expect(4);
      return String(raw.readInt32BE(0));
    case 'I64':
      expect(8);
      return String(int64Value(raw.readInt32BE(0), raw.readUInt32BE(4)));
    case 'DOUBLE':
      expect(8);
      return String(raw.readDoubleBE(0));
    default:
      return raw.toString('utf8');
  }
}

function readEndpoint(r: BinaryReader): V1Endpoint | undefined {
  let ipv4 = 0;
  let port = 0;
  let serviceName = '';
  let ipv6: Buffer | undefined;
  r.structBegin();
  for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
    const id = r.fieldId;
    if (id === 1 && type === T_I32) ipv4 = r.readI32();
    else if (id === 2 && type === T_I16) port = r.readI16() & 0xffff;
    else if (id === 3 && type === T_STRING) serviceName = r.readString();
    else if (id === 4 && type === T_STRING) ipv6 = r.readBinary();
    else r.skip(type);
  }
  r.structEnd();
  const endpoint: V1Endpoint = {};
  if (serviceName !== '') endpoint.serviceName = serviceName;
  if (ipv4 !== 0) endpoint.ipv4 = formatIpv4(ipv4);
  if (ipv6 !== undefined && ipv6.length === 16) {
    // An IPv4-mapped address (::ffff:a.b.c.d) is an IPv4 address: Zipkin reports it as one.
    if (isIpv4Mapped(ipv6)) {
      if (endpoint.ipv4 === undefined) endpoint.ipv4 = formatIpv4(ipv6.readInt32BE(12));
    } else if (!ipv6.every((b) => b === 0)) {
      endpoint.ipv6 = formatIpv6(ipv6);
    }
  }
  if (port !== 0) endpoint.port = port;
  return endpoint.serviceName === undefined && endpoint.ipv4 === undefined && endpoint.ipv6 === undefined && endpoint.port === undefined
    ? undefined
    : endpoint;
}

function formatIpv4(ip: number): string {
  return `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

function isIpv4Mapped(bytes: Buffer): boolean {
  for (let k = 0; k < 10; k++) if (bytes[k] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

