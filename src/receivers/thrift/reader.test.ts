import thrift from 'thrift';
import Int64 from 'node-int64';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors.js';
import {
  BinaryReader,
  BinaryWriter,
  CompactReader,
  MAX_SKIP_DEPTH,
  T_BOOL,
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
  ThriftReader,
  transcodeStruct,
} from './index.js';

const { Thrift, TBinaryProtocol, TBufferedTransport, TCompactProtocol } = thrift;
type Protocol = InstanceType<typeof TBinaryProtocol> | InstanceType<typeof TCompactProtocol>;
type Kind = 'binary' | 'compact';

/** Encodes with Apache Thrift's protocol writers, the independent oracle. */
function encode(kind: Kind, write: (p: Protocol) => void): Buffer {
  let out = Buffer.alloc(0);
  const transport = new TBufferedTransport(undefined, (bytes?: Buffer) => {
    if (bytes) out = Buffer.concat([out, bytes]);
  });
  const p = kind === 'binary' ? new TBinaryProtocol(transport) : new TCompactProtocol(transport);
  write(p);
  p.flush();
  return out;
}

function reader(kind: Kind, bytes: Buffer): ThriftReader {
  return kind === 'binary' ? new BinaryReader(bytes) : new CompactReader(bytes);
}

const KINDS: Kind[] = ['binary', 'compact'];

describe('i64 values', () => {
  const cases: Array<[string, string, string, number | string]> = [
    ['zero', '0000000000000000', '0000000000000000', 0],
    ['one', '0000000000000001', '0000000000000001', 1],
    ['minus one', 'ffffffffffffffff', 'ffffffffffffffff', -1],
    ['largest safe integer', '001fffffffffffff', '001fffffffffffff', 9007199254740991],
    ['2^53 is a decimal string', '0020000000000000', '0020000000000000', '9007199254740992'],
    ['smallest safe integer', 'ffe0000000000001', 'ffe0000000000001', -9007199254740991],
    ['int64 max', '7fffffffffffffff', '7fffffffffffffff', '9223372036854775807'],
    ['int64 min', '8000000000000000', '8000000000000000', '-9223372036854775808'],
    ['high bit of the low half', '0000000080000000', '0000000080000000', 2147483648],
    ['typical span id', 'a1b2c3d4e5f60718', 'a1b2c3d4e5f60718', '-6795153568590067944'],
  ];
  for (const kind of KINDS) {
    it.each(cases)(`${kind}: %s`, (_name, hex, expectedHex, expectedValue) => {
      const bytes = encode(kind, (p) => {
        p.writeI64(new Int64(hex));
        p.writeI64(new Int64(hex));
      });
      const r = reader(kind, bytes);
      expect(r.readI64Hex()).toBe(expectedHex);
      expect(r.readI64Value()).toBe(expectedValue);
      expect(r.remaining).toBe(0);
    });
  }
});

describe('scalars, strings and message headers', () => {
  for (const kind of KINDS) {
    it(`${kind}: reads what Apache Thrift wrote`, () => {
      const bytes = encode(kind, (p) => {
        p.writeMessageBegin('emitBatch', Thrift.MessageType.ONEWAY, 7);
        p.writeI16(-300);
        p.writeI32(-70000);
        p.writeI32(2147483647);
        p.writeDouble(-1.25);
        p.writeString('héllo ✓');
        p.writeBinary(Buffer.from([0, 255, 1]));
        p.writeByte(200);
      });
      const r = reader(kind, bytes);
      expect(r.readMessageBegin()).toEqual({ name: 'emitBatch', type: 4, seqId: 7 });
      expect(r.readI16()).toBe(-300);
      expect(r.readI32()).toBe(-70000);
      expect(r.readI32()).toBe(2147483647);
      expect(r.readDouble()).toBe(-1.25);
      expect(r.readString()).toBe('héllo ✓');
      expect(r.readBase64()).toBe('AP8B');
      expect(r.readByte()).toBe(200);
      expect(r.remaining).toBe(0);
    });
  }

  it('binary: reads the old (non-strict) message header', () => {
    const bytes = encode('binary', (p) => {
      (p as unknown as { _strictWrite?: boolean })._strictWrite = false;
      (p as unknown as { strictWrite?: boolean }).strictWrite = false;
      p.writeMessageBegin('emitBatch', Thrift.MessageType.CALL, 3);
    });
    const r = new BinaryReader(bytes);
    expect(bytes.readInt32BE(0)).toBe(9);
    expect(r.readMessageBegin()).toEqual({ name: 'emitBatch', type: 1, seqId: 3 });
  });
});

