/**
 * Spans as RowBinary rows of the `spans` table (columns in SPAN_COLUMNS order): ClickHouse reads
 * this format without parsing text, and building it costs no JSON or decimal conversions of ids.
 * Integers are little-endian, strings and arrays carry a LEB128 length first.
 */
import type { Attributes, Span } from '../../model/index.js';
import { extraOf, kindCode, spanFlags, statusCodeNumber } from './rows.js';

const TWO_32 = 2 ** 32;

/** A growing byte buffer with the RowBinary primitives the span row needs. */
class RowBinaryBuffer {
  private buf: Buffer;
  private at = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  private varint(n: number): void {
    this.room(5);
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.at++] = n;
  }

  string(text: string): void {
    // Worst case 3 bytes per UTF-16 unit; the length prefix is written once the size is known.
    const max = text.length * 3;
    const prefix = max < 0x80 ? 1 : max < 0x4000 ? 2 : max < 0x200000 ? 3 : 5;
    this.room(prefix + max);
    const start = this.at + prefix;
    const written = this.buf.write(text, start, 'utf8');
    let needed = 1;
    for (let v = written; v >= 0x80; v >>>= 7) needed++;
    if (needed !== prefix) this.buf.copyWithin(this.at + needed, start, start + written);
    this.varint(written);
    this.at += written;
  }

  strings(list: readonly string[]): void {
    this.varint(list.length);
    for (const text of list) this.string(text);
  }

  u8(n: number): void {
    this.room(1);
    this.buf[this.at++] = n;
  }

  /** A non-negative integer below 2^53 as UInt64. */
  u64(n: number): void {
    this.room(8);
    this.buf.writeUInt32LE(n % TWO_32, this.at);
    this.buf.writeUInt32LE(Math.floor(n / TWO_32), this.at + 4);
    this.at += 8;
  }

  /** 16 hex chars (already validated as hex) as UInt64. */
  u64Hex(hex: string): void {
    this.room(8);
    this.buf.writeUInt32LE(parseInt(hex.slice(8, 16), 16), this.at);
    this.buf.writeUInt32LE(parseInt(hex.slice(0, 8), 16), this.at + 4);
    this.at += 8;
  }

  take(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

function attributes(out: RowBinaryBuffer, attrs: Attributes): void {
  const keys = Object.keys(attrs);
  out.strings(keys);
  let types = '';
  out.strings(keys.map((key) => {
    const value = attrs[key];
    types += typeof value === 'number' ? 'n' : typeof value === 'boolean' ? 'b' : 's';
    return String(value);
  }));
  out.string(types);
}

/** The RowBinary rows of `spans`, one per span, in SPAN_COLUMNS order. */
export function spansToRowBinary(spans: readonly Span[]): Buffer {
  const out = new RowBinaryBuffer(Math.max(256, spans.length * 512));
  for (const span of spans) {
    out.string(span.tenant);
    out.u64Hex(span.traceId.slice(0, 16));
    out.u64Hex(span.traceId.slice(16, 32));
    out.u64Hex(span.spanId);
    if (span.parentSpanId === undefined) out.u64(0);
    else out.u64Hex(span.parentSpanId);
    out.u64(Math.trunc(span.startUs));
    out.u64(Math.max(0, Math.trunc(span.durationUs)));
    out.string(span.service);
    out.string(span.name);
    out.u8(kindCode(span.kind));
    out.u8(statusCodeNumber(span.statusCode));
    out.u8(spanFlags(span));
    out.string(span.remoteEndpoint?.serviceName ?? '');
    attributes(out, span.attributes);
    attributes(out, span.resource);
    out.strings(span.events.map((e) => e.name));
    out.string(extraOf(span));
  }
  return out.take();
}
