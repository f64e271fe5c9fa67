/**
 * The binary form of a compact trace (GET /api/ariadne/traces/:id/columns): the per-row columns as
 * raw little-endian typed arrays the browser views in place, so opening a 50 000-span trace costs
 * no JSON parsing at all. Layout, every column n entries (n = spanCount):
 *   "ATC1" | u32 header length H | H bytes UTF-8 JSON header (every CompactTrace field but rows) |
 *   zero padding to a multiple of 8 |
 *   f64 startUs | f64 durationUs | i32 parent | i32 depth | i32 service | i32 name | i32 subtree |
 *   u8 kind | u8 flags | 16n ASCII bytes spanIds.
 * Pure: no I/O.
 */
import { endianness } from 'node:os';
import type { CompactTrace } from './compact-trace.js';

/** First four bytes of every encoded trace (format name and version). */
export const COLUMNS_MAGIC = 'ATC1';

/** The media type of the encoded form. */
export const COLUMNS_CONTENT_TYPE = 'application/vnd.ariadne.trace-columns';

/** Encodes a compact trace; the inverse is the UI's decodeColumns (ui/src/api/columns.ts). */
export function encodeColumns(trace: CompactTrace): Buffer {
  const { rows, ...rest } = trace;
  const n = trace.spanCount;
  const header = Buffer.from(JSON.stringify(rest));
  const columnsAt = align8(8 + header.length);
  const size = columnsAt + n * (8 * 2 + 4 * 5 + 2 + 16);
  // Whole typed-array copies instead of one write call per value: 50 000 rows went from 32-149 ms
  // to 9-43 ms (machine load 5-15). Every column starts 8-aligned in a fresh buffer, so the views are valid.
  const memory = new ArrayBuffer(size);
  const out = Buffer.from(memory);
  out.write(COLUMNS_MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  let at = columnsAt;
  const f64 = (values: ArrayLike<number>) => {
    if (LITTLE_ENDIAN) new Float64Array(memory, at, n).set(values);
    else for (let i = 0; i < n; i++) out.writeDoubleLE(values[i]!, at + 8 * i);
    at += 8 * n;
  };
  const i32 = (values: ArrayLike<number>) => {
    if (LITTLE_ENDIAN) new Int32Array(memory, at, n).set(values);
    else for (let i = 0; i < n; i++) out.writeInt32LE(values[i]!, at + 4 * i);
    at += 4 * n;
  };
  const u8 = (values: ArrayLike<number>) => {
    new Uint8Array(memory, at, n).set(values);
    at += n;
  };
  f64(rows.startUs);
  f64(rows.durationUs);
  i32(rows.parent);
  i32(rows.depth);
  i32(rows.service);
  i32(rows.name);
  i32(rows.subtree);
  u8(rows.kind);
  u8(rows.flags);
  out.write(rows.spanIds, at, 'latin1');
  return out;
}

const LITTLE_ENDIAN = endianness() === 'LE';

function align8(n: number): number {
  return (n + 7) & ~7;
}