/** A struct with every container and scalar type, bools as fields and as list elements, nested. */
function writeEverything(p: Protocol): void {
  p.writeStructBegin('S');
  p.writeFieldBegin('t', Thrift.Type.BOOL, 1);
  p.writeBool(true);
  p.writeFieldEnd();
  p.writeFieldBegin('f', Thrift.Type.BOOL, 2);
  p.writeBool(false);
  p.writeFieldEnd();
  p.writeFieldBegin('far', Thrift.Type.I16, 300); // long-form field id in compact
  p.writeI16(-2);
  p.writeFieldEnd();
  p.writeFieldBegin('m', Thrift.Type.MAP, 301);
  p.writeMapBegin(Thrift.Type.STRING, Thrift.Type.I64, 2);
  p.writeString('a');
  p.writeI64(new Int64('ffffffffffffffff'));
  p.writeString('b');
  p.writeI64(new Int64(5));
  p.writeMapEnd();
  p.writeFieldEnd();
  p.writeFieldBegin('empty', Thrift.Type.MAP, 302);
  p.writeMapBegin(Thrift.Type.STRING, Thrift.Type.STRING, 0);
  p.writeMapEnd();
  p.writeFieldEnd();
  p.writeFieldBegin('bools', Thrift.Type.LIST, 303);
  p.writeListBegin(Thrift.Type.BOOL, 3);
  p.writeBool(true);
  p.writeBool(false);
  p.writeBool(true);
  p.writeListEnd();
  p.writeFieldEnd();
  p.writeFieldBegin('set', Thrift.Type.SET, 304);
  p.writeSetBegin(Thrift.Type.DOUBLE, 1);
  p.writeDouble(0.5);
  p.writeSetEnd();
  p.writeFieldEnd();
  p.writeFieldBegin('nested', Thrift.Type.STRUCT, 305);
  p.writeStructBegin('N');
  p.writeFieldBegin('s', Thrift.Type.STRING, 15);
  p.writeString('deep');
  p.writeFieldEnd();
  p.writeFieldStop();
  p.writeStructEnd();
  p.writeFieldEnd();
  p.writeFieldBegin('after', Thrift.Type.I32, 306);
  p.writeI32(42);
  p.writeFieldEnd();
  p.writeFieldStop();
  p.writeStructEnd();
}

/** Reads writeEverything's struct back with the generic reader, as a list of [id, value]. */
function readEverything(r: ThriftReader): unknown[] {
  const out: unknown[] = [];
  r.structBegin();
  for (let type = r.readFieldBegin(); type !== T_STOP; type = r.readFieldBegin()) {
    const id = r.fieldId;
    switch (type) {
      case T_BOOL: out.push([id, r.readBool()]); break;
      case T_I16: out.push([id, r.readI16()]); break;
      case T_I32: out.push([id, r.readI32()]); break;
      case T_MAP: {
        const size = r.readMapBegin();
        const entries: unknown[] = [];
        for (let k = 0; k < size; k++) entries.push([r.readString(), r.readI64Value()]);
        out.push([id, entries]);
        break;
      }
      case T_LIST: {
        const size = r.readListBegin();
        const items: boolean[] = [];
        for (let k = 0; k < size; k++) items.push(r.readBool());
        out.push([id, r.elemType, items]);
        break;
      }
      case T_SET: {
        const size = r.readListBegin();
        const items: number[] = [];
        for (let k = 0; k < size; k++) items.push(r.readDouble());
        out.push([id, r.elemType, items]);
        break;
      }
      case T_STRUCT: {
        r.structBegin();
        const inner: unknown[] = [];
        for (let t = r.readFieldBegin(); t !== T_STOP; t = r.readFieldBegin()) inner.push([r.fieldId, t, r.readString()]);
        r.structEnd();
        out.push([id, inner]);
        break;
      }
      default: throw new Error(`unexpected type ${type}`);
    }
  }
  r.structEnd();
  return out;
}

