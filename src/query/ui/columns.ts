/**
 * The binary form of a compact trace (GET /api/ariadne/traces/:id/columns): the per-row columns as
 * raw little-endian typed arrays the browser views in place, so opening a 50 000-span trace costs
 * no JSON parsing at all. Each numeric column is written in the narrowest type that holds all its
 * values exactly (a 50 000-span trace's depths fit in bytes, its µs offsets in 32 bits), which
 * halves the answer against fixed 64- and 32-bit columns. Layout (n = spanCount):
 *   "ATC2" | u32 header length H | H bytes UTF-8 JSON header |
 *   then for each column the header lists, in its order: zero padding to a multiple of 8, n values |
 *   zero padding to a multiple of 8 | the span ids: 8n bytes (16 hex chars each as 8 bytes) or,
 *   when some id is not 16 lowercase hex chars, 16n ASCII bytes.
 * The header holds every CompactTrace field but rows, plus `columns` ([name, type] pairs, type one
 * of COLUMN_TYPES) and `spanIdBytes` (8 or 16).
 * Pure: no I/O.
 */
import { endianness } from 'node:os';
import type { CompactRows, CompactTrace } from './compact-trace.js';

/** First four bytes of every encoded trace (format name and version). */
export const COLUMNS_MAGIC = 'ATC2';

/** The media type of the encoded form. */
export const COLUMNS_CONTENT_TYPE = 'application/vnd.ariadne.trace-columns';

/** The numeric columns in the order they are written. */
export const COLUMN_NAMES = ['startUs', 'durationUs', 'parent', 'depth', 'service', 'name', 'subtree', 'kind', 'flags'] as const;

/** Element types a column may be written in, with their sizes in bytes. */
export const COLUMN_TYPES = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f64: 8 } as const;

/** One of {@link COLUMN_TYPES}. */
export type ColumnType = keyof typeof COLUMN_TYPES;

/** The narrowest type holding every value exactly: integers by their range, anything else as f64. */
export function narrowestType(values: ArrayLike<number>): ColumnType {
  let min = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) return 'f64';
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  if (min >= 0) return max <= 0xff ? 'u8' : max <= 0xffff ? 'u16' : max <= 0xffffffff ? 'u32' : 'f64';
  if (min >= -0x80 && max <= 0x7f) return 'i8';
  if (min >= -0x8000 && max <= 0x7fff) return 'i16';
  return min >= -0x80000000 && max <= 0x7fffffff ? 'i32' : 'f64';
}

/** Encodes a compact trace; the inverse is the UI's decodeColumns (ui/src/api/columns.ts). */
export function encodeColumns(trace: CompactTrace): Buffer {
  const { rows, ...rest } = trace;
  const n = trace.spanCount;
  const types = COLUMN_NAMES.map((name) => narrowestType(rows[name]));
  const spanIdBytes = HEX_IDS.test(rows.spanIds) && rows.spanIds.length === 16 * n ? 8 : 16;
  const header = Buffer.from(JSON.stringify({ ...rest, columns: COLUMN_NAMES.map((name, i) => [name, types[i]]), spanIdBytes }));
  let size = 8 + header.length;
  for (const type of types) size = align8(size) + COLUMN_TYPES[type] * n;
  const idsAt = align8(size);
  // Whole typed-array copies instead of one write call per value; every column starts 8-aligned
  // in a fresh buffer, so the views are valid.
  const memory = new ArrayBuffer(idsAt + spanIdBytes * n);
  const out = Buffer.from(memory);
  out.write(COLUMNS_MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  let at = 8 + header.length;
  COLUMN_NAMES.forEach((name, i) => {
    at = align8(at);
    writeColumn(memory, at, types[i]!, rows[name]);
    at += COLUMN_TYPES[types[i]!] * n;
  });
  out.write(rows.spanIds, idsAt, spanIdBytes === 8 ? 'hex' : 'latin1');
  return out;
}

const HEX_IDS = /^[0-9a-f]*$/;

function writeColumn(memory: ArrayBuffer, at: number, type: ColumnType, values: CompactRows[(typeof COLUMN_NAMES)[number]]): void {
  const n = values.length;
  if (LITTLE_ENDIAN) {
    const View = VIEWS[type];
    new View(memory, at, n).set(values);
    return;
  }
  const out = Buffer.from(memory);
  const size = COLUMN_TYPES[type];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const p = at + size * i;
    if (type === 'f64') out.writeDoubleLE(v, p);
    else if (type === 'u8') out.writeUInt8(v, p);
    else if (type === 'i8') out.writeInt8(v, p);
    else if (type === 'u16') out.writeUInt16LE(v, p);
    else if (type === 'i16') out.writeInt16LE(v, p);
    else if (type === 'u32') out.writeUInt32LE(v, p);
    else out.writeInt32LE(v, p);
  }
}

const VIEWS = {
  u8: Uint8Array, i8: Int8Array, u16: Uint16Array, i16: Int16Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array,
} as const;

const LITTLE_ENDIAN = endianness() === 'LE';

function align8(n: number): number {
  return (n + 7) & ~7;
}
