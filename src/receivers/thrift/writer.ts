/**
 * The little writing side: a growable binary-protocol writer and a compact → binary transcoder
 * for whole structs. An agent receives compact Thrift over UDP and forwards the same Batch to a
 * collector's HTTP endpoint, which only takes the binary protocol; the wire carries every type,
 * so the conversion needs no schema. Spec: apache/thrift doc/specs/thrift-binary-protocol.md.
 */
import {
  CompactReader,
  MAX_SKIP_DEPTH,
  T_BOOL,
  T_BYTE,
  T_DOUBLE,
  T_I16,
  T_I32,
  T_I64,
  T_LIST,
  T_MAP,
  T_SET,
  T_STOP,
  T_STRING,
  T_STRUCT,
  T_UUID,
} from './reader.js';

/** Appends binary-protocol values to a buffer that grows as needed. */
export class BinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  /** The bytes written so far (a view: copy it before writing more if it must stay unchanged). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  writeByte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value & 0xff;
  }

  writeI16(value: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(value << 16 >> 16, this.pos);
    this.pos += 2;
  }

  writeI32(value: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(value | 0, this.pos);
    this.pos += 4;
  }

  /** Writes an i64 given as its signed high and unsigned low 32-bit halves. */
  writeI64(hi: number, lo: number): void {
    this.ensure(8);
    this.buf.writeInt32BE(hi | 0, this.pos);
    this.buf.writeUInt32BE(lo >>> 0, this.pos + 4);
    this.pos += 8;
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(value, this.pos);
    this.pos += 8;
  }

  /** Writes a field header (type, then the i16 id). */
  writeFieldBegin(type: number, id: number): void {
    this.writeByte(type);
    this.writeI16(id);
  }

  writeFieldStop(): void {
    this.writeByte(T_STOP);
  }

  writeListBegin(elemType: number, size: number): void {
    this.writeByte(elemType);
    this.writeI32(size);
  }

  writeMapBegin(keyType: number, valueType: number, size: number): void {
    this.writeByte(keyType);
    this.writeByte(valueType);
    this.writeI32(size);
  }

  /** Writes a length-prefixed byte string. */
  writeBinary(bytes: Uint8Array): void {
    this.writeI32(bytes.length);
    this.writeRaw(bytes);
  }

  writeString(text: string): void {
    this.writeBinary(Buffer.from(text, 'utf8'));
  }

  /** Writes bytes as they are, with no length prefix. */
  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/**
 * Copies the struct at the reader's position (compact protocol) to the writer (binary protocol),
 * field by field, leaving the reader after the struct. Throws the reader's ThriftError on
 * malformed input; nesting is capped at MAX_SKIP_DEPTH.
 */
export function transcodeStruct(reader: CompactReader, writer: BinaryWriter, depth = 0): void {
  reader.structBegin();
  for (let type = reader.readFieldBegin(); type !== T_STOP; type = reader.readFieldBegin()) {
    writer.writeFieldBegin(type, reader.fieldId);
    transcodeValue(reader, writer, type, depth + 1);
  }
  writer.writeFieldStop();
  reader.structEnd();
}

function transcodeValue(reader: CompactReader, writer: BinaryWriter, type: number, depth: number): void {
  if (depth > MAX_SKIP_DEPTH) reader.fail(`values nested deeper than ${MAX_SKIP_DEPTH}`);
  switch (type) {
    case T_BOOL:
      writer.writeByte(reader.readBool() ? 1 : 0);
      return;
    case T_BYTE:
      writer.writeByte(reader.readByte());
      return;
    case T_I16:
      writer.writeI16(reader.readI16());
      return;
    case T_I32:
      writer.writeI32(reader.readI32());
      return;
    case T_I64:
      reader.readI64Parts();
      writer.writeI64(reader.hi, reader.lo);
      return;
    case T_DOUBLE:
      writer.writeDouble(reader.readDouble());
      return;
    case T_STRING:
      writer.writeBinary(reader.readBinary());
      return;
    case T_UUID:
      writer.writeRaw(reader.readUuid());
      return;
    case T_STRUCT:
      transcodeStruct(reader, writer, depth);
      return;
    case T_LIST:
    case T_SET: {
      const size = reader.readListBegin();
      const elem = reader.elemType;
      writer.writeListBegin(elem, size);
      for (let k = 0; k < size; k++) transcodeValue(reader, writer, elem, depth + 1);
      return;
    }
    case T_MAP: {
      const size = reader.readMapBegin();
      const key = reader.keyType;
      const value = reader.valueType;
      // An empty compact map carries no types; the binary one needs some: any valid pair will do.
      writer.writeMapBegin(size === 0 ? T_STRING : key, size === 0 ? T_STRING : value, size);
      for (let k = 0; k < size; k++) {
        transcodeValue(reader, writer, key, depth + 1);
        transcodeValue(reader, writer, value, depth + 1);
      }
      return;
    }
    default:
      reader.fail(`unknown type id ${type}`);
  }
}
