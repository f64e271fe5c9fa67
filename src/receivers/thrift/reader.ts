/**
 * Schema-free Thrift readers for the binary and the compact protocol, over one Buffer.
 * Specs: https://github.com/apache/thrift/blob/master/doc/specs/thrift-binary-protocol.md and
 * https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 *
 * Both readers report types with the binary protocol's type ids (T_*), so a decoder written once
 * reads either protocol. Every read checks the remaining length first: truncated or garbage input
 * throws a ThriftError (an INVALID_ARGUMENT AppError naming the byte offset), and no length field
 * allocates more than the bytes that are left.
 */
import { AppError } from '../../errors.js';

/** Binary-protocol type ids, used by both readers. */
export const T_STOP = 0;
/** Thrift `bool`. */
export const T_BOOL = 2;
/** Thrift `byte` / `i8`. */
export const T_BYTE = 3;
/** Thrift `double`. */
export const T_DOUBLE = 4;
/** Thrift `i16`. */
export const T_I16 = 6;
/** Thrift `i32` (and enums). */
export const T_I32 = 8;
/** Thrift `i64`. */
export const T_I64 = 10;
/** Thrift `string` and `binary`. */
export const T_STRING = 11;
/** Thrift struct, union or exception. */
export const T_STRUCT = 12;
/** Thrift `map`. */
export const T_MAP = 13;
/** Thrift `set`. */
export const T_SET = 14;
/** Thrift `list`. */
export const T_LIST = 15;
/** Thrift `uuid`. */
export const T_UUID = 16;

/** Thrift message types. */
export const MESSAGE_CALL = 1;
/** Reply to a call. */
export const MESSAGE_REPLY = 2;
/** Exception reply. */
export const MESSAGE_EXCEPTION = 3;
/** Call that expects no reply (Jaeger's Agent.emitBatch). */
export const MESSAGE_ONEWAY = 4;

/** Deepest nesting of containers and structs `skip` follows; deeper input is rejected. */
export const MAX_SKIP_DEPTH = 64;

/** A malformed Thrift input: INVALID_ARGUMENT, with the byte offset in the message. */
export class ThriftError extends AppError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** Header of a Thrift message (an RPC call envelope). */
export interface MessageHeader {
  name: string;
  /** MESSAGE_CALL, MESSAGE_REPLY, MESSAGE_EXCEPTION or MESSAGE_ONEWAY. */
  type: number;
  seqId: number;
}

/**
 * Buffer's own slice decoders. `toString(encoding, start, end)` reaches them through argument
 * checks and an encoding switch that cost more than the decoding of a short tag string.
 */
interface SliceDecoders {
  utf8Slice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}

const HEX: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const TWO_32 = 4294967296;

/** 16 lowercase hex chars of a 64-bit value given as two 32-bit halves. */
export function hex64(hi: number, lo: number): string {
  return (
    HEX[hi >>> 24]! + HEX[(hi >>> 16) & 255]! + HEX[(hi >>> 8) & 255]! + HEX[hi & 255]! +
    HEX[lo >>> 24]! + HEX[(lo >>> 16) & 255]! + HEX[(lo >>> 8) & 255]! + HEX[lo & 255]!
  );
}

/**
 * A signed 64-bit value as a JS number when it is a safe integer, else as its exact decimal
 * string (the attribute rule for integers). hi is the signed high half, lo the unsigned low half.
 */
export function int64Value(hi: number, lo: number): number | string {
  const value = (hi | 0) * TWO_32 + (lo >>> 0);
  if (Number.isSafeInteger(value)) return value;
  return ((BigInt(hi | 0) << 32n) + BigInt(lo >>> 0)).toString();
}

/**
 * The operations a decoder needs, the same for both protocols. Struct fields are read with
 * readFieldBegin until it returns T_STOP; nested structs are bracketed by structBegin/structEnd
 * (the compact protocol's field ids are relative to the previous field of the same struct).
 */
export abstract class ThriftReader {
  /** Read position; decoders may save it to slice out raw bytes. */
  pos: number;
  /** Id of the field whose header was read last. */
  fieldId = 0;
  /** Element type of the list or set whose header was read last. */
  elemType = 0;
  /** Key and value types of the map whose header was read last. */
  keyType = 0;
  valueType = 0;
  /** 32-bit halves of the i64 read last by readI64Parts (hi signed, lo unsigned). */
  hi = 0;
  lo = 0;

  private readonly slices: SliceDecoders;

