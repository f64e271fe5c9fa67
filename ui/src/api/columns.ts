/**
 * Decodes the binary compact trace the server sends (src/query/ui/columns.ts describes the layout):
 * the columns become typed-array views over the received bytes, in whatever width the server chose
 * for each, with no per-row work (the span ids become text on first use). Checks every length and
 * type before viewing, so a truncated or foreign answer is one clear error.
 */
import type { CompactRows, CompactTrace } from './types.js';

const MAGIC = 'ATC2';

/** The numeric columns every answer has, in the order the server writes them. */
const COLUMN_NAMES = ['startUs', 'durationUs', 'parent', 'depth', 'service', 'name', 'subtree', 'kind', 'flags'] as const;

type ColumnName = (typeof COLUMN_NAMES)[number];

const VIEWS = {
  u8: Uint8Array, i8: Int8Array, u16: Uint16Array, i16: Int16Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array,
} as const;

type ColumnType = keyof typeof VIEWS;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes one answer; throws an Error saying what is wrong with a malformed one. */
export function decodeColumns(buffer: ArrayBuffer): CompactTrace {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 8 || String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) !== MAGIC) {
    throw new Error(`trace columns: expected the ${MAGIC} format`);
  }
  const view = new DataView(buffer);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new Error(`trace columns: header of ${headerLength} bytes overruns the ${bytes.length}-byte answer`);
  const header: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  if (typeof header !== 'object' || header === null) throw new Error('trace columns: header is not an object');
  const { columns, spanIdBytes, ...h } = header as Omit<CompactTrace, 'rows'> & { columns: unknown; spanIdBytes: unknown };
  const n = h.spanCount;
  if (!Number.isInteger(n) || n < 0) throw new Error('trace columns: header.spanCount is not a count');
  if (typeof h.traceId !== 'string' || !Array.isArray(h.services) || !Array.isArray(h.names) || !Array.isArray(h.kinds) || !Array.isArray(h.warnings)) {
    throw new Error('trace columns: header lacks traceId, services, names, kinds or warnings');
  }
  if (spanIdBytes !== 8 && spanIdBytes !== 16) throw new Error('trace columns: header.spanIdBytes is neither 8 nor 16');
  const types = columnTypes(columns);
  let at = 8 + headerLength;
  for (const name of COLUMN_NAMES) at = align8(at) + VIEWS[types[name]].BYTES_PER_ELEMENT * n;
  const idsAt = align8(at);
  const expected = idsAt + spanIdBytes * n;
  if (bytes.length !== expected) throw new Error(`trace columns: expected ${expected} bytes for ${n} spans, got ${bytes.length}`);
  at = 8 + headerLength;
  const values = {} as Record<ColumnName, ArrayLike<number>>;
  for (const name of COLUMN_NAMES) {
    at = align8(at);
    values[name] = column(buffer, view, at, n, types[name]);
    at += VIEWS[types[name]].BYTES_PER_ELEMENT * n;
  }
  const idBytes = bytes.subarray(idsAt, expected);
  // The ids are text only a click or a deep link needs: turning them into text waits for the
  // first read instead of delaying the first paint.
  let spanIds: string | undefined;
  const rows: CompactRows = {
    get spanIds() {
      spanIds ??= spanIdBytes === 8 ? hexOf(idBytes) : new TextDecoder('latin1').decode(idBytes);
      return spanIds;
    },
    parent: values.parent, depth: values.depth, startUs: values.startUs, durationUs: values.durationUs,
    service: values.service, name: values.name, kind: values.kind, flags: values.flags, subtree: values.subtree,
  };
  return { ...h, rows };
}

function columnTypes(columns: unknown): Record<ColumnName, ColumnType> {
  if (!Array.isArray(columns) || columns.length !== COLUMN_NAMES.length) throw new Error(`trace columns: header.columns must list ${COLUMN_NAMES.join(', ')}`);
  const out = {} as Record<ColumnName, ColumnType>;
  COLUMN_NAMES.forEach((name, i) => {
    const entry: unknown = columns[i];
    if (!Array.isArray(entry) || entry[0] !== name || typeof entry[1] !== 'string' || !Object.hasOwn(VIEWS, entry[1])) {
      throw new Error(`trace columns: header.columns[${i}] must be ["${name}", one of ${Object.keys(VIEWS).join('|')}]`);
    }
    out[name] = entry[1] as ColumnType;
  });
  return out;
}

/** A column viewed in place (copied value by value only on a big-endian machine). */
function column(buffer: ArrayBuffer, view: DataView, at: number, n: number, type: ColumnType): ArrayLike<number> {
  const View = VIEWS[type];
  if (littleEndian || View.BYTES_PER_ELEMENT === 1) return new View(buffer, at, n);
  const out = new View(n);
  const size = View.BYTES_PER_ELEMENT;
  for (let i = 0; i < n; i++) {
    const p = at + size * i;
    out[i] = type === 'f64' ? view.getFloat64(p, true) : type === 'u16' ? view.getUint16(p, true) : type === 'i16' ? view.getInt16(p, true)
      : type === 'u32' ? view.getUint32(p, true) : view.getInt32(p, true);
  }
  return out;
}

/** Lowercase hex of every byte, as one string: two ASCII bytes a byte, then one latin1 decode. */
function hexOf(bytes: Uint8Array): string {
  const text = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    text[2 * i] = HEX_DIGITS[b >> 4]!;
    text[2 * i + 1] = HEX_DIGITS[b & 15]!;
  }
  return new TextDecoder('latin1').decode(text);
}

const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');

function align8(n: number): number {
  return (n + 7) & ~7;
}