const EVERYTHING = [
  [1, true],
  [2, false],
  [300, -2],
  [301, [['a', -1], ['b', 5]]],
  [302, []],
  [303, T_BOOL, [true, false, true]],
  [304, T_DOUBLE, [0.5]],
  [305, [[15, T_STRING, 'deep']]],
  [306, 42],
];

describe('structs and containers', () => {
  for (const kind of KINDS) {
    it(`${kind}: reads every type, field ids relative and long-form`, () => {
      const r = reader(kind, encode(kind, writeEverything));
      expect(readEverything(r)).toEqual(EVERYTHING);
      expect(r.remaining).toBe(0);
    });

    it(`${kind}: skip passes over the whole struct`, () => {
      const bytes = encode(kind, (p) => {
        writeEverything(p);
        p.writeI32(99);
      });
      const r = reader(kind, bytes);
      r.skip(T_STRUCT);
      expect(r.readI32()).toBe(99);
    });
  }

  it('transcodes a compact struct to the binary bytes Apache Thrift writes', () => {
    const compact = encode('compact', writeEverything);
    const writer = new BinaryWriter(8);
    const r = new CompactReader(compact);
    transcodeStruct(r, writer);
    expect(r.remaining).toBe(0);
    // The empty map's types differ (compact does not carry them); compare everything else.
    const binary = encode('binary', writeEverything);
    const out = writer.bytes();
    expect(out.length).toBe(binary.length);
    expect(readEverything(new BinaryReader(Buffer.from(out)))).toEqual(EVERYTHING);
  });
});

describe('malformed input', () => {
  const nested = (depth: number): Buffer => {
    // binary: a list of lists of ... of i32
    const parts: Buffer[] = [];
    for (let k = 0; k < depth; k++) parts.push(Buffer.from([T_LIST, 0, 0, 0, 1]));
    parts.push(Buffer.from([T_I32, 0, 0, 0, 0]));
    return Buffer.concat(parts);
  };
  const cases: Array<[string, () => void, string]> = [
    ['truncated i64', () => new BinaryReader(Buffer.from([1, 2, 3])).readI64Hex(), 'invalid Thrift at byte 0: truncated: an i64 needs 8 bytes, 3 left'],
    ['string longer than the input', () => new BinaryReader(Buffer.from([0, 0, 0, 9, 65])).readString(), 'invalid Thrift at byte 4: truncated: a string of 9 bytes, 1 left'],
    ['negative string length', () => new BinaryReader(Buffer.from([255, 255, 255, 255])).readString(), 'invalid Thrift at byte 4: negative string length -1'],
    ['list larger than the input', () => new BinaryReader(Buffer.from([T_I32, 0x7f, 0, 0, 0, 1])).readListBegin(), 'invalid Thrift at byte 5: truncated: list of 2130706432 elements, 1 bytes left'],
    ['unknown type while skipping', () => new BinaryReader(Buffer.from([0])).skip(99), 'invalid Thrift at byte 0: unknown type id 99'],
    ['nesting deeper than the cap', () => new BinaryReader(nested(MAX_SKIP_DEPTH + 2)).skip(T_LIST), 'values nested deeper than 64'],
    ['compact varint too long', () => new CompactReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).readI32(), 'invalid Thrift at byte 0: varint32 longer than 5 bytes'],
    ['compact varint64 too long', () => new CompactReader(Buffer.alloc(11, 0xff)).readI64Hex(), 'varint longer than 10 bytes'],
    ['compact unknown field type', () => new CompactReader(Buffer.from([0x1e])).readFieldBegin(), 'invalid Thrift at byte 1: unknown compact field type 14'],
    ['compact wrong protocol id', () => new CompactReader(Buffer.from([0x80, 1])).readMessageBegin(), 'invalid Thrift at byte 1: expected compact protocol id 0x82, got 0x80'],
    ['binary wrong version', () => new BinaryReader(Buffer.from([0x80, 2, 0, 4])).readMessageBegin(), 'invalid Thrift at byte 4: unknown binary protocol version 0x8002'],
  ];
  it.each(cases)('%s', (_name, run, message) => {
    let caught: unknown;
    try {
      run();
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toContain(message);
  });

  it('skips nesting up to the cap', () => {
    const r = new BinaryReader(nested(MAX_SKIP_DEPTH));
    r.skip(T_LIST);
    expect(r.remaining).toBe(0);
  });
});