  constructor(readonly buf: Buffer, offset = 0) {
    this.pos = offset;
    const slices = buf as unknown as Partial<SliceDecoders>;
    // A plain Uint8Array typed as Buffer lacks them: view the same bytes as a Buffer.
    this.slices = (typeof slices.utf8Slice === 'function'
      ? buf
      : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)) as unknown as SliceDecoders;
  }

  /** Bytes left after the read position. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  abstract readMessageBegin(): MessageHeader;
  /** Reads a field header: returns its type (T_STOP ends the struct) and sets fieldId. */
  abstract readFieldBegin(): number;
  abstract structBegin(): void;
  abstract structEnd(): void;
  /** Reads a list or set header: returns the element count and sets elemType. */
  abstract readListBegin(): number;
  /** Reads a map header: returns the entry count and sets keyType / valueType. */
  abstract readMapBegin(): number;
  abstract readBool(): boolean;
  abstract readI16(): number;
  abstract readI32(): number;
  /** Reads an i64 into `hi` / `lo`. */
  abstract readI64Parts(): void;
  abstract readDouble(): number;
  /** Reads the length prefix of a string/binary and checks the bytes are there; returns the length. */
  protected abstract readLength(): number;

  /** Reads one byte (i8), unsigned. */
  readByte(): number {
    this.need(1, 'a byte');
    return this.buf[this.pos++]!;
  }

  /** Reads an i64 as a number (exact up to 2^53; timestamps and durations). */
  readI64(): number {
    this.readI64Parts();
    return this.hi * TWO_32 + this.lo;
  }

  /** Reads an i64 as 16 lowercase hex chars of its two's complement (ids). */
  readI64Hex(): string {
    this.readI64Parts();
    return hex64(this.hi, this.lo);
  }

  /** Reads an i64 as a number when safe, else as its decimal string. */
  readI64Value(): number | string {
    this.readI64Parts();
    return int64Value(this.hi, this.lo);
  }

  /** Reads a string as UTF-8 (invalid sequences become U+FFFD). */
  readString(): string {
    const length = this.readLength();
    const start = this.pos;
    this.pos = start + length;
    return length === 0 ? '' : this.slices.utf8Slice(start, start + length);
  }

  /** Reads a binary field as base64. */
  readBase64(): string {
    const length = this.readLength();
    const start = this.pos;
    this.pos = start + length;
    return length === 0 ? '' : this.slices.base64Slice(start, start + length);
  }

  /** Reads a binary field as a view into the input (not a copy). */
  readBinary(): Buffer {
    const length = this.readLength();
    const start = this.pos;
    this.pos = start + length;
    return this.buf.subarray(start, start + length);
  }

  /** Reads 16 uuid bytes as a view into the input. */
  readUuid(): Buffer {
    this.need(16, 'a uuid');
    const start = this.pos;
    this.pos += 16;
    return this.buf.subarray(start, start + 16);
  }

  /** Skips one value of `type`, following nested values at most MAX_SKIP_DEPTH deep. */
  skip(type: number, depth = 0): void {
    if (depth > MAX_SKIP_DEPTH) this.fail(`values nested deeper than ${MAX_SKIP_DEPTH}`);
    switch (type) {
      case T_BOOL:
        this.readBool();
        return;
      case T_BYTE:
        this.readByte();
        return;
      case T_I16:
        this.readI16();
        return;
      case T_I32:
        this.readI32();
        return;
      case T_I64:
        this.readI64Parts();
        return;
      case T_DOUBLE:
        this.readDouble();
        return;
      case T_STRING: {
        // Not `pos += readLength()`: that would add to the position from before the length prefix.
        const length = this.readLength();
        this.pos += length;
        return;
      }
      case T_UUID:
        this.readUuid();
        return;
      case T_STRUCT: {
        this.structBegin();
        for (let t = this.readFieldBegin(); t !== T_STOP; t = this.readFieldBegin()) this.skip(t, depth + 1);
        this.structEnd();
        return;
      }
      case T_LIST:
      case T_SET: {
        const size = this.readListBegin();
        const elem = this.elemType;
        for (let k = 0; k < size; k++) this.skip(elem, depth + 1);
        return;
      }
      case T_MAP: {
        const size = this.readMapBegin();
        const key = this.keyType;
        const value = this.valueType;
        for (let k = 0; k < size; k++) {
          this.skip(key, depth + 1);
          this.skip(value, depth + 1);
        }
        return;
      }
      default:
        this.fail(`unknown type id ${type}`);
    }
  }

  /** Throws unless `n` more bytes are there. */
  protected need(n: number, what: string): void {
    if (this.buf.length - this.pos < n) {
      this.fail(`truncated: ${what} needs ${n} bytes, ${Math.max(0, this.buf.length - this.pos)} left`);
    }
  }

  /** Checks a container size against the bytes left (every element takes at least one byte). */
  protected checkSize(size: number, what: string): number {
    if (size < 0) this.fail(`negative ${what} size ${size}`);
    if (size > this.buf.length - this.pos) this.fail(`truncated: ${what} of ${size} elements, ${this.buf.length - this.pos} bytes left`);
    return size;
  }

  /** Throws a ThriftError at the current position. */
  fail(what: string): never {
    throw new ThriftError(`invalid Thrift at byte ${this.pos}: ${what}`);
  }
}

