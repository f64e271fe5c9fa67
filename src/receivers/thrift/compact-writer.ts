/**
 * A small compact-protocol writer, enough for an Agent.emitBatch datagram as Jaeger clients send to
 * UDP 6831. Takes the binary-protocol type ids the rest of this folder uses and writes their compact
 * forms. Spec: apache/thrift doc/specs/thrift-compact-protocol.md.
 */
import { T_BOOL, T_BYTE, T_DOUBLE, T_I16, T_I32, T_I64, T_LIST, T_MAP, T_SET, T_STRING, T_STRUCT } from './reader.js';

const PROTOCOL_ID = 0x82;
const VERSION = 1;

/** Binary-protocol type id → compact type id (bool fields are written with their value instead). */
const COMPACT_TYPE: Readonly<Record<number, number>> = {
  [T_BOOL]: 1, [T_BYTE]: 3, [T_I16]: 4, [T_I32]: 5, [T_I64]: 6, [T_DOUBLE]: 7, [T_STRING]: 8,
  [T_LIST]: 9, [T_SET]: 10, [T_MAP]: 11, [T_STRUCT]: 12,
};

function compactType(type: number): number {
  const t = COMPACT_TYPE[type];
  if (t === undefined) throw new RangeError(`no compact type for Thrift type ${type}`);
  return t;
}

/** Appends compact-protocol values; struct nesting is tracked for the field-id deltas. */
export class CompactWriter {
  private readonly chunks: number[] = [];
  private lastFieldId = 0;
  private readonly stack: number[] = [];

  /** The bytes written so far. */
  bytes(): Buffer {
    return Buffer.from(this.chunks);
  }

  private byte(b: number): void {
    this.chunks.push(b & 0xff);
  }

  private varint(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private zigzag64(value: bigint): bigint {
    return BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  }

  writeMessageBegin(name: string, type: number, seqId: number): void {
    this.byte(PROTOCOL_ID);
    this.byte((VERSION & 0x1f) | (type << 5));
    this.varint(BigInt(seqId >>> 0));
    this.writeString(name);
  }

  structBegin(): void {
    this.stack.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  structEnd(): void {
    this.byte(0);
    this.lastFieldId = this.stack.pop() ?? 0;
  }

  /** A field header; `type` is a binary-protocol type id (not T_BOOL: use writeBoolField). */
  writeFieldBegin(type: number, id: number): void {
    this.fieldHeader(compactType(type), id);
  }

  /** A bool field: the value travels in the header's type nibble. */
  writeBoolField(id: number, value: boolean): void {
    this.fieldHeader(value ? 1 : 2, id);
  }

  private fieldHeader(type: number, id: number): void {
    const delta = id - this.lastFieldId;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.varint(this.zigzag64(BigInt(id)));
    }
    this.lastFieldId = id;
  }

  writeI32(value: number): void {
    this.varint(this.zigzag64(BigInt(value | 0)));
  }

  /** An i64 as a bigint (ids need all 64 bits). */
  writeI64(value: bigint): void {
    this.varint(this.zigzag64(BigInt.asIntN(64, value)));
  }

  writeDouble(value: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    for (const x of b) this.byte(x);
  }

  writeString(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.varint(BigInt(bytes.length));
    for (const x of bytes) this.byte(x);
  }

  writeListBegin(elemType: number, size: number): void {
    const t = compactType(elemType);
    if (size < 15) this.byte((size << 4) | t);
    else {
      this.byte(0xf0 | t);
      this.varint(BigInt(size));
    }
  }
}