/** Reader of the binary protocol (TBinaryProtocol), strict and old-style message headers. */
export class BinaryReader extends ThriftReader {
  readMessageBegin(): MessageHeader {
    const first = this.readI32();
    if (first < 0) {
      // Strict header: version word, then the name.
      if ((first & 0xffff0000) !== (0x80010000 | 0)) this.fail(`unknown binary protocol version 0x${(first >>> 16).toString(16)}`);
      const type = first & 0xff;
      const name = this.readString();
      const seqId = this.readI32();
      return { name, type, seqId };
    }
    // Old header: the first word is the name's length.
    if (first > this.remaining) this.fail(`truncated: message name of ${first} bytes, ${this.remaining} left`);
    const name = this.buf.toString('utf8', this.pos, this.pos + first);
    this.pos += first;
    const type = this.readByte();
    const seqId = this.readI32();
    return { name, type, seqId };
  }

  readFieldBegin(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos >= buf.length) this.fail('truncated: a field header needs 1 byte, 0 left');
    const type = buf[pos]!;
    if (type === T_STOP) {
      this.pos = pos + 1;
      return T_STOP;
    }
    if (pos + 3 > buf.length) this.fail(`truncated: a field header needs 3 bytes, ${buf.length - pos} left`);
    this.fieldId = ((buf[pos + 1]! << 24) | (buf[pos + 2]! << 16)) >> 16;
    this.pos = pos + 3;
    return type;
  }

  structBegin(): void {}

  structEnd(): void {}

  readListBegin(): number {
    this.need(5, 'a list header');
    this.elemType = this.buf[this.pos++]!;
    return this.checkSize(this.readI32(), 'list');
  }

  readMapBegin(): number {
    this.need(6, 'a map header');
    this.keyType = this.buf[this.pos++]!;
    this.valueType = this.buf[this.pos++]!;
    const size = this.readI32();
    if (size < 0) this.fail(`negative map size ${size}`);
    if (size * 2 > this.remaining) this.fail(`truncated: map of ${size} entries, ${this.remaining} bytes left`);
    return size;
  }

  readBool(): boolean {
    this.need(1, 'a bool');
    return this.buf[this.pos++] !== 0;
  }

  readI16(): number {
    this.need(2, 'an i16');
    const buf = this.buf;
    const pos = this.pos;
    this.pos = pos + 2;
    return ((buf[pos]! << 24) | (buf[pos + 1]! << 16)) >> 16;
  }

  readI32(): number {
    this.need(4, 'an i32');
    const buf = this.buf;
    const pos = this.pos;
    this.pos = pos + 4;
    return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
  }

  readI64Parts(): void {
    const buf = this.buf;
    const pos = this.pos;
    if (pos + 8 > buf.length) this.fail(`truncated: an i64 needs 8 bytes, ${buf.length - pos} left`);
    this.hi = (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
    this.lo = ((buf[pos + 4]! << 24) | (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!) >>> 0;
    this.pos = pos + 8;
  }

  override readI64Hex(): string {
    const buf = this.buf;
    const pos = this.pos;
    if (pos + 8 > buf.length) this.fail(`truncated: an i64 needs 8 bytes, ${buf.length - pos} left`);
    this.pos = pos + 8;
    return (
      HEX[buf[pos]!]! + HEX[buf[pos + 1]!]! + HEX[buf[pos + 2]!]! + HEX[buf[pos + 3]!]! +
      HEX[buf[pos + 4]!]! + HEX[buf[pos + 5]!]! + HEX[buf[pos + 6]!]! + HEX[buf[pos + 7]!]!
    );
  }

  readDouble(): number {
    this.need(8, 'a double');
    const value = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return value;
  }

  protected readLength(): number {
    const length = this.readI32();
    if (length < 0) this.fail(`negative string length ${length}`);
    if (length > this.buf.length - this.pos) this.fail(`truncated: a string of ${length} bytes, ${this.buf.length - this.pos} left`);
    return length;
  }
}

/** Compact-protocol type nibble → binary type id (0 = invalid). Index 1 and 2 are the two bool field types. */
const COMPACT_TYPES = [0, T_BOOL, T_BOOL, T_BYTE, T_I16, T_I32, T_I64, T_DOUBLE, T_STRING, T_LIST, T_SET, T_MAP, T_STRUCT, T_UUID, 0, 0];

/** Reader of the compact protocol (TCompactProtocol). */
export class CompactReader extends ThriftReader {
  /** Value of a bool field whose header was just read (-1: none pending; list bools are bytes). */
  private pendingBool = -1;
  private lastFieldId = 0;
  private readonly fieldIds: number[] = [];

  readMessageBegin(): MessageHeader {
    const protocolId = this.readByte();
    if (protocolId !== 0x82) this.fail(`expected compact protocol id 0x82, got 0x${protocolId.toString(16)}`);
    const versionAndType = this.readByte();
    if ((versionAndType & 0x1f) !== 1) this.fail(`unknown compact protocol version ${versionAndType & 0x1f}`);
    const type = (versionAndType >> 5) & 0x07;
    const seqId = this.readVarint32();
    const name = this.readString();
    return { name, type, seqId };
  }

  readFieldBegin(): number {
    const byte = this.readByte();
    if (byte === 0) return T_STOP;
    const nibble = byte & 0x0f;
    const type = COMPACT_TYPES[nibble]!;
    if (type === 0) this.fail(`unknown compact field type ${nibble}`);
    const delta = byte >> 4;
    this.fieldId = delta !== 0 ? this.lastFieldId + delta : zigzag32(this.readVarint32()) << 16 >> 16;
    this.lastFieldId = this.fieldId;
    if (type === T_BOOL) this.pendingBool = nibble === 1 ? 1 : 0;
    return type;
  }

  structBegin(): void {
    if (this.fieldIds.length >= 256) this.fail('structs nested deeper than 256');
    this.fieldIds.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  structEnd(): void {
    this.lastFieldId = this.fieldIds.pop() ?? 0;
  }

  readListBegin(): number {
    const header = this.readByte();
    const nibble = header & 0x0f;
    const type = COMPACT_TYPES[nibble]!;
    if (type === 0) this.fail(`unknown compact element type ${nibble}`);
    this.elemType = type;
    const short = header >> 4;
    return this.checkSize(short === 15 ? this.readVarint32() : short, 'list');
  }

  readMapBegin(): number {
    const size = this.readVarint32();
    if (size === 0) {
      this.keyType = T_STOP;
      this.valueType = T_STOP;
      return 0;
    }
    const types = this.readByte();
    const key = COMPACT_TYPES[types >> 4]!;
    const value = COMPACT_TYPES[types & 0x0f]!;
    if (key === 0 || value === 0) this.fail(`unknown compact map types 0x${types.toString(16)}`);
    this.keyType = key;
    this.valueType = value;
    if (size < 0) this.fail(`negative map size ${size}`);
    if (size * 2 > this.remaining) this.fail(`truncated: map of ${size} entries, ${this.remaining} bytes left`);
    return size;
  }

  readBool(): boolean {
    const pending = this.pendingBool;
    if (pending !== -1) {
      this.pendingBool = -1;
      return pending === 1;
    }
    return this.readByte() === 1;
  }

  override readByte(): number {
    const pos = this.pos;
    if (pos >= this.buf.length) this.fail('truncated: a byte needs 1 byte, 0 left');
    this.pos = pos + 1;
    return this.buf[pos]!;
  }

  readI16(): number {
    return zigzag32(this.readVarint32()) << 16 >> 16;
  }

  readI32(): number {
    return zigzag32(this.readVarint32());
  }

  readI64Parts(): void {
    // Unsigned LEB128 of up to 10 bytes, gathered into two 32-bit halves without BigInt.
    const buf = this.buf;
    let pos = this.pos;
    const end = buf.length;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let byte: number;
    for (;;) {
      if (pos >= end) this.fail('truncated: a varint ends early');
      byte = buf[pos++]!;
      if (shift < 28) {
        lo |= (byte & 0x7f) << shift;
      } else if (shift === 28) {
        lo |= (byte & 0x0f) << 28;
        hi |= (byte & 0x7f) >>> 4;
      } else if (shift < 63) {
        hi |= (byte & 0x7f) << (shift - 32);
      } else {
        hi |= (byte & 0x01) << 31;
      }
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) this.fail('varint longer than 10 bytes');
    }
    this.pos = pos;
    // Zigzag decode on the 64-bit pair: (n >>> 1) ^ -(n & 1).
    const mask = -(lo & 1);
    this.lo = (((lo >>> 1) | (hi << 31)) ^ mask) >>> 0;
    this.hi = ((hi >>> 1) ^ mask) | 0;
  }

  readDouble(): number {
    this.need(8, 'a double');
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  protected readLength(): number {
    const length = this.readVarint32();
    if (length < 0) this.fail(`negative string length ${length}`);
    if (length > this.buf.length - this.pos) this.fail(`truncated: a string of ${length} bytes, ${this.buf.length - this.pos} left`);
    return length;
  }

  /** Reads an unsigned LEB128 of up to 5 bytes as 32 bits (signed view). */
  readVarint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = buf.length;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) this.fail('truncated: a varint ends early');
      const byte = buf[pos++]!;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) this.fail('varint32 longer than 5 bytes');
    }
    this.pos = pos;
    return result;
  }
}

function zigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}
